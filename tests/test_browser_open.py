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
