"""Input checks shared by every formula: one error type, one table of fields, one message style.

Every check raises :class:`InputError` (a ``ValueError``) whose message names
the field by its label, quotes the value received (short: at most ~40
characters) and says what is allowed, so the docs build, the CLI and the
browser widgets can show it to a person unchanged::

    Layers: 1e+308 is too large; give a whole number from 1 to 100,000

``InputError.field`` keeps the code name (``n_layers``) so a form can put the
message beside its input.  :data:`FIELDS` holds every field's label and
plausible bounds in one place: the bounds keep every product of inputs finite
(no overflow deep inside a formula) and every loop short.
"""

from __future__ import annotations

import functools
import inspect
import math
import reprlib
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable, Mapping, TypeVar


class InputError(ValueError):
    """A bad input value; ``field`` names the input so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# Public as ``calc.InputError``: tracebacks and doctests name it there, wherever it is defined.
InputError.__module__ = "calc"


@dataclass(frozen=True, slots=True)
class Spec:
    """What one field is: its label, and the plausible range of its value.

    ``low`` is the least value allowed (inclusive); ``None`` leaves the
    helper's own floor (above 0 for :func:`positive`, 0 for
    :func:`non_negative`, 1 for :func:`positive_int`).  ``unit`` is written
    after the bounds (plural form; :func:`count` makes the singular).
    """

    label: str
    high: float = math.inf
    low: float | None = None
    unit: str = ""


# Bounds: generous enough for any real model or machine (and the source's worked examples, whose
# ``max_batch`` takes GB), small enough that products of inputs stay far below float overflow
# (1.8e308) and that nothing loops for long.
_BYTES = 1e18           # 1 EB: more than any cluster's memory
_BANDWIDTH = 1e16       # 10 PB/s per device or link
_FLOPS = 1e19           # 10 EFLOP/s per device
_TOKENS = 100_000_000   # a context of 100 M tokens
_SECONDS = 3600.0       # an hour for one latency or SLO
_ELEMENT = 64.0         # bytes per element/parameter (fp64 is 8; scales and padding stay below)

FIELDS: dict[str, Spec] = {
    # model shape
    "n_layers": Spec("Layers", 100_000),
    "hidden": Spec("Hidden size", 1_000_000),
    "d_model": Spec("Model width", 1_000_000),
    "n_heads": Spec("Attention heads", 100_000),
    "n_kv_heads": Spec("KV heads", 100_000),
    "head_dim": Spec("Head size", 100_000),
    "intermediate": Spec("MLP size", 10_000_000),
    "vocab": Spec("Vocabulary size", 100_000_000),
    "d_in": Spec("Input width", 10_000_000),
    "d_out": Spec("Output width", 10_000_000),
    "params": Spec("Parameters", 1e15),
    "sliding_window": Spec("sliding_window", _TOKENS, unit="tokens"),
    # workload
    "batch": Spec("Batch", 10_000_000),
    "batches": Spec("Batch sizes", 10_000_000),
    "seq_len": Spec("Sequence length", _TOKENS, unit="tokens"),
    "context_len": Spec("Context length", _TOKENS, unit="tokens"),
    "prompt_len": Spec("Prompt length", _TOKENS, unit="tokens"),
    "output_len": Spec("Output length", _TOKENS, unit="tokens"),
    "users": Spec("Users", 10_000_000_000),
    "requests_per_node": Spec("Requests per node", 1e9, low=1e-3),
    "per_node": Spec("Users per node", 1e9),
    "curve_points": Spec("Curve points", 1000),
    "top": Spec("Rows to print", 10_000),
    # number formats
    "bytes_per_element": Spec("Bytes per element", _ELEMENT, low=0.01, unit="bytes"),
    "kv_bytes_per_element": Spec("KV bytes per element", _ELEMENT, low=0.01, unit="bytes"),
    "bytes_per_param": Spec("Bytes per parameter", _ELEMENT, low=0.01, unit="bytes"),
    "bytes_per_weight": Spec("Bytes per weight", _ELEMENT, low=0.01, unit="bytes"),
    "weight_overhead": Spec("Weight overhead factor", 100, low=0.01),
    "group_size": Spec("Group size", 1_000_000),
    "scale_bytes": Spec("Scale bytes", _ELEMENT, unit="bytes"),
    "zero_point_bytes": Spec("Zero-point bytes", _ELEMENT, unit="bytes"),
    # hardware
    "peak_flops": Spec("Peak", _FLOPS, low=1, unit="FLOP/s"),
    "bandwidth": Spec("Memory bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "memory_bandwidth": Spec("Memory bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "link_bandwidth": Spec("Link bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "interconnect_bandwidth": Spec("Interconnect bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "memory": Spec("Memory", _BYTES, unit="bytes"),
    "memory_per_gpu": Spec("Memory per GPU", _BYTES, low=1, unit="bytes"),
    "total_memory": Spec("Total memory", _BYTES, low=1e-6),
    "weights": Spec("Weights", _BYTES),
    "per_request": Spec("KV cache per request", _BYTES, low=1e-6),
    "n_gpus": Spec("GPUs", 1_000_000),
    "gpus_per_node": Spec("GPUs per node", 1024),
    "hop_latency": Spec("Hop latency", 1.0, unit="s"),
    # roofline
    "intensity": Spec("Operational intensity", 1e15, unit="FLOP/byte"),
    "flops": Spec("FLOPs", 1e300, unit="FLOP"),
    "bytes_moved": Spec("Bytes moved", 1e300, unit="bytes"),
    # serving
    "tp": Spec("Tensor parallel (TP)", 4096),
    "pp": Spec("Pipeline stages (PP)", 4096),
    "block_size": Spec("KV block size", 1_000_000, unit="tokens"),
    "reserve_fraction": Spec("Reserved memory fraction", 0.99),
    "compute": Spec("Compute efficiency", 1.0, low=0.001),
    "link": Spec("Link efficiency", 1.0, low=0.001),
    "link_efficiency": Spec("Link efficiency", 1.0, low=0.001),
    "alpha": Spec("Per-collective latency", 1.0, unit="s"),
    "layer_overhead": Spec("Per-layer overhead", 1.0, unit="s"),
    "ttft_slo": Spec("TTFT target", _SECONDS, low=1e-6, unit="s"),
    "tpot_slo": Spec("TPOT target", _SECONDS, low=1e-6, unit="s"),
    "message_bytes": Spec("Message size", _BYTES, unit="bytes"),
    "stages": Spec("Pipeline stages", 1_000_000),
    "microbatches": Spec("Microbatches", 1_000_000),
    "price": Spec("Price", 1e6, unit="$ per GPU-hour"),
    # text and choices (no bounds: a label only)
    "gpu": Spec("GPU"), "gpus": Spec("GPUs"), "model": Spec("Model"), "name": Spec("Name"),
    "dtype": Spec("Number format"), "kv": Spec("KV cache format"), "activations": Spec("Activation format"),
    "phase": Spec("Phase"), "batching": Spec("Batching"), "config": Spec("config.json"), "prices": Spec("Prices"),
    "efficiency": Spec("Efficiency"), "widget": Spec("Calculator"), "raw": Spec("Inputs"), "sparse": Spec("Sparsity"),
    "weight_dtypes": Spec("Weight formats"), "kv_dtypes": Spec("KV cache formats"), "unit": Spec("Unit"),
    "gated_mlp": Spec("Gated MLP"), "tied_embeddings": Spec("Tied embeddings"), "causal": Spec("Causal attention"),
    "fused_attention": Spec("Fused attention"), "all_logits": Spec("Logits for every position"),
    "expert_parallel": Spec("Expert parallelism"), "field": Spec("Field name"), "source": Spec("Source"),
    "published_params": Spec("Published parameter count"), "published_active": Spec("Published active parameters"),
    "exact_params": Spec("Exact parameter count", 1e15),
}
# ``memory`` is also an efficiency fraction (``efficiency(memory=0.75)``); efficiency() checks its own range.

#: Keys of a Hugging Face config.json: labelled by the key the reader pasted, bounded like the field they fill.
_HF_KEYS = {
    "n_layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "hidden": ("hidden_size", "n_embd", "d_model", "word_embed_proj_dim", "q_lora_rank", "kv_lora_rank"),
    "n_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads"),
    "n_kv_heads": ("num_key_value_heads", "multi_query_group_num", "num_kv_heads"),
    "head_dim": ("head_dim", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "kv_channels"),
    "intermediate": ("intermediate_size", "n_inner", "ffn_dim", "moe_intermediate_size", "ffn_hidden_size"),
    "vocab": ("vocab_size", "padded_vocab_size"),
    "context_len": ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len"),
    "n_experts": ("num_local_experts", "n_routed_experts", "num_experts", "num_experts_per_tok",
                  "n_shared_experts", "first_k_dense_replace", "moe_layer_freq"),
}
FIELDS["n_experts"] = Spec("Experts", 100_000)
for _field, _keys in _HF_KEYS.items():
    for _key in _keys:
        FIELDS.setdefault(_key, Spec(_key, FIELDS[_field].high, unit=FIELDS[_field].unit))

#: Longest text a text argument (a name, a dtype) may be.
MAX_TEXT = 200

#: How much of a value a message shows.
SHOWN = 40


def label(field: str) -> str:
    """The words a person reads for ``field`` (its code name when the table has none)."""
    spec = FIELDS.get(field)
    return spec.label if spec else field


def count(n: float, unit: str) -> str:
    """``n`` with its unit in the right number: ``count(1, "tokens") == "1 token"``.

    >>> count(1, "tokens"), count(2048, "tokens"), count(1e16, "B/s"), count(0.5, "bytes")
    ('1 token', '2,048 tokens', '1e+16 B/s', '0.5 bytes')
    """
    text = show(n)
    if not unit:
        return text
    if n == 1 and unit.endswith("s") and unit[:1].islower() and "/" not in unit:
        unit = unit[:-1]
    return f"{text} {unit}"


def show(n: float) -> str:
    """A bound or a number in a message: thousands separators, no float noise.

    >>> show(100_000), show(1e15), show(0.01), show(1.0)
    ('100,000', '1e+15', '0.01', '1')
    """
    if isinstance(n, int) or (float(n).is_integer() and abs(n) < 1e12):
        return f"{int(n):,}"
    return f"{n:,.6g}"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 4 * SHOWN
_REPR.maxlevel = 3


def quote(value: object) -> str:
    """A value as a message shows it: Python's spelling, cut after ~40 characters.

    >>> quote(0), quote("abc"), quote(1e308), quote("x" * 100)
    ('0', "'abc'", '1e+308', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (100 characters)")
    >>> quote(10**400)
    'a whole number of 401 digits'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**SHOWN:
        return f"a whole number of {len(str(abs(value))) if value.bit_length() < 10_000 else 'over 3,000'} digits"
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(value):,} characters)"
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not hide the real error
        text = f"a {type(value).__name__}"
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}…"


