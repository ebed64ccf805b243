"""The "Serving LLMs today" calculators in a real browser: live = CPython, the URL round-trips, bad input is inline.

One page load per calculator does all three, to keep the browser tier short.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

from calc.web import widgets

from .test_browser import LIVE_TIMEOUT_MS, browser, edit, form_values, open_live, page, shown_values  # noqa: F401

#: calculator -> (page, a reader's edits, a bad (field, value) and the text its message must contain)
CASES = {
    "attention": ("attention/", {"model": "DeepSeek-V3", "mla_form": "expanded", "seq_len": "8192"},
                  ("n_kv_heads", "1", "leave K/V heads at 0")),
    "moe": ("moe/", {"batch": "256", "gpu": "B200"}, ("gpus", "300", "must be at most 256")),
    "quantization": ("quantization/", {"scheme": "fp8 weights and activations", "tokens": "4096"},
                     ("group_size", "100", "does not divide d_in=8192")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_live_equals_cpython_url_round_trips_bad_input_inline(page: Page, browser: Browser, site_url: str,  # noqa: F811
                                                             name: str):
    path, edits, (field, bad, text) = CASES[name]
    open_live(page, site_url + path)
    live = edit(page, name, edits)
    expected = widgets.call(name, form_values(page, name))
    assert expected["ok"] and live == expected["values"]
    shown = shown_values(page, name)
    assert all(shown[key].startswith(value) for key, value in expected["values"].items())

    # The edited inputs are in the URL; a fresh browser opening it shows the same numbers.
    shared = page.url
    query = parse_qs(urlparse(shared).query)
    for key, value in edits.items():
        assert query[f"{name}.{key}"] == [value]
    other = browser.new_context().new_page()
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
