"""The site for everyone, in a real browser: maths without JavaScript, hostile inputs, links that keep
everything, Python blocked, offline after one visit, and accessibility (axe-core) on every page.

Uses the session's single build and server (tests/conftest.py) and the helpers of test_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Page

from calc import widgets
from tests.conftest import LIVE_TIMEOUT_MS
from tests.test_browser import CURRENT_RESULT, edit, form_values, open_live


def site_pages(site: Path) -> list[str]:
    """Every page of the built site, as a path relative to its root ("" is the home page)."""
    return sorted(p.parent.relative_to(site).as_posix().removeprefix(".") + "/" if p.parent != site else ""
                  for p in site.rglob("index.html") if "vendor" not in p.parts and "assets" not in p.parts)


# ---------------------------------------------------------------- 5. maths without JavaScript

VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  // KaTeX keeps the TeX source in MathML <annotation> for screen readers and copying; it is not shown.
  body.querySelectorAll('annotation, script, style, svg').forEach(el => el.remove());
  return body.textContent;
}"""


def test_maths_is_typeset_without_javascript(browser: Browser, site: Path, site_url: str):
    pages = site_pages(site)
    assert len(pages) >= 10, pages
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    typeset = 0
    for path in pages:
        page.goto(site_url + path)
        text = page.evaluate(VISIBLE_TEXT)
        for raw in ("\\frac", "\\cdot", "\\text{", "\\(", "\\["):
            assert raw not in text, f"{path}: raw TeX {raw!r} shown with JavaScript off"
        typeset += page.locator(".katex").count()
    context.close()
    assert typeset > 50  # the theory pages hold dozens of formulas (roofline.md alone has 9 blocks)


# ---------------------------------------------------------------- 2. hostile inputs, end to end

def field_error(page: Page, name: str, field: str, expected: str) -> str:
    """The message beside ``field`` once it contains ``expected``."""
    page.wait_for_function("([name, field, expected]) => document.querySelector("
                           "`#calc-${name} [data-field=${field}] .calc-error`).textContent.includes(expected)",
                           arg=[name, field, expected], timeout=LIVE_TIMEOUT_MS)
    return page.locator(f"#calc-{name} [data-field={field}] .calc-error").inner_text()


def test_a_100_kb_paste_gives_a_short_message(page: Page, site_url: str):
    open_live(page, site_url + "roofline/")
    page.locator("#calc-roofline [name='intensity']").fill("9" * 100_000)
    message = field_error(page, "roofline", "intensity", "characters")
    # The label, the first 40 characters, the length, the rule: one short line, not a 50,000-pixel block.
    assert message.startswith("Operational intensity '999") and "(100,000 characters)" in message
    assert len(message) < 200
    assert page.locator("#calc-roofline [data-field=intensity] .calc-error").bounding_box()["height"] < 150


def test_tiny_custom_bandwidth_is_a_field_error(page: Page, site_url: str):
    open_live(page, site_url + "roofline/")
    page.locator("#calc-roofline [name='gpu']").select_option("custom")
    page.locator("#calc-roofline [name='bandwidth_gbps']").fill("1e-320")
    assert field_error(page, "roofline", "bandwidth_gbps", "must be at least 1 GB/s")
    assert page.locator("#calc-roofline .calc-status").get_attribute("data-state") == "live"
    assert "JSON" not in page.locator("#calc-roofline").inner_text()


def test_deep_config_is_a_field_error_and_the_next_config_works(page: Page, site_url: str):
    from calc.models import hf_config_of

    open_live(page, site_url + "anatomy/")
    page.locator("#calc-anatomy [name='model']").select_option("pasted config.json")
    page.locator("#calc-anatomy [name='config']").fill("[" * 50_000 + "]" * 50_000)
    assert field_error(page, "anatomy", "config", "levels deep")
    # Python survived: a real config computes, and the error state is gone.
    live = edit(page, "anatomy", {"config": json.dumps(hf_config_of("Qwen2.5-7B"))})
    assert live == widgets.call("anatomy", form_values(page, "anatomy"))["values"]
    assert page.locator("#calc-anatomy .calc-invalid").count() == 0
    assert "calc-stale" not in page.locator("#calc-anatomy .calc-output").get_attribute("class")


