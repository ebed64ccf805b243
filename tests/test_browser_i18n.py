"""The Chinese edition in a real browser: a live calculator in Chinese, and the language switcher.

Same set-up as tests/test_browser.py (Debian's Chromium, the built site on a local server).
"""

from __future__ import annotations

import json
import random
import re
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page

from calc.web import i18n, widgets
from tests.conftest import LIVE_TIMEOUT_MS, page_without_python
from tests.test_browser import edit, form_values, open_live, shown_values

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_calculator_live_with_inline_error(page: Page, site_url: str):
    open_live(page, site_url + "zh/roofline/")
    root = "#calc-roofline"
    assert page.locator(f"{root} label[for='calc-roofline-dtype']").inner_text() == "数据类型"
    live = edit(page, "roofline", {"gpu": "H100-SXM5-80GB", "kernel": "linear layer", "batch": "64"})
    expected = widgets.call("roofline", form_values(page, "roofline"), lang="zh")
    assert live == expected["values"] == widgets.call("roofline", form_values(page, "roofline"))["values"]
    assert page.locator(f"{root} .calc-output dt").first.inner_text() == "拐点"
    assert page.locator(f"{root} .calc-value[data-key='bound']").inner_text() == "内存带宽受限"
    status = page.locator(f"{root} .calc-status")
    # The status line settles after the numbers (a slow answer shows "computing" first): wait for it.
    page.wait_for_function("sel => document.querySelector(sel).dataset.state === 'live'", arg=f"{root} .calc-status",
                           timeout=LIVE_TIMEOUT_MS)
    assert CJK.search(status.inner_text())
    # A bad value: the message by the field is Chinese, the last result stays, marked out of date.
    before = shown_values(page, "roofline")
    page.locator(f"{root} [name='batch']").fill("abc")
    page.wait_for_function("document.querySelector('#calc-roofline [data-field=batch] .calc-error')"
                           ".textContent.length > 0", timeout=LIVE_TIMEOUT_MS)
    error = page.locator(f"{root} .calc-field[data-field='batch'] .calc-error").inner_text()
    assert error == "「批量 B」的值 'abc' 不是数字", error
    assert shown_values(page, "roofline") == before
    assert "calc-stale" in page.locator(f"{root} .calc-output").get_attribute("class")


def test_chinese_notices_when_python_cannot_start(browser: Browser, site_url: str):
    """The page's own notices come from the catalog too: Python blocked, an unreadable link, a text too long."""
    from tests.test_i18n import english_words

    page = page_without_python(browser)
    # A number from the link, and a packed text that cannot be unpacked (not base64).
    page.goto(site_url + "zh/memory/?kv_cache.context_len=4096#calc:kv_cache.model=***")
    page.wait_for_function("document.querySelector('#calc-kv_cache .calc-output.calc-defaults')", timeout=LIVE_TIMEOUT_MS)
    root = page.locator("#calc-kv_cache")
    zh = i18n.ui("zh")
    assert root.locator(".calc-note-defaults").inner_text() == zh["note.defaults"]
    assert root.locator(".calc-note-unreadable").inner_text() == zh["note.unreadable"]
    assert root.locator("[data-field=context_len] .calc-error").inner_text() == "未计算（默认值：2048）"
    status = root.locator(".calc-status")
    assert status.get_attribute("data-state") == "failed"
    # The status line is the catalog's; the browser's own reason (English) is kept in its tooltip only.
    assert status.inner_text() == zh["status.failed"] and status.get_attribute("title")
    # A pasted text too long for a link: said in Chinese, with the field's Chinese label.
    page.goto(site_url + "zh/anatomy/")
    page.wait_for_function("document.documentElement.classList.contains('calc-failed')", timeout=LIVE_TIMEOUT_MS)
    noise = "".join(random.Random(13).choices("abcdefghijklmnopqrstuvwxyz0123456789", k=60_000))
    page.locator("#calc-anatomy [name='model']").select_option("pasted config.json")
    page.locator("#calc-anatomy [name='config']").fill(noise)
    page.wait_for_selector("#calc-anatomy .calc-note-link", timeout=LIVE_TIMEOUT_MS)
    note = page.locator("#calc-anatomy .calc-note-link").inner_text()
    assert note == zh["note.tooLong"].replace("{labels}", "config.json"), note
    for text in page.locator("#calc-anatomy .calc-form-note, #calc-anatomy .calc-status, #calc-anatomy .calc-error").all_inner_texts():
        assert not english_words(text), text
    # The site script's words: a wide table's scroll box is named in Chinese.
    page.goto(site_url + "zh/gpus/")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")
    labels = page.evaluate("[...document.querySelectorAll('[data-scroll-region]')].map(b => b.getAttribute('aria-label'))")
    assert labels and not any(english_words(label) for label in labels), labels
    assert page.locator("[data-md-component=search][role=dialog]").get_attribute("aria-label") == "搜索"
    page.context.close()


