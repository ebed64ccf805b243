"""The calculators a page can embed, and the only functions the browser may call.

Each calculator (one module in :mod:`calc.web.calculators`) pairs an input
schema (a tuple of :class:`~calc.web.forms.Field`) with a compute function that
returns a :class:`~calc.web.calculators.base.WidgetResult` — rows of numbers
with their arithmetic and an optional Vega-Lite chart.  :func:`call` is the
single entry point used by both the docs build (to prerender defaults) and
the Web Worker (to recompute live): it parses the raw form values, runs the
calculator and returns a JSON-able dict; bad input comes back as
``{"ok": False, "field": ..., "message": ...}``.
"""

from __future__ import annotations

import importlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from . import i18n
from .forms import parse_inputs
from .render import render_rows
from ..core.validate import InputError, fail

if TYPE_CHECKING:
    from .calculators.base import Widget

__all__ = ["WIDGETS", "Widget", "WidgetResult", "call", "call_json", "get_widget", "GPU_NAMES", "MODEL_NAMES"]

#: Each calculator's module in calc.web.calculators and the Widget it defines, in the order pages list them.
_REGISTRY = {
    "roofline": ("roofline", "ROOFLINE"),
    "llm_arithmetic": ("llm_arithmetic", "LLM_ARITHMETIC"),
    "decode_latency": ("decode_latency", "DECODE_LATENCY"),
    "kv_cache": ("kv_cache", "KV_CACHE"),
    "anatomy": ("anatomy", "ANATOMY_WIDGET"),
    "planner": ("planner", "PLANNER"),
    "attention": ("attention", "ATTENTION"),
    "moe": ("moe", "MOE"),
    "quantization": ("quantization", "QUANTIZATION"),
    "batching": ("batching", "BATCHING"),
    "speculative": ("speculative", "SPECULATIVE"),
    "frontier": ("frontier", "FRONTIER"),
}


class _Widgets(Mapping[str, "Widget"]):
    """The calculators by name, each module imported when its calculator is first asked for.

    The browser's worker serves one page at a time: importing all twelve calculators (and the parts of calc
    they use) before the first answer cost ~0.1-0.2 s of a cold start that the page's own calculator does not need.
    """

    def __getitem__(self, name: str) -> Widget:
        module, attr = _REGISTRY[name]
        return getattr(importlib.import_module(f".calculators.{module}", __package__), attr)

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __contains__(self, name: object) -> bool:
        return name in _REGISTRY


WIDGETS: Mapping[str, Widget] = _Widgets()


def __getattr__(name: str) -> object:
    """The shared types and name lists of :mod:`calc.web.calculators.base`, imported on first use."""
    if name in ("GPU_NAMES", "MODEL_NAMES", "Widget", "WidgetResult"):
        from .calculators import base
        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- entry points

def get_widget(name: str) -> Widget:
    if not isinstance(name, str) or name not in WIDGETS:
        raise fail("widget", name, f"is not a calculator; known: {', '.join(WIDGETS)}")
    return WIDGETS[name]


def call(name: str, raw: Mapping[str, object] | None = None, *, lang: str = "en") -> dict[str, Any]:
    """Run widget ``name`` on raw form values; a JSON-able dict either way.

    ``lang`` is the page's language: labels, notes, chart titles and error messages come from its
    catalog (:mod:`calc.web.i18n`); numbers and ``values`` are the same in every language.

    >>> call("kv_cache")["ok"], call("kv_cache", {"context_len": "abc"})["field"]
    (True, 'context_len')
    >>> call("kv_cache", {"context_len": "abc"}, lang="zh")["message"]
    "「每个请求的上下文」的值 'abc' 不是数字"
    """
    widget = get_widget(name)
    i18n.check_language(lang)
    if raw is not None and not isinstance(raw, Mapping):
        raise fail("raw", raw, "is not a table of inputs; give {field name: value}")
    names = {f.name: i18n.t(f.label, lang) for f in widget.fields}
    try:
        inputs = parse_inputs(widget.fields, raw or {})
        result = widget.compute(**inputs)
    except InputError as err:
        return {"ok": False, "field": _form_field(widget, err.field), "message": i18n.t(str(err), lang, names=names, error=True)}
    except (ArithmeticError, ValueError, RecursionError):  # a safety net: the bounds keep every result finite
        message = "These inputs cannot be computed together; try smaller values"
        return {"ok": False, "field": "", "message": i18n.t(message, lang)}
    out = {
        "ok": True,
        "inputs": inputs,
        "html": i18n.html(render_rows(result.rows, note=result.note) + result.table, lang),
        "values": {row.key: row.value for row in result.rows if row.key},
        "chart": i18n.chart(result.chart, lang),
    }
    if not _finite(out):
        # JSON has no inf or NaN (the browser would fail to read the answer): refuse it as an input error.
        message = "These inputs give a result too large or too small to show; try values closer to real models and hardware"
        return {"ok": False, "field": "", "message": i18n.t(message, lang)}
    return out


def _finite(value: object) -> bool:
    """No inf or NaN anywhere in a JSON-able value (also inside formatted strings such as "inf ms")."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return not _NON_FINITE.search(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    return True


_NON_FINITE = re.compile(r"(?<![A-Za-z])(?:-?inf|nan)(?![A-Za-z])")


def _form_field(widget: Widget, field: str) -> str:
    """The form field an error belongs to: calc names ``params``, the form ``params_billion``."""
    names = [f.name for f in widget.fields]
    if field in names:
        return field
    return next((n for n in names if n.startswith(f"{field}_")), field)


def call_json(name: str, raw_json: str, lang: str = "en") -> str:
    """:func:`call` with JSON in and out: what the Web Worker uses (strict JSON: never inf or NaN;
    ``lang``: the page's language)."""
    not_object = json.dumps({"ok": False, "field": "", "message": i18n.t("inputs must be a JSON object", lang)})
    try:
        raw = json.loads(raw_json) if raw_json else {}
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return not_object
    if not isinstance(raw, dict):
        return not_object
    return json.dumps(call(name, raw, lang=lang), allow_nan=False)
