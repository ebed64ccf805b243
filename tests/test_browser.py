"""The calculators in a real browser: Debian's Chromium driven by Playwright, against the built site.

Each test opens a page from a local server, waits for Python (Pyodide) to be live, edits inputs like a
reader would, and compares what the page shows with CPython's ``calc`` on the same raw inputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

from calc.web import widgets
from tests.conftest import LIVE_TIMEOUT_MS, new_context

PAGES = {"roofline": "roofline/", "llm_arithmetic": "llm-arithmetic/", "decode_latency": "latency/",
         "kv_cache": "memory/", "planner": "planner/"}


def open_live(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("document.documentElement.classList.contains('calc-ready') || "
                           "document.documentElement.classList.contains('calc-failed')", timeout=LIVE_TIMEOUT_MS)
    assert "calc-ready" in page.evaluate("document.documentElement.className"), "Python failed to start"


def form_values(page: Page, name: str) -> dict[str, str]:
    return page.evaluate(
        """name => Object.fromEntries([...document.querySelectorAll(`#calc-${name} .calc-form [name]`)]
                                  .map(el => [el.name, el.value]))""", name)


# True once the result on screen was computed from the inputs now in the form (not an earlier edit's).
CURRENT_RESULT = """sel => {
  const root = document.querySelector(sel);
  const now = Object.fromEntries([...root.querySelectorAll('.calc-form [name]')].map(el => [el.name, el.value]));
  return root.dataset.values && root.dataset.computed === JSON.stringify(now);
}"""


def edit(page: Page, name: str, changes: dict[str, str]) -> dict[str, str]:
    """Apply changes like a reader, wait for the recomputed result, return the values shown."""
    root = f"#calc-{name}"
    page.evaluate("sel => { delete document.querySelector(sel).dataset.values; }", root)
    for field, value in changes.items():
        control = page.locator(f"{root} [name='{field}']")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    page.wait_for_function(CURRENT_RESULT, arg=root, timeout=LIVE_TIMEOUT_MS)
    return json.loads(page.evaluate("sel => document.querySelector(sel).dataset.values", root))


def link_with(page: Page, *parts: str) -> str:
    """The page's URL once it carries ``parts``: the link follows the inputs when edits pause (calc-widgets.js
    writes it a moment after the result, off the path from an edit to its numbers)."""
    page.wait_for_function("parts => parts.every(part => location.href.includes(part))", arg=list(parts), timeout=10_000)
    return page.url


def shown_values(page: Page, name: str) -> dict[str, str]:
    return page.evaluate(
        """name => Object.fromEntries([...document.querySelectorAll(`#calc-${name} .calc-output .calc-value`)]
                                  .map(el => [el.dataset.key, el.textContent]))""", name)


EDITS = {
    "roofline": {"gpu": "H100-SXM5-80GB", "intensity": "500"},
    "llm_arithmetic": {"batch": "16", "prompt_len": "2048"},
    "decode_latency": {"batch": "48", "n_gpus": "4"},
    "kv_cache": {"context_len": "4096", "kv_dtype": "int8"},
    "planner": {"hardware": "A100-SXM4-80GB", "load": "2000", "tpot_ms": "40"},
}


@pytest.mark.parametrize("name", list(PAGES))
def test_live_numbers_equal_cpython(page: Page, site_url: str, name: str):
    open_live(page, site_url + PAGES[name])
    live = edit(page, name, EDITS[name])
    expected = widgets.call(name, form_values(page, name))
    assert expected["ok"]
    assert live == expected["values"]
    # What the reader sees is that same result, with its units.
    shown = shown_values(page, name)
    assert all(shown[key].startswith(value) for key, value in expected["values"].items())
    assert page.locator(f"#calc-{name} .calc-status").get_attribute("data-state") == "live"


def test_prerendered_numbers_without_javascript(browser: Browser, site_url: str):
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "memory/")
    text = page.locator("#calc-kv_cache .calc-output").inner_text()
    assert "148.32" in text and "115.70" in text
    context.close()


def test_url_round_trip(page: Page, site_url: str, browser: Browser):
    open_live(page, site_url + "latency/")
    live = edit(page, "decode_latency", {"batch": "320", "gpu": "A100-SXM4-80GB"})
    shared = link_with(page, "decode_latency.batch=320")
    assert "decode_latency.batch=320" in shared and "decode_latency.gpu=A100-SXM4-80GB" in shared
    other = new_context(browser).new_page()
    other.goto(shared)
    other.wait_for_function("document.querySelector('#calc-decode_latency').dataset.values",
                            timeout=LIVE_TIMEOUT_MS)
    assert other.locator("#calc-decode_latency [name='batch']").input_value() == "320"
    assert json.loads(other.evaluate("document.querySelector('#calc-decode_latency').dataset.values")) == live
    other.context.close()


def test_bad_input_inline_message_keeps_last_result(page: Page, site_url: str):
    open_live(page, site_url + "memory/")
    good = edit(page, "kv_cache", {"context_len": "4096"})
    before = shown_values(page, "kv_cache")
    # Two million tokens of context: a valid number, but its KV cache cannot fit in the node.
    page.locator("#calc-kv_cache [name='context_len']").fill("2000000")
    error = page.locator("#calc-kv_cache .calc-field[data-field='context_len'] .calc-error")
    page.wait_for_function("document.querySelector('#calc-kv_cache [data-field=context_len] .calc-error')"
                           ".textContent.length > 0", timeout=LIVE_TIMEOUT_MS)
    assert "shorten the context" in error.inner_text()
    assert "calc-stale" in page.locator("#calc-kv_cache .calc-output").get_attribute("class")
    assert shown_values(page, "kv_cache") == before  # last good result still visible
    assert good["batch"] in before["batch"]
    page.locator("#calc-kv_cache [name='context_len']").fill("99999999")
    page.wait_for_function("document.querySelector('#calc-kv_cache [data-field=context_len] .calc-error')"
                           ".textContent.includes('must be at most 10,000,000 tokens')", timeout=LIVE_TIMEOUT_MS)
    page.locator("#calc-kv_cache [name='context_len']").fill("abc")
    page.wait_for_function("document.querySelector('#calc-kv_cache [data-field=context_len] .calc-error')"
                           ".textContent.includes('is not a number')", timeout=LIVE_TIMEOUT_MS)
    # Fixing the input clears the message and the stale mark.
    fixed = edit(page, "kv_cache", {"context_len": "2048"})
    assert error.inner_text() == "" and "calc-stale" not in page.locator("#calc-kv_cache .calc-output").get_attribute("class")
    assert fixed == widgets.call("kv_cache", form_values(page, "kv_cache"))["values"]


def test_decode_refuses_a_batch_that_does_not_fit(page: Page, site_url: str):
    open_live(page, site_url + "latency/")
    root = "#calc-decode_latency"
    assert page.locator(f"{root} [name='context_len']").input_value() == "2048"  # the context is an input
    good = edit(page, "decode_latency", {"batch": "128"})
    before = shown_values(page, "decode_latency")
    # At 2,048 tokens 8 × 32 GiB hold (256 GiB − 26.03 GB) / 1.68 GB = 148.3 sequences: 256 does not fit.
    page.locator(f"{root} [name='batch']").fill("256")
    error = page.locator(f"{root} .calc-field[data-field='batch'] .calc-error")
    page.wait_for_function(f"document.querySelector(\"{root} [data-field=batch] .calc-error\").textContent.length > 0",
                           timeout=LIVE_TIMEOUT_MS)
    assert "does not fit" in error.inner_text() and "at most 148 sequences" in error.inner_text()
    assert "calc-stale" in page.locator(f"{root} .calc-output").get_attribute("class")
    assert shown_values(page, "decode_latency") == before and good["limit"] == "148.3"
    # A shorter context makes room: at 512 tokens 256 sequences fit (limit 593).
    live = edit(page, "decode_latency", {"context_len": "512"})
    assert error.inner_text() == "" and live["limit"] == "593.3"
    assert live == widgets.call("decode_latency", form_values(page, "decode_latency"))["values"]


def test_preset_fills_sizes(page: Page, site_url: str):
    open_live(page, site_url + "memory/")
    live = edit(page, "kv_cache", {"model": "LLaMA-65B"})
    assert page.locator("#calc-kv_cache [name='n_layers']").input_value() == "80"
    assert live["batch"] == "26.88" and live["source_batch"] == "26.88"


def test_reset_restores_defaults(page: Page, site_url: str):
    open_live(page, site_url + "roofline/")
    prerendered = shown_values(page, "roofline")
    edit(page, "roofline", {"intensity": "5"})
    page.locator("#calc-roofline .calc-reset").click()
    assert page.locator("#calc-roofline [name='intensity']").input_value() == "100"
    assert "roofline." not in page.url
    assert shown_values(page, "roofline") == prerendered


def test_instant_navigation_keeps_one_worker(page: Page, site_url: str):
    open_live(page, site_url + "roofline/")
    page.evaluate("window.calcRuntime.worker.marker = 'first'; window.notReloaded = true")
    page.locator("nav.md-nav--primary a[href$='latency/']").first.click()
    page.wait_for_selector("#calc-decode_latency")
    assert page.evaluate("window.notReloaded === true"), "instant navigation did a full page load"
    assert page.evaluate("window.calcRuntime.worker.marker") == "first"
    live = edit(page, "decode_latency", {"batch": "64"})
    assert live == widgets.call("decode_latency", form_values(page, "decode_latency"))["values"]
    page.wait_for_selector("#calc-decode_latency .calc-chart svg", timeout=LIVE_TIMEOUT_MS)  # drawn once edits pause
    assert page.locator("#calc-decode_latency .calc-chart svg").count() == 1


@pytest.mark.parametrize("path", ["snapshot", "plain"])
def test_each_start_path_goes_live(page: Page, site_url: str, path: str):
    open_live(page, site_url + f"roofline/?calc-start={path}")
    assert page.evaluate("window.calcStartupHow") == {"snapshot": "snapshot", "plain": "plain start"}[path]
    live = edit(page, "roofline", {"intensity": "42"})
    assert live == widgets.call("roofline", form_values(page, "roofline"))["values"]


def test_worker_uses_the_wasm_the_page_compiled(page: Page, site_url: str, served: list[str]):
    # The page's <head> downloads and compiles Pyodide's WebAssembly and hands the module to the worker.
    open_live(page, site_url + "roofline/?calc-start=plain")
    assert "page module" in page.evaluate("window.calcStartupMarks")
    assert served.count("/vendor/pyodide/pyodide.asm.wasm") == 1, served
    live = edit(page, "roofline", {"intensity": "42"})
    assert live == widgets.call("roofline", form_values(page, "roofline"))["values"]


def test_worker_compiles_the_wasm_itself_when_the_page_cannot(page: Page, site_url: str, served: list[str]):
    page.add_init_script("delete WebAssembly.compileStreaming")  # a browser without it: the worker fetches the wasm
    open_live(page, site_url + "roofline/?calc-start=plain")
    assert "page module" not in page.evaluate("window.calcStartupMarks")
    assert served.count("/vendor/pyodide/pyodide.asm.wasm") == 1, served
    live = edit(page, "roofline", {"intensity": "42"})
    assert live == widgets.call("roofline", form_values(page, "roofline"))["values"]


def test_policy_picks_a_path_and_goes_live(page: Page, site_url: str):
    open_live(page, site_url + "roofline/")
    assert page.evaluate("window.calcStartupHow") in ("snapshot", "plain start")
    assert "Mbit/s" in page.evaluate("window.calcStartupWhy")  # decided from the measured download rate
    live = edit(page, "roofline", {"intensity": "7"})
    assert live == widgets.call("roofline", form_values(page, "roofline"))["values"]


def test_policy_skips_the_snapshot_on_a_slow_connection(page: Page, site_url: str, served: list[str]):
    # At 10 Mbit/s the ~4 MB snapshot takes ~3 s to arrive; the start-up it saves is a fraction of that.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 40, "downloadThroughput": 10e6 / 8,
                                                   "uploadThroughput": 10e6 / 8})
    open_live(page, site_url + "memory/")
    assert page.evaluate("window.calcStartupHow") == "plain start", page.evaluate("window.calcStartupWhy")
    assert not [p for p in served if ".snapshot" in p]  # and never downloaded it (a cache probe stays local)


def test_falls_back_to_plain_start_without_snapshot(page: Page, site_url: str):
    # A server that lost the snapshot (or a browser that cannot load it) still gets live numbers.
    page.route("**/*.snapshot*", lambda route: route.fulfill(status=404, body="gone"))
    open_live(page, site_url + "roofline/?calc-start=snapshot")
    assert page.evaluate("window.calcStartupHow") == "plain start"
    live = edit(page, "roofline", {"intensity": "42"})
    assert live == widgets.call("roofline", form_values(page, "roofline"))["values"]


def test_chart_library_loads_only_when_a_chart_is_seen(page: Page, site_url: str):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 1400, "height": 700})
    open_live(page, site_url + "memory/")  # the calculator is far below the first screen
    page.wait_for_timeout(500)
    assert not [u for u in requested if "/vendor/vega/" in u]
    page.locator("#calc-kv_cache .calc-chart").scroll_into_view_if_needed()
    page.wait_for_selector("#calc-kv_cache .calc-chart svg", timeout=LIVE_TIMEOUT_MS)
    assert [u for u in requested if u.endswith("/vendor/vega/vega.min.js")]


def test_page_preloads_the_runtime_the_worker_uses(page: Page, site_url: str, served: list[str]):
    open_live(page, site_url + "memory/?calc-start=plain")
    hint = page.locator("link[rel=preload][as=fetch]").get_attribute("href")
    manifest = page.evaluate("fetch('../vendor/calc-manifest.json').then(r => r.json())")
    assert hint.endswith("/vendor/" + manifest["runtime"])
    # One download serves both the hint and the worker (the name is immutable, so the cache answers).
    assert served.count("/vendor/" + manifest["runtime"]) == 1, served


def test_second_page_downloads_nothing_again(page: Page, site_url: str, served: list[str]):
    open_live(page, site_url + "memory/")
    served.clear()
    page.locator("nav.md-nav--primary a[href$='latency/']").first.click()
    page.wait_for_selector("#calc-decode_latency .calc-status[data-state='live']", timeout=LIVE_TIMEOUT_MS)
    edit(page, "decode_latency", {"batch": "8"})
    assert "/latency/" in served
    # Python and calc stay in the worker: none of the runtime's files is asked for again.
    assert not [p for p in served if p.startswith(("/vendor/pyodide/", "/vendor/wheels/", "/vendor/calc-manifest"))], served


def test_pasted_config_is_data_not_markup(page: Page, site_url: str):
    open_live(page, site_url + "anatomy/")
    # A config whose text looks like markup: the message must show it as text, never run it.
    page.locator("#calc-anatomy [name='model']").select_option("pasted config.json")
    page.locator("#calc-anatomy [name='config']").fill('{"model_type": "<img src=x onerror=window.pwned=1>"}')
    error = page.locator("#calc-anatomy .calc-field[data-field='config'] .calc-error")
    page.wait_for_function("document.querySelector('#calc-anatomy [data-field=config] .calc-error')"
                           ".textContent.includes('supported family')", timeout=LIVE_TIMEOUT_MS)
    assert "<img src=x" in error.inner_text() and "is not a supported family" in error.inner_text()
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("#calc-anatomy img").count() == 0
    # A real config computes the same numbers as CPython; it travels packed in the hash, not the query.
    from calc.model.config import hf_config_of

    live = edit(page, "anatomy", {"config": json.dumps(hf_config_of("Qwen2.5-7B"))})
    assert live == widgets.call("anatomy", form_values(page, "anatomy"))["values"]
    query, _, hash_ = link_with(page, "#calc:anatomy.config=").partition("#")
    assert "anatomy.config" not in query and "anatomy.model=pasted" in query and hash_.startswith("calc:anatomy.config=")
    assert page.locator("#calc-anatomy table.calc-table tbody tr").count() >= 10


def test_config_file_upload_fills_the_box(page: Page, site_url: str, tmp_path):
    from calc.model.config import hf_config_of

    config = tmp_path / "config.json"
    config.write_text(json.dumps(hf_config_of("Mistral-7B")), encoding="utf-8")
    open_live(page, site_url + "anatomy/")
    page.locator("#calc-anatomy [name='model']").select_option("pasted config.json")
    page.locator("#calc-anatomy input[type=file][data-for=config]").set_input_files(str(config))
    page.wait_for_function(CURRENT_RESULT, arg="#calc-anatomy", timeout=LIVE_TIMEOUT_MS)
    assert page.locator("#calc-anatomy [name='config']").input_value() == config.read_text(encoding="utf-8")
    live = json.loads(page.evaluate("document.querySelector('#calc-anatomy').dataset.values"))
    assert live == widgets.call("anatomy", {"model": "Mistral-7B"})["values"] | {"model": "custom"}


def test_shared_link_with_only_a_preset_uses_its_sizes(page: Page, site_url: str):
    page.goto(site_url + "memory/?kv_cache.model=LLaMA-65B")
    page.wait_for_function(CURRENT_RESULT, arg="#calc-kv_cache", timeout=LIVE_TIMEOUT_MS)
    assert page.locator("#calc-kv_cache [name='n_layers']").input_value() == "80"
    live = json.loads(page.evaluate("document.querySelector('#calc-kv_cache').dataset.values"))
    assert live["batch"] == "26.88" == widgets.call("kv_cache", {"model": "LLaMA-65B"})["values"]["batch"]


def test_huge_number_is_an_inline_error_not_a_crash(page: Page, site_url: str):
    open_live(page, site_url + "llm-arithmetic/")
    page.locator("#calc-llm_arithmetic [name='hidden']").fill("1e308")
    page.wait_for_function("document.querySelector('#calc-llm_arithmetic [data-field=hidden] .calc-error')"
                           ".textContent.includes('must be at most 1,000,000')", timeout=LIVE_TIMEOUT_MS)
    assert page.locator("#calc-llm_arithmetic .calc-status").get_attribute("data-state") == "live"
    assert "calc-stale" in page.locator("#calc-llm_arithmetic .calc-output").get_attribute("class")


def test_figures_fill_the_column(browser: Browser, site_url: str):
    # At a 1280-px laptop window every figure spans the text column (it rendered at ~480 px before). The
    # label-size test (tests/test_figures.py) assumes that column is about CONTENT_WIDTH_PX wide: check it.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from figure_style import CONTENT_WIDTH_PX

    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + "latency/")
    sizes = page.evaluate("""() => [...document.querySelectorAll('article svg.calc-figure')].map(svg => ({
        width: svg.getBoundingClientRect().width,
        column: svg.closest('article').getBoundingClientRect().width}))""")
    context.close()
    assert len(sizes) == 4
    for s in sizes:
        assert s["width"] >= 0.95 * s["column"], s
        assert abs(s["width"] - CONTENT_WIDTH_PX) <= 0.05 * CONTENT_WIDTH_PX, s


# ------------------------------------------------------------------ "Serving LLMs today" calculators
# One page load per calculator checks live = CPython, the URL round trip and an inline bad-input message.

#: calculator -> (page, a reader's edits, a bad (field, value) and the text its message must contain)
SERVING_CASES = {
    "attention": ("attention/", {"model": "DeepSeek-V3", "mla_form": "expanded", "seq_len": "8192"},
                  ("n_kv_heads", "1", "leave K/V heads at 0")),
    "moe": ("moe/", {"batch": "256", "gpu": "B200"}, ("gpus", "300", "must be at most 256")),
    "quantization": ("quantization/", {"scheme": "fp8 weights and activations", "tokens": "4096"},
                     ("group_size", "100", "does not divide the input width 8,192")),
    "batching": ("batching/", {"concurrency": "256", "chunk": "1024"}, ("tp", "1", "is too few GPUs")),
    "speculative": ("speculative/", {"batch": "64", "acceptance": "0.9"}, ("acceptance", "1.5", "must be at most 1")),
}


@pytest.mark.parametrize("name", list(SERVING_CASES))
def test_serving_calculator_live_url_and_bad_input(page: Page, browser: Browser, site_url: str, name: str):
    path, edits, (field, bad, text) = SERVING_CASES[name]
    open_live(page, site_url + path)
    live = edit(page, name, edits)
    expected = widgets.call(name, form_values(page, name))
    assert expected["ok"] and live == expected["values"]
    shown = shown_values(page, name)
    assert all(shown[key].startswith(value) for key, value in expected["values"].items())

    # The edited inputs are in the URL; a fresh browser opening it shows the same numbers.
    shared = link_with(page, *(f"{name}.{key}=" for key in edits))
    query = parse_qs(urlparse(shared).query)
    for key, value in edits.items():
        assert query[f"{name}.{key}"] == [value]
    other = new_context(browser).new_page()
    other.goto(shared)
    other.wait_for_function(f"document.querySelector('#calc-{name}').dataset.values", timeout=LIVE_TIMEOUT_MS)
    assert json.loads(other.evaluate(f"document.querySelector('#calc-{name}').dataset.values")) == live
    other.context.close()

    # A bad value: an inline message by its field, the last good result kept and marked stale.
    control = page.locator(f"#calc-{name} [name='{field}']")
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(bad)
    else:
        control.fill(bad)
    page.wait_for_function(
        "([n, f, t]) => document.querySelector(`#calc-${n} [data-field=${f}] .calc-error`).textContent.includes(t)",
        arg=[name, field, text], timeout=LIVE_TIMEOUT_MS)
    assert "calc-stale" in page.locator(f"#calc-{name} .calc-output").get_attribute("class")
    assert shown_values(page, name) == shown