def fail(field: str, value: object, problem: str, *, name: str | None = None) -> InputError:
    """The error for ``field=value``: ``"<Label>: <value> <problem>"`` (``name`` overrides the label); raise it."""
    return InputError(field, f"{name or label(field)}: {quote(value)} {problem}")


def allowed(field: str, *, integer: bool, low: float, high: float, low_open: bool = False,
            unit: str | None = None) -> str:
    """What ``field`` accepts, in words: "a whole number from 1 to 100,000" (``unit`` overrides the table's)."""
    if unit is None:
        unit = FIELDS[field].unit if field in FIELDS else ""
    kind = "a whole number" if integer else "a number"
    top = count(high, unit) if high != math.inf else ""
    if low_open:
        return f"{kind} above {show(low)}" + (f" and at most {top}" if top else "")
    return f"{kind} from {show(low)} to {top}" if top else f"{kind} of at least {count(low, unit)}"


def number(field: str, value: object, *, integer: bool = False, low: float = 0.0, low_open: bool = False,
           high: float | None = None, name: str | None = None) -> float:
    """``value`` as a float if it is a finite real number in ``[low, high]`` (``(low, high]`` if ``low_open``).

    The bounds default to the field's row of :data:`FIELDS` (its ``low`` raises
    ``low`` and closes it).  Whole numbers are checked when ``integer``.
    ``name`` is the label to show when the field's own does not fit the context.
    """
    spec = FIELDS.get(field)
    if spec is not None:
        if spec.low is not None and spec.low > low:
            low, low_open = spec.low, False
        high = spec.high if high is None else min(high, spec.high)
    high = math.inf if high is None else high
    if isinstance(value, bool) or not isinstance(value, Real):
        problem = "is not a number"
    else:
        try:
            x = float(value)
        except (OverflowError, ValueError):  # an int beyond float range, or a Real that cannot be one
            x, problem = math.inf, "is too large"
        else:
            problem = ("is not a number" if math.isnan(x) else "is too large" if x > high
                       else "is too small" if x < low or (low_open and x == low)
                       else "is not a whole number" if integer and not x.is_integer() else "")
        if not problem:
            return x
    # A caller's own label (``name``) means the table's row is another sense of the word: not its unit.
    words = allowed(field, integer=integer, low=low, high=high, low_open=low_open, unit="" if name else None)
    raise fail(field, value, f"{problem}; give {words}", name=name)