def test_english_calculator_stays_english(page: Page, site_url: str):
    open_live(page, site_url + "roofline/")
    page.locator("#calc-roofline [name='intensity']").fill("abc")
    page.wait_for_function("document.querySelector('#calc-roofline [data-field=intensity] .calc-error')"
                           ".textContent.length > 0", timeout=LIVE_TIMEOUT_MS)
    error = page.locator("#calc-roofline .calc-field[data-field='intensity'] .calc-error").inner_text()
    assert error == "Operational intensity: 'abc' is not a number"
    assert not CJK.search(page.locator("#calc-roofline").inner_text())


def switch_language(page: Page, lang: str) -> None:
    page.locator(".md-header .md-select").first.hover()
    with page.expect_navigation():
        page.locator(f"a.md-select__link[hreflang='{lang}']").first.click()


def test_switcher_keeps_the_page_and_the_calculator_state(page: Page, site_url: str):
    open_live(page, site_url + "memory/")
    live = edit(page, "kv_cache", {"context_len": "4096", "kv_dtype": "int8"})
    page.evaluate("location.hash = 'nodes-for-n-users'")
    switch_language(page, "zh")
    url = urlparse(page.url)
    assert url.path == "/zh/memory/", page.url
    assert "kv_cache.context_len=4096" in url.query and "kv_cache.kv_dtype=int8" in url.query
    assert url.fragment == "nodes-for-n-users"
    assert page.evaluate("document.documentElement.lang") == "zh"
    page.wait_for_load_state("load")
    page.wait_for_function("document.querySelector('#calc-kv_cache')?.dataset.values", timeout=LIVE_TIMEOUT_MS)
    assert page.locator("#calc-kv_cache [name='context_len']").input_value() == "4096"
    assert json.loads(page.evaluate("document.querySelector('#calc-kv_cache').dataset.values")) == live
    # And back, from a page reached by instant navigation (the header's links were drawn for another page).
    page.locator("nav.md-nav--primary a[href$='latency/']").first.click()
    page.wait_for_selector("#calc-decode_latency")
    assert urlparse(page.url).path == "/zh/latency/"
    switch_language(page, "en")
    assert urlparse(page.url).path == "/latency/"
    assert page.evaluate("document.documentElement.lang") == "en"


def test_chinese_figures_and_interface(browser: Browser, site_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + "zh/roofline/")
    titles = page.evaluate("[...document.querySelectorAll('article svg.calc-figure')].map(s => s.textContent)")
    assert titles and all("拐点" in t or "屋顶" in t or "Roofline" in t for t in titles)
    assert all(CJK.search(t) for t in titles)
    # Material's own interface is Chinese: the search box's placeholder.
    assert page.locator("input.md-search__input").get_attribute("placeholder") == "搜索"
    context.close()


def test_chinese_chart_titles_fit_a_phone(browser: Browser, site_url: str):
    """Chinese has no spaces to break a title at, and its characters are twice as wide: titles still fit."""
    page = page_without_python(browser, viewport={"width": 390, "height": 844})  # build-time charts are drawn all the same
    for path, name in (("zh/planner/", "planner"), ("zh/latency/", "decode_latency")):
        page.goto(site_url + path)
        page.locator(f"#calc-{name} .calc-chart").scroll_into_view_if_needed()  # charts are drawn when seen
        page.wait_for_selector(f"#calc-{name} .calc-chart svg", timeout=LIVE_TIMEOUT_MS)
        title = page.locator(f"#calc-{name} .calc-chart svg .role-title-text text")
        assert title.count() >= 1 and CJK.search(" ".join(title.all_text_contents()))
        for i in range(title.count()):
            box = title.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, title.nth(i).text_content(), box)
    page.context.close()
