"""What a calculator says, in the reader's language: one catalog per language, used by the build and the browser.

The calculators are written in English (the library and the CLI stay English).  A page in another
language passes ``lang`` to :func:`calc.web.widgets.call`; the labels, help texts, choice names,
units, status lines, result labels, notes, chart titles and error messages are then looked up here.
The same module runs at build time (CPython, prerendered widgets) and in the browser (Pyodide), so
the two cannot disagree.  Numbers are formatted by calc before translation and never re-formatted:
both languages show the same digits.

A catalog maps an English string to its translation.  A key with ``{name}`` placeholders is a
template: ``"Ridge point of {gpu}"`` matches ``"Ridge point of H100-SXM5-80GB"`` and the captured
text is put into the translation.  The English template is the message's stable key: the library's
``InputError`` messages (``"batch='x' is not a number"``) are matched the same way, and the field
named in them is shown by its translated label.  A string with no entry is shown in English; a test
checks that every string a calculator can show has an entry.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from html import escape, unescape

#: Each language's catalog module (its dict is ``ZH``, ``XX``...: the language code in capitals).
_CATALOG_MODULES = {"zh": "locale_zh"}


class _Catalogs(Mapping[str, dict[str, str]]):
    """The catalogs by language, each imported when first needed: an English page in the browser never loads
    the Chinese one (a few thousand strings the worker would otherwise read before its first answer)."""

    def __getitem__(self, lang: str) -> dict[str, str]:
        module = importlib.import_module(f".{_CATALOG_MODULES[lang]}", __package__)
        return getattr(module, lang.upper())

    def __iter__(self) -> Iterator[str]:
        return iter(_CATALOG_MODULES)

    def __len__(self) -> int:
        return len(_CATALOG_MODULES)


CATALOGS: Mapping[str, dict[str, str]] = _Catalogs()
LANGUAGES = ("en", *CATALOGS)

#: The widget frame's own lines in English, by key; the browser script shows them in the page's language.
UI: dict[str, str] = {
    "status.prerendered": "Computed at build time; edit a value to recompute in your browser",
    "status.loading": "Loading Python in your browser (first visit only)…",
    "status.live": "Live: computed in your browser by calc",
    "status.computing": "Computing…",
    "status.failed": "Python could not start; the numbers shown were computed at build time",
    "status.broken": "These inputs could not be computed; the last result is kept",
    "status.restarting": "Python stopped on these inputs and was restarted; edit a value to try again",
    "Out of date: fix the highlighted input": "Out of date: fix the highlighted input",
    "Chart unavailable": "Chart unavailable",
    # Notes under the form (docs/javascripts/calc-widgets.js); {value} and {labels} are filled in by the script.
    "note.defaults": "Python could not start: the results below were computed when the site was built, for the "
                     "default inputs, not for the values entered above.",
    "note.notComputed": "Not computed (default: {value})",
    "note.notComputedEmpty": "Not computed (default: empty)",
    "note.tooLong": "{labels} too long to travel in a link; a shared link leaves it out.",
    "note.and": " and ",
    "note.unreadable": "Part of this link could not be read (it was cut short or changed); it was left out.",
    # Why a start or a call failed, shown after a status line; anything else the browser says stays as it is.
    "detail.timedOut": "timed out",
    "detail.restarted": "Python restarted",
    "detail.workerError": "the worker stopped",
    "detail.notReady": "Python is not ready",
}

#: The site's own lines outside calculators (docs/javascripts/site.js, the search dialog's name), by key.
SITE: dict[str, str] = {
    "region.table": "Table (scrolls sideways)",
    "region.scroll": "Scrolling region",
    "search.dialog": "Search",
}


def ui(lang: str, keys: dict[str, str] = UI) -> dict[str, str]:
    """The frame's lines (status, hints, notes) in ``lang``, for the browser script (``keys``: :data:`UI` or :data:`SITE`)."""
    return {key: (english if lang == "en" else CATALOGS[check_language(lang)].get(key, english))
            for key, english in keys.items()}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: What a placeholder may match: ``{n}`` a number as calc formats it, ``{value}`` a value as
#: ``calc.core.validate.quote`` shows it (no spaces unless quoted), ``{item}`` one item of a "; " list
#: (text without ";", so a list is translated item by item), anything else some text.
_NUMBER = r"[-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?"
_VALUE = (r"(?:'[^']*(?:'|…)|\"[^\"]*(?:\"|…)|a whole number of (?:over )?[\d,]+ digits|[^\s']\S*)"
          r"(?: \([\d,]+ characters\))?")


def _is_number(placeholder: str) -> bool:
    """``{n}``, ``{n1}``, ``{n2}`` … capture numbers; other names capture text."""
    return re.fullmatch(r"n\d*", placeholder) is not None


