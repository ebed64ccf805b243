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
from ...core.validate import InputError, label


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


def model_field(default: str, *, choices: tuple[str, ...] = MODEL_NAMES, help: str = "", **extra: Any) -> Field:
    """The model choice (``extra``: e.g. the sizes a preset ``fills``)."""
    return Field(name="model", label="Model", kind="choice", default=default, choices=choices, help=help, **extra)


def catalog_gpu_field(default: str, *, choices: tuple[str, ...] = GPU_NAMES, help: str = "", **extra: Any) -> Field:
    """The GPU choice, from the catalog unless ``choices`` says otherwise."""
    return Field(name="gpu", label="GPU", kind="choice", default=default, choices=choices, help=help, **extra)


#: Help of a GPU choice that fills the memory field.
MEMORY_FILL_HELP = "A catalog part fills its memory (datasheet GB read as GiB, the physical size)."


def tokens_field(name: str, label: str, default: int, *, minimum: int = 1, maximum: int = 1_000_000,
                 help: str = "") -> Field:
    """A length in tokens (prompt, output, context): a whole number."""
    return Field(name=name, label=label, unit="tokens", kind="integer", default=default, minimum=minimum,
                 maximum=maximum, step="1", help=help)


def batch_field(default: int) -> Field:
    """Sequences decoded together in one step."""
    return Field(name="batch", label="Batch", unit="sequences", kind="integer", default=default, minimum=1,
                 maximum=100_000, step="1")


def context_field(default: int) -> Field:
    return tokens_field("context_len", "Context per sequence", default)


def dtype_field(name: str, label: str, default: str, *, choices: tuple[str, ...] = ("bf16", "fp8"),
                help: str = "") -> Field:
    """A number format (weights, activations, KV cache, or one for all of them)."""
    return Field(name=name, label=label, kind="choice", default=default, choices=choices, help=help)


def deployment_fields(*, model: str = "Llama-3-70B", gpu: str = "H100-SXM5-80GB", tp: int = 4) -> tuple[Field, ...]:
    """The serving chapters' deployment: model, GPU, tensor-parallel GPUs and one number format for weights,
    activations and KV cache (calc's ``activations`` and ``kv`` arguments map to the ``weights`` field)."""
    return (model_field(model), catalog_gpu_field(gpu),
            Field(name="tp", label="GPUs (tensor parallel)", kind="integer", default=tp, minimum=1, maximum=64,
                  step="1"),
            dtype_field("weights", "Weights, activations and KV cache", "bf16"))


def gpu_field(default: str) -> Field:
    return Field(name="gpu", label="GPU", kind="choice", default=default, choices=(*GPU_NAMES, CUSTOM),
                 help="A part from the catalog, or 'custom' to use the peak and bandwidth below.")


# Plausible bounds for a custom part, a factor of ~100 beyond the catalog both ways (T4 fp32 8 TFLOP/s and
# 320 GB/s up to B200 8 TB/s): a value outside them is a typo, and 1e-320 GB/s would overflow every division.
CUSTOM_PEAK = Field(name="peak_tflops", label="Custom peak", unit="TFLOP/s", default=312, minimum=0.01,
                    maximum=1_000_000, help="Used when GPU is 'custom'.")
CUSTOM_BANDWIDTH = Field(name="bandwidth_gbps", label="Custom bandwidth", unit="GB/s", default=2039, minimum=1,
                         maximum=1_000_000, help="Used when GPU is 'custom'.")


def hardware(gpu: str, peak_tflops: float, bandwidth_gbps: float, dtype: str = "fp16") -> Accelerator:
    if gpu == CUSTOM:
        return custom_accelerator(peak_flops=peak_tflops * TERA, bandwidth=bandwidth_gbps * GB, dtype=dtype)
    return get_accelerator(gpu)


def on_form_field(err: InputError, names: dict[str, str], fallback: str,
                  labels: dict[str, str] | None = None) -> InputError:
    """``err`` moved to the form field that caused it: ``names`` maps calc's argument names to form fields
    (e.g. ``seq_len`` -> ``prompt_len``); any other field (one inside a pasted config) goes to ``fallback``.
    Moved to a form field, the message names it by the form's label (``labels``: form field -> label)."""
    field = names.get(err.field, fallback)
    if field == err.field:
        return err
    message = str(err)
    if err.field in names and labels and field in labels:
        for prefix in (f"{err.field}=", f"{label(err.field)}: "):
            if message.startswith(prefix):  # same value, the form's name for it
                message = f"{labels[field]}: {message[len(prefix):]}"
                break
    return InputError(field, message)


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


#: Deepest nesting of objects and lists accepted in a pasted config.json (Hugging Face nests 3 or 4 levels).
#: Checked before parsing: a recursive parser given 50,000 "[" exhausts the stack (in Pyodide, fatally).
MAX_NESTING = 32


def nesting_depth(text: str, *, limit: int = MAX_NESTING) -> int:
    """How deep ``{``/``[`` nest in JSON ``text`` outside strings; stops counting past ``limit``."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif ch in "]}":
            depth -= 1
    return deepest


def _config_int(text: str) -> int:
    # A whole number of thousands of digits is no model size (Python would refuse to read it past 4,300).
    if len(text.lstrip("-")) > 30:
        raise InputError("config", f"config.json has a number of {len(text):,} digits; a model's sizes have at most a few")
    return int(text)


def model_argument(model: str, config: str) -> str | dict[str, Any]:
    """A preset name, or the pasted text parsed as JSON data (never evaluated)."""
    if model != PASTED:
        return model
    if not config.strip():
        raise InputError("config", "The config.json box is empty: paste a Hugging Face config.json, or pick a preset")
    if nesting_depth(config) > MAX_NESTING:
        raise InputError("config", f"config.json is nested too deeply: objects or lists more than {MAX_NESTING} "
                                   "levels deep (a Hugging Face config.json nests 3 or 4)")
    try:
        parsed = json.loads(config, parse_int=_config_int)
    except json.JSONDecodeError as err:
        raise InputError("config", f"config.json is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:  # thousands of nested brackets: no config.json nests more than a few levels
        raise InputError("config", "config.json is nested too deeply to be a model's config; paste the real file") from None
    if not isinstance(parsed, dict):
        raise InputError("config", "config.json must be a JSON object ({...}), as Hugging Face writes it")
    return parsed
