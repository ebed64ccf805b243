"""Formulas typeset at build time: KaTeX (the pinned npm package, under node) turns TeX into HTML.

The pages then show typeset maths with JavaScript off, and nothing shifts when scripts load: the
browser only needs KaTeX's CSS and fonts.  Two sources of TeX in the built HTML:

* pages written in Markdown: ``pymdownx.arithmatex`` (generic mode) wraps each formula in
  ``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``;
* notebook pages (mkdocs-jupyter): ``$...$`` and ``$$...$$`` left as text inside rendered Markdown cells.

A formula KaTeX cannot parse fails the build, naming the page and the formula.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDERER = ROOT / "scripts" / "katex_render.mjs"

ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])</(?P=tag)>', re.S)
# A rendered Markdown cell of a notebook: its text up to the closing </div> of the cell body.
NOTEBOOK_CELL = re.compile(r'(<div class="[^"]*jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)
DOLLARS = re.compile(r"\$\$(?P<display>[^$<]+?)\$\$|(?<![\\$])\$(?P<inline>[^$<\n]+?)\$(?!\$)")


class MathError(ValueError):
    """A formula KaTeX refused."""


_cache: dict[tuple[str, bool], str] = {}


def render_many(formulas: list[tuple[str, bool]]) -> list[str]:
    """HTML for each (tex, display) pair, one node process for all the new ones."""
    todo = sorted({f for f in formulas if f not in _cache})
    if todo:
        done = subprocess.run(["node", str(RENDERER)], input=json.dumps(todo), capture_output=True, text=True,
                              cwd=ROOT, check=True)
        for formula, out in zip(todo, json.loads(done.stdout)):
            if isinstance(out, dict):
                raise MathError(f"formula {formula[0]!r} cannot be typeset: {out['error']}")
            _cache[formula] = out
    return [_cache[f] for f in formulas]


def typeset(page_html: str, *, notebook: bool = False) -> str:
    """``page_html`` with every formula replaced by KaTeX's HTML (and MathML for screen readers)."""
    found: list[tuple[str, bool]] = []

    def collect(match: re.Match[str]) -> str:
        display = match.group("display") is not None
        found.append((html.unescape(match.group("display") if display else match.group("inline")).strip(), display))
        return f"\x00{len(found) - 1}\x00"

    text = ARITHMATEX.sub(collect, page_html)
    if notebook:
        text = NOTEBOOK_CELL.sub(lambda m: m.group(1) + DOLLARS.sub(collect, m.group(2)) + m.group(3), text)
    if not found:
        return page_html
    rendered = render_many(found)
    return re.sub("\x00(\\d+)\x00", lambda m: _wrap(rendered[int(m.group(1))], found[int(m.group(1))][1]), text)


def _wrap(katex_html: str, display: bool) -> str:
    # Display formulas may be wider than a phone: they scroll inside their own box.
    return f'<div class="arithmatex">{katex_html}</div>' if display else f'<span class="arithmatex">{katex_html}</span>'