def _compile(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        name = match.group(1)
        pattern = _NUMBER if _is_number(name) else _VALUE if name == "value" else "[^;]+?" if name == "item" else ".+?"
        parts.append(f"(?P<{name}>{pattern})")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


#: The general shape of calc's input errors ("<Label>: <value> <problem>"): tried on error messages only,
#: since ordinary text such as "Modelling choices: ..." has the same shape.
ERROR_SHAPE = "{field}: {value} {problem}"


@lru_cache(maxsize=None)
def _templates(lang: str, errors: bool = False) -> tuple[tuple[re.Pattern[str], str], ...]:
    catalog = CATALOGS[lang]
    keys = [k for k in catalog if _PLACEHOLDER.search(k) and (errors or k != ERROR_SHAPE)]
    # Most fixed text first: a specific template wins over a general one that also matches
    # ("{label} is empty; enter a number" before "{field}: {value} {problem}").
    keys.sort(key=lambda k: -len(_PLACEHOLDER.sub("", k)))
    return tuple((_compile(k), catalog[k]) for k in keys)


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r} is not a site language; languages: {', '.join(LANGUAGES)}")
    return lang


def lookup(text: str, lang: str, *, names: dict[str, str] | None = None, error: bool = False) -> str | None:
    """The translation of ``text``, or None when the catalog has no entry for it (``error``: an InputError message)."""
    if lang == "en" or not text.strip():
        return text
    catalog = CATALOGS[check_language(lang)]
    stripped = text.strip()
    if stripped in catalog:
        return text.replace(stripped, catalog[stripped])
    for pattern, target in _templates(lang, error):
        match = pattern.fullmatch(stripped)
        if match:
            values = {k: _piece(k, v, lang, names, error) for k, v in match.groupdict().items()}
            return text.replace(stripped, target.format(**values))
    return None


def _piece(name: str, value: str, lang: str, names: dict[str, str] | None, error: bool = False) -> str:
    """A captured value: a field name becomes its label; a known word is translated; numbers stay.  Inside an
    error message a piece may itself be one ("Layers: 1e11 is too large" before "; give a whole number …")."""
    if name == "field" and names and value in names:
        return names[value]
    if _is_number(name) or name == "value":
        return value
    translated = lookup(value, lang, names=names, error=error)
    if translated is None and "; " in value:
        translated = _list(value.split("; "), lang)
    if translated is None and " + " in value:  # a sum of named terms ("attention (fused…) + q absorb (…)")
        terms = [lookup(term, lang) for term in value.split(" + ")]
        if any(terms):
            translated = " + ".join(term if found is None else found for term, found in zip(value.split(" + "), terms))
    return value if translated is None else translated


def _list(pieces: list[str], lang: str) -> str | None:
    """A "; "-separated list whose items may themselves contain "; ": the shortest items that have entries."""
    out, start = [], 0
    while start < len(pieces):
        for end in range(start + 1, len(pieces) + 1):
            found = lookup("; ".join(pieces[start:end]), lang)
            if found is not None:
                out.append(found)
                start = end
                break
        else:
            return None
    return "；".join(out)


def t(text: str, lang: str, *, names: dict[str, str] | None = None, error: bool = False) -> str:
    """``text`` in ``lang`` (English when the catalog lacks it)."""
    found = lookup(text, lang, names=names, error=error)
    if found is None and "; " in text:  # a list of entries (the planner's front, a note's clauses)
        found = _list(text.split("; "), lang)
    return text if found is None else found


_TEXT_NODE = re.compile(r">([^<>]+)<")


def html(markup: str, lang: str) -> str:
    """Translate every text node of calc-rendered HTML (labels, values with units, notes, table cells)."""
    if lang == "en":
        return markup

    def replace(match: re.Match[str]) -> str:
        raw = match.group(1)
        return f">{escape(t(unescape(raw), lang), quote=False)}<"

    return _TEXT_NODE.sub(replace, markup)


def chart(spec: object, lang: str) -> object:
    """A Vega-Lite spec with its titles and text labels translated (data values are left alone)."""
    if lang == "en" or spec is None:
        return spec
    if isinstance(spec, dict):
        return {k: (t(v, lang) if k in ("title", "label", "phase", "group", "scheme", "layout", "series", "mode", "datum") and isinstance(v, str)
                    else [t(s, lang) for s in v] if k == "sort" and isinstance(v, list) and all(isinstance(s, str) for s in v)
                    else chart(v, lang)) for k, v in spec.items()}
    if isinstance(spec, list):
        return [chart(v, lang) for v in spec]
    return spec