def positive(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (within the field's bounds), else raise."""
    return number(name, value, low_open=True)


def non_negative(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (within the field's bounds), else raise."""
    return number(name, value)


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a whole number >= 1 (within the field's bounds), else raise."""
    return int(number(name, value, integer=True, low=1))


def non_negative_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a whole number >= 0 (within the field's bounds), else raise."""
    return int(number(name, value, integer=True))


def optional_count(field: str, value: object, *, zero_is_none: bool = False) -> int | None:
    """``None`` (and 0 when ``zero_is_none``: "off") as ``None``, else a whole number >= 1 (bounded)."""
    if value is None or (zero_is_none and isinstance(value, (int, float)) and not isinstance(value, bool)
                         and value == 0):
        return None
    return positive_int(field, value)


def optional_text(field: str, value: object) -> str | None:
    """``None`` as ``None``, else a non-empty string (a dtype left to its default, or given)."""
    return None if value is None else text(field, value)


def text(field: str, value: object, *, choices: tuple[str, ...] = (), empty: bool = False,
         longest: int = MAX_TEXT) -> str:
    """``value`` if it is a string (one of ``choices`` when given), else raise."""
    if not isinstance(value, str):
        what = f"one of {', '.join(choices)}" if choices else "a name (text)"
        raise fail(field, value, f"is not text; give {what}")
    if len(value) > longest:
        raise fail(field, value, f"is too long; give at most {longest:,} characters")
    if choices and value not in choices:
        raise fail(field, value, f"is not allowed; give one of {', '.join(choices)}")
    if not empty and not choices and not value.strip():
        raise fail(field, value, "is empty; give a name")
    return value


def flag(field: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False`` (not 1, not 'yes'), else raise."""
    if not isinstance(value, bool):
        raise fail(field, value, "is not True or False; give True or False")
    return value


def sequence(field: str, value: object, *, longest: int = 1000) -> tuple:
    """``value`` as a tuple if it is a list or tuple of at most ``longest`` items (loops stay short)."""
    if not isinstance(value, (list, tuple)):
        raise fail(field, value, "is not a list; give a list or tuple")
    if len(value) > longest:
        raise fail(field, value, f"has {len(value):,} items; give at most {longest:,}")
    return tuple(value)


def finite(field: str, value: float, what: str = "the result") -> float:
    """An output check: ``value`` if finite and not negative, else an InputError on ``field``.

    The bounds keep results finite; this names the input to change if a
    formula still overflows.
    """
    if not math.isfinite(value) or value < 0:
        raise InputError(field, f"{label(field)}: these inputs make {what} too large to compute; "
                                f"give a smaller {label(field).lower()}")
    return value


def keywords(name: str, given: Mapping[str, object], known: tuple[str, ...]) -> None:
    """Refuse a keyword that ``name`` does not take (for functions that pass ``**kwargs`` on)."""
    for key in given:
        if key not in known:
            raise InputError(str(key), f"{quote(key)} is not an input of {name}; its inputs: {', '.join(known)}")


F = TypeVar("F", bound=Callable[..., Any])


def public(fn: F, name: str | None = None) -> F:
    """Wrap a public function so that calling it wrongly is an InputError, not a TypeError.

    An unknown keyword, a missing one or a positional argument where only
    keywords are taken become an InputError naming the argument and listing
    the ones the function takes (``name``: the public name, if it differs).
    The call itself is unchanged (no cost when the arguments are right).
    """
    signature = inspect.signature(fn)
    name = name or getattr(fn, "__name__", "function")

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as err:
                raise _call_error(name, signature, args, kwargs, err) from None
            raise

    return checked  # type: ignore[return-value]


def _call_error(name: str, signature: inspect.Signature, args: tuple, kwargs: dict, err: TypeError) -> InputError:
    params = signature.parameters
    known = [p for p in params if params[p].kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
    inputs = ", ".join(known) if known else "none (call it with no arguments)"
    takes_any = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())
    unknown = [k for k in kwargs if k not in params] if not takes_any else []
    if unknown:
        key = unknown[0]
        return InputError(key, f"{quote(key)} is not an input of {name}; its inputs: {inputs}")
    missing = [p for p, spec in params.items() if spec.default is inspect.Parameter.empty
               and spec.kind == inspect.Parameter.KEYWORD_ONLY and p not in kwargs]
    if missing:
        return InputError(missing[0], f"{label(missing[0])} is missing: {name} needs {', '.join(missing)}")
    positional = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(args) > len(positional):
        return InputError("", f"{name} takes its inputs by name ({inputs}), e.g. {name}({known[0] if known else ''}=...)")
    return InputError("", f"{name} was called wrongly; its inputs: {inputs}")
