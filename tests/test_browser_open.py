"""The site for everyone, in a real browser: maths without JavaScript, hostile inputs, links that keep
everything, Python blocked, offline after one visit, and accessibility (axe-core) on every page.

Uses the session's single build and server (tests/conftest.py) and the helpers of test_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser, Page

from calc.web import widgets
from tests.conftest import LIVE_TIMEOUT_MS, new_context, page_without_python
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
    context = new_context(browser, java_script_enabled=False)
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
    assert message.startswith("Operational intensity: '999") and "(100,000 characters)" in message
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
    from calc.model.config import hf_config_of

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
    from calc.model.config import hf_config_of

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
    other = new_context(browser).new_page()
    other.goto(shared)
    other.wait_for_function(CURRENT_RESULT, arg="#calc-planner", timeout=LIVE_TIMEOUT_MS)
    assert other.locator("#calc-planner [name='config']").input_value() == config
    assert other.locator("#calc-planner [name='prices']").input_value() == "A100-SXM4-80GB=1.5"
    assert json.loads(other.evaluate("document.querySelector('#calc-planner').dataset.values")) == live
    other.context.close()


def test_blocked_python_marks_results_as_build_time_defaults(browser: Browser, site_url: str):
    page = page_without_python(browser)
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
    page.context.close()


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


# ---------------------------------------------------------------- 6. accessibility

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# Violations left in components that are not the project's own markup, with the reason: none at present
# (Material's unnamed search dialog is named by scripts/docs_hook.py; its greys are overridden in extra.css).
KNOWN: dict[str, str] = {}
RUN_AXE = """async ([scope, rules]) => {
  const options = {resultTypes: ['violations'], ...(rules ? {runOnly: {type: 'rule', values: rules}} : {})};
  const result = await axe.run(scope ? document.querySelector(scope) : document, options);
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n')[1])}));
}"""


# What the palette changes; the dark palette is checked for these only (the other rules see the same markup).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe_violations(page: Page, scope: str | None = None, rules: list[str] | None = None) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE, [scope, rules]) if v["id"] not in KNOWN]


def test_axe_on_every_page_in_both_palettes(browser: Browser, site: Path, site_url: str):
    found = {}
    for scheme in ("light", "dark"):
        context = new_context(browser, color_scheme=scheme, viewport={"width": 1280, "height": 900})
        # The prerendered pages, without starting Python in the background (it is not what is checked here,
        # and 26 starts of Pyodide would triple the time of this test).
        context.add_init_script("window.requestIdleCallback = () => 0;")
        page = context.new_page()
        for path in site_pages(site):
            page.goto(site_url + path)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")  # scroll boxes marked
            assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
            if violations := axe_violations(page, rules=COLOUR_RULES if scheme == "dark" else None):
                found[f"{scheme} /{path}"] = violations
        context.close()
    assert not found, json.dumps(found, indent=1)


def test_axe_on_calculator_states_in_both_palettes(browser: Browser, site_url: str):
    # An inline error, an out-of-date result and the "Python could not start" marks must be readable too.
    found = {}
    for scheme in ("light", "dark"):
        context = new_context(browser, color_scheme=scheme)
        page = context.new_page()
        open_live(page, site_url + "roofline/")
        page.locator("#calc-roofline [name='intensity']").fill("abc")
        field_error(page, "roofline", "intensity", "is not a number")
        found[f"{scheme} error"] = axe_violations(page, "#calc-roofline")
        blocked = context.new_page()
        blocked.route("**/vendor/pyodide/**", lambda route: route.abort())
        blocked.goto(site_url + "memory/?kv_cache.context_len=4096")
        blocked.wait_for_selector("#calc-kv_cache .calc-not-computed", timeout=LIVE_TIMEOUT_MS)
        found[f"{scheme} defaults"] = axe_violations(blocked, "#calc-kv_cache")
        context.close()
    assert not any(found.values()), json.dumps(found, indent=1)


def test_keyboard_reaches_and_shows_every_control(page: Page, site_url: str):
    page.goto(site_url + "anatomy/")
    page.wait_for_selector("#calc-anatomy .calc-upload:not([hidden])")  # shown once the script has bound it
    page.locator("#calc-anatomy [name='model']").select_option("pasted config.json")
    page.locator("#calc-anatomy [name='config']").focus()
    page.keyboard.press("Tab")  # the next stop after the config box is "Load a file…"
    assert page.evaluate("document.activeElement.closest('.calc-upload') !== null")
    ring = page.evaluate("getComputedStyle(document.activeElement.closest('.calc-upload')).outlineWidth")
    assert float(ring.removesuffix("px")) >= 2
    # It is the native file input itself (Enter or Space opens the chooser), in the tab order, not display:none.
    assert page.evaluate("document.activeElement.matches('input[type=file]') && document.activeElement.tabIndex >= 0"
                         " && getComputedStyle(document.activeElement).display !== 'none'")
    # A visible focus ring on inputs (an outline at least 2 px wide).
    page.locator("#calc-anatomy [name='batch']").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert float(outline.removesuffix("px")) >= 2
    # A table wider than the page scrolls, and the keyboard can reach its scrolling box.
    page.set_viewport_size({"width": 390, "height": 800})
    page.evaluate("window.calcMarkScrollers()")
    assert page.locator("[data-scroll-region][tabindex='0']").count() >= 1


VISIBLE_COLUMNS = """() => [...document.querySelectorAll('.md-content table')].map(t => {
  const box = (t.closest('.md-typeset__scrollwrap, .calc-table-wrap') || t.parentElement).getBoundingClientRect();
  return [...t.querySelectorAll('thead th')].filter(h => h.getBoundingClientRect().right <= box.right + 1)
    .map(h => h.textContent.trim());
})"""
IMPORTANT_COLUMNS = {"gpus/": ["Ridge fp16 (FLOP/byte)"], "anatomy/": ["Time (µs)", "Share", "Bound"],
                     "validation/": ["measured", "predicted", "error"], "planner/": ["TPOT (ms)", "tokens/s/GPU"]}


def test_wide_tables_show_the_columns_that_matter_at_1280_px(page: Page, site_url: str):
    page.set_viewport_size({"width": 1280, "height": 900})
    for path, columns in IMPORTANT_COLUMNS.items():
        page.goto(site_url + path)
        visible = page.evaluate(VISIBLE_COLUMNS)
        tables = [t for t in visible if any(c in t for c in columns)]
        assert tables, f"{path}: no table shows {columns} without scrolling: {visible}"
        assert all(set(columns) <= set(t) for t in tables), f"{path}: {visible}"


def test_phone_width_results_and_charts_are_readable(page: Page, site_url: str):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + "latency/")
    page.locator("#calc-decode_latency .calc-chart").scroll_into_view_if_needed()  # charts are drawn when seen
    page.wait_for_selector("#calc-decode_latency .calc-chart svg", timeout=LIVE_TIMEOUT_MS)
    # Each result gets the full width under its label (two columns left the numbers ~65 px).
    value = page.locator("#calc-decode_latency .calc-results dd").first.bounding_box()
    assert value["width"] > 300
    # The chart fits the screen and its title is broken into lines, not clipped.
    chart = page.locator("#calc-decode_latency .calc-chart svg").bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 390
    title = page.locator("#calc-decode_latency .calc-chart svg .role-title-text text")
    assert title.count() >= 1
    for i in range(title.count()):
        box = title.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390


# ---------------------------------------------------------------- 4. offline after one visit

def test_offline_after_one_visit(browser: Browser, site: Path):
    from tests.conftest import static_server

    # Its own server, so the network can really go away: once it is shut, nothing answers on that port.
    server = static_server.serve(site)  # served as the site is hosted (precompressed twins)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    context = new_context(browser, service_workers="allow")
    page = context.new_page()
    try:
        page.goto(url)  # one visit, to the home page only
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed: everything precached
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=LIVE_TIMEOUT_MS)
    finally:
        server.shutdown()
        server.server_close()
    context.set_offline(True)
    # Three pages never visited, read from the cache (the maths typeset, the tables and figures there).
    for path, text in (("roofline/", "Operational intensity"), ("gpus/", "H100-SXM5-80GB"),
                       ("notebooks/latency/", "Decode latency")):
        page.goto(url + path)
        assert text in page.locator("article").inner_text(), path
    # A calculator: Python starts from the cached runtime and recomputes like CPython.
    open_live(page, url + "memory/")
    live = edit(page, "kv_cache", {"context_len": "4096"})
    assert live == widgets.call("kv_cache", form_values(page, "kv_cache"))["values"]
    context.close()