def test_dtype_error_sits_beside_its_own_field(page: Page, site_url: str):
    open_live(page, site_url + "anatomy/")
    page.locator("#calc-anatomy [name='gpu']").select_option("V100-SXM2-16GB")
    assert field_error(page, "anatomy", "activations", "has no peak for V100-SXM2-16GB")
    assert page.locator("#calc-anatomy [data-field=model] .calc-error").inner_text() == ""


# ---------------------------------------------------------------- 3. links keep everything; Python blocked

def test_shared_link_with_pasted_config_and_prices_reproduces_the_result(page: Page, site_url: str, browser: Browser):
    from calc.models import hf_config_of

    config = json.dumps(hf_config_of("Llama-2-13B"), indent=2)
    open_live(page, site_url + "planner/")
    live = edit(page, "planner", {"model": "pasted config.json", "config": config, "hardware": "A100-SXM4-80GB",
                                  "prices": "A100-SXM4-80GB=1.5"})
    assert "cost" in live
    page.wait_for_function("location.hash.includes('planner.prices=')", timeout=10_000)
    shared = page.url
    assert "#calc:" in shared and "planner.config=" in shared and "A100-SXM4-80GB=1.5" not in shared  # packed
    packed = shared.split("planner.config=")[1].split("&")[0]
    assert len(packed) < len(config)  # deflated, then base64url
    other = browser.new_context().new_page()
    other.goto(shared)
    other.wait_for_function(CURRENT_RESULT, arg="#calc-planner", timeout=LIVE_TIMEOUT_MS)
    assert other.locator("#calc-planner [name='config']").input_value() == config
    assert other.locator("#calc-planner [name='prices']").input_value() == "A100-SXM4-80GB=1.5"
    assert json.loads(other.evaluate("document.querySelector('#calc-planner').dataset.values")) == live
    other.context.close()


def test_blocked_python_marks_results_as_build_time_defaults(browser: Browser, site_url: str):
    context = browser.new_context()
    context.route("**/vendor/pyodide/**", lambda route: route.abort())
    page = context.new_page()
    page.goto(site_url + "memory/?kv_cache.context_len=4096")
    page.wait_for_function("document.documentElement.classList.contains('calc-failed')", timeout=LIVE_TIMEOUT_MS)
    root = page.locator("#calc-kv_cache")
    page.wait_for_function("document.querySelector('#calc-kv_cache .calc-output.calc-defaults')", timeout=10_000)
    # The defaults' numbers (148.32 at the default 2048 tokens), said to be so; the edited input is flagged.
    assert "148.32" in root.locator(".calc-output").inner_text()
    assert "for the default inputs" in root.locator(".calc-note-defaults").inner_text()
    assert root.locator("[name='context_len']").input_value() == "4096"
    assert "Not computed (default: 2048)" in root.locator("[data-field=context_len] .calc-error").inner_text()
    assert root.locator(".calc-status").get_attribute("data-state") == "failed"
    context.close()


def test_text_too_long_for_a_link_is_said_to_stay_out(page: Page, site_url: str):
    import random

    # 60,000 random letters do not compress below the 32,000-character limit of a link's packed text.
    noise = "".join(random.Random(13).choices("abcdefghijklmnopqrstuvwxyz0123456789", k=60_000))
    open_live(page, site_url + "anatomy/")
    page.locator("#calc-anatomy [name='model']").select_option("pasted config.json")
    page.locator("#calc-anatomy [name='config']").fill(noise)
    page.wait_for_selector("#calc-anatomy .calc-note-link", timeout=LIVE_TIMEOUT_MS)
    assert "too long to travel in a link" in page.locator("#calc-anatomy .calc-note-link").inner_text()
    assert "anatomy.config" not in page.url
