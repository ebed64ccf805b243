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

import json
import math
import re
from typing import Any, Mapping

from .calculators.anatomy import ANATOMY_WIDGET
from .calculators.base import GPU_NAMES, MODEL_NAMES, Widget, WidgetResult
from .calculators.decode_latency import DECODE_LATENCY
from .calculators.kv_cache import KV_CACHE
from .calculators.llm_arithmetic import LLM_ARITHMETIC
from .calculators.planner import PLANNER
from .calculators.roofline import ROOFLINE

from .forms import parse_inputs
from .render import render_rows
from ..core.validate import InputError, quote

__all__ = ["WIDGETS", "Widget", "WidgetResult", "call", "call_json", "get_widget", "GPU_NAMES", "MODEL_NAMES"]

WIDGETS: dict[str, Widget] = {
    w.name: w for w in (ROOFLINE, LLM_ARITHMETIC, DECODE_LATENCY, KV_CACHE, ANATOMY_WIDGET, PLANNER)
}


# ---------------------------------------------------------------- entry points

def get_widget(name: str) -> Widget:
    try:
        return WIDGETS[name]
    except KeyError:
        raise InputError("widget", f"widget={name!r} is unknown; known: {', '.join(WIDGETS)}") from None


def call(name: str, raw: Mapping[str, object] | None = None) -> dict[str, Any]:
    """Run widget ``name`` on raw form values; a JSON-able dict either way.

    >>> call("kv_cache")["ok"], call("kv_cache", {"context_len": "abc"})["field"]
    (True, 'context_len')
    """
    widget = get_widget(name)
    try:
        inputs = parse_inputs(widget.fields, raw or {})
        result = widget.compute(**inputs)
    except InputError as err:
        field = _form_field(widget, err.field)
        return {"ok": False, "field": field, "message": _labelled(widget, field, err)}
    except (ArithmeticError, ValueError, RecursionError) as err:  # e.g. an overflow from inputs each in range
        return {"ok": False, "field": "", "message": f"These inputs cannot be computed ({quote(str(err))}); "
                                                     "try values closer to real models and hardware"}
    out = {
        "ok": True,
        "inputs": inputs,
        "html": render_rows(result.rows, note=result.note) + result.table,
        "values": {row.key: row.value for row in result.rows if row.key},
        "chart": result.chart,
    }
    if not _finite(out):
        # JSON has no inf or NaN (the browser would fail to read the answer): refuse it as an input error.
        return {"ok": False, "field": "", "message": "These inputs give a result too large or too small to show; "
                                                     "try values closer to real models and hardware"}
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


def _labelled(widget: Widget, field: str, err: InputError) -> str:
    """The message with the form's label for calc's argument name: "Context length 2000000 is more ...",
    not "context_len=2000000 is more ..." (only when the two are the same input in the same unit)."""
    message = str(err)
    label = next((f.label for f in widget.fields if f.name == field), None)
    if label and err.field == field and message.startswith(f"{field}="):
        return f"{label} {message[len(field) + 1:]}"
    return message


def call_json(name: str, raw_json: str) -> str:
    """:func:`call` with JSON in and out: what the Web Worker uses (strict JSON: never inf or NaN)."""
    raw = json.loads(raw_json) if raw_json else {}
    if not isinstance(raw, dict):
        return json.dumps({"ok": False, "field": "", "message": "inputs must be a JSON object"})
    return json.dumps(call(name, raw), allow_nan=False)
