"""The figures' words in another language: titles, axis labels, legends and notes, translated after drawing.

Every figure is drawn once, in English, by its function in ``figures.py`` / ``figures_bounds.py``; for
another language :func:`localize` then replaces each text of the finished figure from the site's catalog
(``calc.web.i18n``, whose templates keep the numbers exactly as drawn).  The figure code stays
single-language and both editions show the same numbers at the same places.

Chinese glyphs: no CJK font is installed with the project, so a translated figure keeps its text as SVG
``<text>`` (``svg.fonttype: none``) and the reader's browser draws it with its own fonts, as it does the
page's text; the English figures keep their glyph outlines.
"""

from __future__ import annotations

import re
import warnings
from contextlib import contextmanager
from typing import Iterator

import matplotlib
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter

from calc.web import i18n

_WORDS = re.compile(r"[a-z]{3}")  # a word, not a name (MI300X, LLaMA-13B) or a unit (ms)


def localize(fig: Figure, lang: str) -> list[str]:
    """Translate every text of ``fig`` into ``lang``; return the texts that have no entry (left in English)."""
    missing: list[str] = []
    if lang == "en":
        return missing

    def translate(original: str) -> str:
        if not original or not _WORDS.search(original) or original.startswith("$"):
            return original
        found = i18n.lookup(original, lang)
        if found is None:
            missing.append(original)
        return original if found is None else found

    for text in fig.findobj(Text):
        text.set_text(translate(text.get_text()))
    # Category tick labels are redrawn from their formatter at every draw: translate them there.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            formatter = axis.get_major_formatter()
            if isinstance(formatter, FixedFormatter):
                formatter.seq = [translate(label) for label in formatter.seq]
    return missing


@contextmanager
def text_as_text(lang: str) -> Iterator[None]:
    """For a translated figure: SVG text stays text, and the (harmless) missing-glyph warnings are muted."""
    if lang == "en":
        yield
        return
    with warnings.catch_warnings(), matplotlib.rc_context({"svg.fonttype": "none"}):
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield
