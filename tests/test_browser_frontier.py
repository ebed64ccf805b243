"""The frontier calculator on the Planner page in a real browser: its chart, a live edit, a shared link, bad input."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page

from calc.web import widgets
from tests.conftest import LIVE_TIMEOUT_MS, new_context
from tests.test_browser import CURRENT_RESULT, edit, form_values, open_live, shown_values

ROOT = "#calc-frontier"
#: Vega's SVG: one path per line (curve) and one per point mark, in groups named by mark type.
DRAWN = """sel => {
  const svg = document.querySelector(sel + ' .calc-chart svg');
  return svg ? [svg.querySelectorAll('.mark-line path').length, svg.querySelectorAll('.mark-symbol path').length]
             : null;
}"""


def _drawn(page: Page) -> list[int]:
    page.locator(f"{ROOT} .calc-chart").scroll_into_view_if_needed()  # charts are drawn when seen
    page.wait_for_function(f"({DRAWN})('{ROOT}') !== null", timeout=LIVE_TIMEOUT_MS)
    return page.evaluate(DRAWN, ROOT)


def test_frontier_chart_is_prerendered_and_drawn_with_the_measured_points(page: Page, site_url: str):
    open_live(page, site_url + "planner/")
    spec = json.loads(page.locator(f"{ROOT} .calc-chart").get_attribute("data-spec"))
    expected = widgets.call("frontier")["chart"]
    assert spec == expected  # the build-time chart is CPython's, number for number
    curves, measured = expected["layer"][0]["data"]["values"], expected["layer"][1]["data"]["values"]
    assert {c["gpu"] for c in curves} == {"H200-SXM-141GB", "B200", "MI300X"}
    assert {m["gpu"] for m in measured} == {"H200-SXM-141GB", "B200", "MI300X"}  # InferenceX, same GPUs and lengths
    lines, symbols = _drawn(page)
    series = {c["series"] for c in curves}
    assert lines == len(series)  # one line per GPU and mode
    assert symbols >= len(measured) + 1  # the measured diamonds and the ringed best point (and the curve points)


def test_frontier_live_edit_equals_cpython_and_the_link_restores_it(page: Page, site_url: str, browser: Browser):
    open_live(page, site_url + "planner/")
    live = edit(page, "frontier", {"gpus": "B200, H200-SXM-141GB", "min_interactivity": "30", "disaggregated": "off"})
    expected = widgets.call("frontier", form_values(page, "frontier"))
    assert expected["ok"] and live == expected["values"]
    shown = shown_values(page, "frontier")
    assert all(shown[k].startswith(v) for k, v in expected["values"].items())
    # Numbers and choices travel in the query, text fields (the GPU list) packed in the hash.
    page.wait_for_function("location.search.includes('frontier.min_interactivity=30') && "
                           "location.hash.includes('frontier.gpus=')", timeout=10_000)
    shared = page.url
    assert "frontier.disaggregated=off" in shared and "#calc:" in shared
    other = new_context(browser).new_page()
    other.goto(shared)
    other.wait_for_function(CURRENT_RESULT, arg=ROOT, timeout=LIVE_TIMEOUT_MS)
    assert other.locator(f"{ROOT} [name='gpus']").input_value() == "B200, H200-SXM-141GB"
    assert json.loads(other.evaluate(f"document.querySelector('{ROOT}').dataset.values")) == live
    lines, _ = _drawn(other)
    assert lines == len({c["series"] for c in expected["chart"]["layer"][0]["data"]["values"]})
    other.context.close()


def test_frontier_bad_input_is_inline_and_keeps_the_last_result(page: Page, site_url: str):
    open_live(page, site_url + "planner/")
    before = edit(page, "frontier", {"min_interactivity": "40"})
    shown = shown_values(page, "frontier")
    page.locator(f"{ROOT} [name='acceptance']").fill("1.5")
    error = f"{ROOT} .calc-field[data-field='acceptance'] .calc-error"
    page.wait_for_function(f"document.querySelector(\"{error}\").textContent.length > 0", timeout=LIVE_TIMEOUT_MS)
    assert "at most 1" in page.locator(error).inner_text()
    assert shown_values(page, "frontier") == shown and before["best"] in shown["best"]
    page.locator(f"{ROOT} [name='acceptance']").fill("0.7")
    page.locator(f"{ROOT} [name='min_interactivity']").fill("5000")
    error = f"{ROOT} .calc-field[data-field='min_interactivity'] .calc-error"
    page.wait_for_function(f"document.querySelector(\"{error}\").textContent.includes('no configuration')",
                           timeout=LIVE_TIMEOUT_MS)
    assert shown_values(page, "frontier") == shown


PLANNER = "#calc-planner"


def test_planner_link_with_a_request_rate_restores_the_plan(page: Page, site_url: str, browser: Browser):
    """The SLO planner sized by requests per second (Little's law) in the browser, and a shared link that gives the
    same plan on a fresh page."""
    open_live(page, site_url + "planner/")
    live = edit(page, "planner", {"load_kind": "requests per second", "load": "20", "hardware": "B200"})
    expected = widgets.call("planner", form_values(page, "planner"))
    assert expected["ok"] and live == expected["values"] and "in_flight" in live  # N = λ · W, shown
    page.wait_for_function("location.search.includes('planner.load=20') && "
                           "location.search.includes('planner.load_kind=')", timeout=10_000)
    shared = page.url
    other = new_context(browser).new_page()
    other.goto(shared)
    other.wait_for_function(CURRENT_RESULT, arg=PLANNER, timeout=LIVE_TIMEOUT_MS)
    assert other.locator(f"{PLANNER} [name='load_kind']").input_value() == "requests per second"
    assert json.loads(other.evaluate(f"document.querySelector('{PLANNER}').dataset.values")) == live
    other.context.close()


def test_planner_link_from_before_the_rename_still_gives_its_load(page: Page, site_url: str):
    """A link shared when the planner's load was ``planner.users`` (before requests/s came) fills today's "Load"
    (the field's ``formerly``); a name the calculator never had is left out with the page's note, not silently."""
    page.goto(site_url + "planner/?planner.users=500&planner.hardware=B200&planner.bogus=1")
    page.wait_for_function(CURRENT_RESULT, arg=PLANNER, timeout=LIVE_TIMEOUT_MS)
    assert page.locator(f"{PLANNER} [name='load']").input_value() == "500"
    live = json.loads(page.evaluate(f"document.querySelector('{PLANNER}').dataset.values"))
    assert live == widgets.call("planner", {"load": "500", "hardware": "B200"})["values"]
    assert "could not be read" in page.locator(f"{PLANNER} .calc-note-unreadable").inner_text()
