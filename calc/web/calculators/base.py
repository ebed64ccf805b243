"""Shared pieces of the calculators: the Widget type, common inputs and row helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from ..forms import Field
from ...hardware import Accelerator, catalog, custom_accelerator, get_accelerator
from ...model.config import presets
from ...core.quantity import Quantity
from ..render import Row
from ...core.units import GB, TERA, convert
from ...core.validate import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class WidgetResult:
    """What a calculator shows: rows of numbers with their arithmetic, and an optional chart."""

    rows: tuple[Row, ...]
    chart: dict[str, Any] | None = None
    note: str = ""
    table: str = ""  # optional HTML from calc.web.render.render_table


@dataclass(frozen=True, slots=True, kw_only=True)
class Widget:
    """A calculator: its input schema and the function that computes its result."""

    name: str
    title: str
    fields: tuple[Field, ...]
    compute: Callable[..., WidgetResult]


GPU_NAMES = tuple(p.name for p in catalog())
CUSTOM = "custom"
MODEL_NAMES = tuple(m.name for m in presets())


def gpu_field(default: str) -> Field:
    return Field(name="gpu", label="GPU", kind="choice", default=default, choices=(*GPU_NAMES, CUSTOM),
                 help="A part from the catalog, or 'custom' to use the peak and bandwidth below.")


CUSTOM_PEAK = Field(name="peak_tflops", label="Custom peak", unit="TFLOP/s", default=312, minimum=0,
                    minimum_inclusive=False, help="Used when GPU is 'custom'.")
CUSTOM_BANDWIDTH = Field(name="bandwidth_gbps", label="Custom bandwidth", unit="GB/s", default=2039, minimum=0,
                         minimum_inclusive=False, help="Used when GPU is 'custom'.")


def hardware(gpu: str, peak_tflops: float, bandwidth_gbps: float, dtype: str = "fp16") -> Accelerator:
    if gpu == CUSTOM:
        return custom_accelerator(peak_flops=peak_tflops * TERA, bandwidth=bandwidth_gbps * GB, dtype=dtype)
    return get_accelerator(gpu)


def quantity_row(label: str, q: Quantity, fmt: str, *, unit: str | None = None, key: str, scale_to: str | None = None,
       strong: bool = False) -> Row:
    value = convert(q.value, to=scale_to) if scale_to else q.value
    return Row(label=label, value=format(value, fmt), unit=scale_to or (unit if unit is not None else q.unit),
               formula=q.formula, substituted=q.substituted, key=key, strong=strong)


def model_fills(values: Callable[[Any], dict[str, float | int]]) -> dict[str, dict[str, float | int]]:
    """For a model choice: what each preset fills into the other fields."""
    return {m.name: values(m) for m in presets()}


#: The model choice that means "use the pasted config.json".
PASTED = "pasted config.json"

CONFIG_FIELD = Field(
    name="config", label="config.json", kind="text", default="", placeholder='{"model_type": "llama", ...}',
    help="Paste a Hugging Face config.json (Llama, Mistral, Mixtral, Qwen2, Gemma2, GPT-2, OPT, GPT-NeoX, Falcon, "
         "DeepSeek-V2/V3) and pick 'pasted config.json' as the model. Read as data only.")


def model_argument(model: str, config: str) -> str | dict[str, Any]:
    """A preset name, or the pasted text parsed as JSON data (never evaluated)."""
    if model != PASTED:
        return model
    if not config.strip():
        raise InputError("config", "The config.json box is empty: paste a Hugging Face config.json, or pick a preset")
    try:
        parsed = json.loads(config)
    except json.JSONDecodeError as err:
        raise InputError("config", f"config.json is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:  # thousands of nested brackets: no config.json nests more than a few levels
        raise InputError("config", "config.json is nested too deeply to be a model's config; paste the real file") from None
    if not isinstance(parsed, dict):
        raise InputError("config", "config.json must be a JSON object ({...}), as Hugging Face writes it")
    return parsed
