"""The roofline model: intensity, ridge point, attainable performance, bound, time.

A kernel that does ``F`` FLOPs while moving ``Q`` bytes has operational
intensity ``I = F / Q``.  On a part with peak ``π`` FLOP/s and memory
bandwidth ``β`` byte/s it can reach at most ``min(π, β · I)``; the two
limits meet at the ridge point ``I* = π / β``.  Below the ridge a kernel is
memory-bound, at or above it compute-bound.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Literal

from .core import validate
from .core.dtypes import data_format, dequant_ops, matmul_peak_dtype, peak_key
from .core.validate import InputError
from .hardware import Accelerator, custom_accelerator, resolve
from .core.quantity import Quantity, num
from .core.units import TERA, GB
from .core.intensity import operational_intensity
from .model.attention import attention_cost
from .model.operators import ForwardOperators, forward_operators

Bound = Literal["memory", "compute"]


def _hardware(
    gpu: str | Accelerator | None, peak_flops: float | None, bandwidth: float | None, dtype: str
) -> tuple[str, float, float]:
    """(name, peak FLOP/s, bandwidth byte/s) from a part, or from plain numbers."""
    if gpu is None:
        if peak_flops is None or bandwidth is None:
            raise InputError(
                "gpu", "GPU is missing: give a catalog GPU name, or both a peak (FLOP/s) and a memory bandwidth (B/s)"
            )
        part = custom_accelerator(peak_flops=peak_flops, bandwidth=bandwidth, dtype=dtype)
    else:
        part = resolve(gpu)
    peak = validate.positive("peak_flops", peak_flops) if peak_flops is not None else part.peak(dtype)
    bw = validate.positive("bandwidth", bandwidth) if bandwidth is not None else part.bandwidth
    return part.name, peak, bw


def ridge_point(
    *,
    gpu: str | Accelerator | None = None,
    peak_flops: float | None = None,
    bandwidth: float | None = None,
    dtype: str = "fp16",
) -> Quantity:
    """The ops:byte ratio ``π / β`` at which a part turns from memory- to compute-bound.

    >>> round(ridge_point(peak_flops=125e12, bandwidth=900e9).value, 1)
    138.9
    """
    _, peak, bw = _hardware(gpu, peak_flops, bandwidth, dtype)
    value = peak / bw
    return Quantity(
        value=value,
        unit="FLOP/byte",
        formula="I* = π / β",
        substituted=f"{num(peak / TERA)} TFLOP/s / {num(bw / GB)} GB/s = {num(value)} FLOP/byte",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkAndTraffic:
    """What places a piece of work on the roofline: its FLOPs, its bytes, and their ratio."""

    flops: Quantity
    bytes_moved: Quantity
    intensity: Quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class RooflinePoint:
    """Where a kernel of given intensity sits under one part's roofline."""

    gpu: str
    intensity: Quantity
    ridge: Quantity
    attainable: Quantity
    bound: Bound


def attainable_performance(
    *,
    intensity: float,
    gpu: str | Accelerator | None = None,
    peak_flops: float | None = None,
    bandwidth: float | None = None,
    dtype: str = "fp16",
) -> RooflinePoint:
    """``min(π, β · I)`` and whether the kernel is memory- or compute-bound.

    >>> p = attainable_performance(intensity=7563.29, gpu="A100-SXM4-80GB")
    >>> p.bound, p.attainable.value == 312e12
    ('compute', True)
    """
    name, peak, bw = _hardware(gpu, peak_flops, bandwidth, dtype)
    i = validate.positive("intensity", intensity)
    ridge = ridge_point(peak_flops=peak, bandwidth=bw)
    memory_roof = bw * i
    value = min(peak, memory_roof)
    bound: Bound = "compute" if i >= ridge.value else "memory"
    attainable = Quantity(
        value=value,
        unit="FLOP/s",
        formula="P = min(π, β · I)",
        substituted=(
            f"min({num(peak / TERA)} TFLOP/s, {num(bw / GB)} GB/s × {num(i)} FLOP/byte)"
            f" = {num(value / TERA)} TFLOP/s"
        ),
    )
    intensity_q = Quantity(value=i, unit="FLOP/byte", formula="I", substituted=f"I = {num(i)} FLOP/byte")
    return RooflinePoint(gpu=name, intensity=intensity_q, ridge=ridge, attainable=attainable, bound=bound)


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelTime:
    """Lower bound on a kernel's run time: the slower of its compute and its memory traffic."""

    gpu: str
    compute_time: Quantity
    memory_time: Quantity
    time: Quantity
    bound: Bound


def kernel_time(
    *,
    flops: float,
    bytes_moved: float,
    gpu: str | Accelerator | None = None,
    peak_flops: float | None = None,
    bandwidth: float | None = None,
    dtype: str = "fp16",
) -> KernelTime:
    """``max(FLOPs / π, bytes / β)``: compute and memory overlap perfectly at best.

    >>> t = kernel_time(flops=312e12, bytes_moved=1e9, gpu="A100-SXM4-80GB")
    >>> t.time.value, t.bound
    (1.0, 'compute')
    """
    name, peak, bw = _hardware(gpu, peak_flops, bandwidth, dtype)
    f = validate.non_negative("flops", flops)
    q = validate.non_negative("bytes_moved", bytes_moved)
    t_compute, t_memory = f / peak, q / bw
    compute = Quantity(
        value=t_compute, unit="s", formula="FLOPs / π",
        substituted=f"{num(f)} FLOP / {num(peak)} FLOP/s = {num(t_compute)} s",
    )
    memory = Quantity(
        value=t_memory, unit="s", formula="bytes / β",
        substituted=f"{num(q)} B / {num(bw)} B/s = {num(t_memory)} s",
    )
    total = max(t_compute, t_memory)
    time = Quantity(
        value=total, unit="s", formula="max(FLOPs / π, bytes / β)",
        substituted=f"max({num(t_compute)} s, {num(t_memory)} s) = {num(total)} s",
    )
    bound: Bound = "compute" if t_compute >= t_memory else "memory"
    return KernelTime(gpu=name, compute_time=compute, memory_time=memory, time=time, bound=bound)


# ------------------------------------------------------------------ per-operator bound of a forward pass


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorTime:
    """One operator's lower-bound time on an accelerator: max(FLOPs / peak, bytes / bandwidth)."""

    name: str
    group: str
    peak_dtype: str
    flops: float
    bytes_moved: float
    compute_time: float
    memory_time: float
    time: Quantity
    bound: str
    share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardTime:
    """Per-operator times of one step on one accelerator, and their sum."""

    gpu: str
    forward: ForwardOperators
    operators: tuple[OperatorTime, ...]
    time: Quantity
    memory_bound_share: float  # fraction of the time spent in memory-bound operators


#: What forward_time passes on to forward_operators (anything else is refused by name).
_FORWARD_INPUTS = tuple(inspect.signature(forward_operators).parameters)


def forward_time(*, gpu: str | Accelerator, **kwargs: Any) -> ForwardTime:
    """Each operator as its own kernel: ``max(FLOPs / π(dtype), bytes / β)``, summed over operators.

    Takes :func:`forward_operators`' arguments plus a catalog ``gpu``.

    >>> t = forward_time(gpu="A100-SXM4-80GB", model="Llama-2-7B", phase="decode", batch=1, seq_len=1024)
    >>> all(o.bound == "memory" for o in t.operators if o.name.endswith("proj"))
    True
    """
    part = resolve(gpu)
    validate.keywords("forward_time", kwargs, _FORWARD_INPUTS)
    fwd = forward_operators(**kwargs)
    rows = []
    for op in fwd.operators:
        peak = part.peak(op.compute_dtype)
        tc, tm = op.flops.value / peak, op.bytes_moved.value / part.bandwidth
        rows.append((op, peak, tc, tm, max(tc, tm)))
    total = sum(r[4] for r in rows)
    ops = tuple(
        OperatorTime(
            name=op.name, group=op.group, peak_dtype=op.compute_dtype, flops=op.flops.value,
            bytes_moved=op.bytes_moved.value, compute_time=tc, memory_time=tm, bound="compute" if tc >= tm else "memory",
            time=Quantity(value=t, unit="s", formula=f"max(FLOPs / π_{op.compute_dtype}, bytes / β)",
                          substituted=f"max({num(op.flops.value)} / {num(peak)}, {num(op.bytes_moved.value)}"
                                      f" / {num(part.bandwidth)}) = {num(t)} s"),
            share=t / total if total else 0.0,
        )
        for op, peak, tc, tm, t in rows
    )
    return ForwardTime(
        gpu=part.name, forward=fwd, operators=ops,
        time=Quantity(value=total, unit="s", formula="Σ max(FLOPs / π, bytes / β)",
                      substituted=f"sum over {len(ops)} operators = {num(total)} s"),
        memory_bound_share=sum(o.time.value for o in ops if o.bound == "memory") / total if total else 0.0,
    )


def attention_time(*, gpu: str | Accelerator, **kwargs: Any) -> KernelTime:
    """Lower bound on one step's attention (core plus MLA form) on ``gpu``, at its bf16/fp16 tensor peak.

    Takes :func:`calc.model.attention.attention_cost`'s arguments.  Attention computes at the activations'
    dtype (bf16 unless ``activations`` says otherwise).

    >>> t = attention_time(gpu="H100-SXM5-80GB", model="Llama-3-8B", batch=32, seq_len=8192)
    >>> t.bound
    'memory'
    """
    validate.keywords("attention_time", kwargs, tuple(inspect.signature(attention_cost).parameters))
    cost = attention_cost(**kwargs)
    return kernel_time(flops=cost.total.flops.value, bytes_moved=cost.total.bytes_moved.value, gpu=gpu,
                       dtype=kwargs.get("activations", "bf16"))


# ------------------------------------------------------------------ one matmul in a quantized format

#: Tokens per pass: a weight tile is dequantized once for each tile of this many tokens (the GEMM's M tile).
DEQUANT_TILE = 128


@dataclass(frozen=True, slots=True, kw_only=True)
class QuantizedMatmul:
    """Lower bound on one ``tokens × d_in`` by ``d_in × d_out`` matmul in a weight/activation format."""

    gpu: str
    weights: str
    activations: str
    compute_dtype: str  # whose tensor peak the multiply-adds run at
    tokens: int
    flops: Quantity
    dequant_ops: Quantity
    bytes_moved: Quantity
    intensity: Quantity
    compute_time: Quantity  # tensor FLOPs plus dequantisation, which the same SMs must issue
    memory_time: Quantity
    time: Quantity
    bound: Bound


def quantized_matmul(*, gpu: str | Accelerator, d_in: int, d_out: int, tokens: int, weights: str = "bf16",
                     activations: str = "bf16", group_size: int | None = None,
                     tile_tokens: int = DEQUANT_TILE) -> QuantizedMatmul:
    """``max(FLOPs / π_compute + dequant / π_fp32, bytes / β)`` for one linear layer.

    Weight-only formats (int8/int4 weights, bf16 activations) shrink the
    weight bytes but compute at the bf16 peak, and pay :data:`calc.core.dtypes.DEQUANT_OPS` per
    weight for every ``tile_tokens`` tokens; fp8 and fp4 weights *and*
    activations compute at their own, higher peak with no dequantisation.
    Inputs are read in the activation format, outputs written in bf16.

    >>> q = quantized_matmul(gpu="H100-SXM5-80GB", d_in=8192, d_out=8192, tokens=1, weights="int4")
    >>> q.compute_dtype, q.bound, q.dequant_ops.value == 4 * 8192 * 8192
    ('bf16', 'memory', True)
    """
    part = resolve(gpu)
    k = validate.positive_int("d_in", d_in)
    n = validate.positive_int("d_out", d_out)
    t = validate.positive_int("tokens", tokens)
    tile = validate.positive_int("tile_tokens", tile_tokens)
    if validate.text("activations", activations) == "int4":
        raise validate.fail("activations", activations, "is not a compute format; use bf16, fp16, fp8 or fp4")
    wf = data_format(weights, field="weights", group_size=group_size)
    if wf.group_size and k % wf.group_size:
        raise validate.fail("group_size", wf.group_size, f"does not divide the input width {k:,}: groups run along "
                                                        "the input dimension; pick a divisor such as 64 or 128")
    af = data_format(activations, field="activations")
    dtype = matmul_peak_dtype(weights=weights, activations=activations)
    peak, vector = part.peak(peak_key(dtype)), part.peak("fp32")
    flops = 2 * t * k * n
    passes = -(-t // tile)
    per_weight = dequant_ops(weights=weights, activations=activations)
    dequant = per_weight * k * n * passes
    w_bytes, in_bytes, out_bytes = k * n * wf.bytes_per_element, t * k * af.bytes_per_element, t * n * 2
    moved = w_bytes + in_bytes + out_bytes
    tc = flops / peak + dequant / vector
    tm = moved / part.bandwidth
    total = max(tc, tm)
    return QuantizedMatmul(
        gpu=part.name, weights=wf.describe(), activations=activations, compute_dtype=dtype, tokens=t,
        flops=Quantity(value=flops, unit="FLOP", formula="2 · T · d_in · d_out",
                       substituted=f"2 × {num(t)} × {num(k)} × {num(n)} = {num(flops)} FLOP"),
        dequant_ops=Quantity(value=dequant, unit="op", formula="ops per weight · d_in · d_out · ⌈T / tile⌉",
                             substituted=f"{per_weight} × {num(k)} × {num(n)} × {passes} = {num(dequant)} op"),
        bytes_moved=Quantity(value=moved, unit="B", formula="weights (with scales) + inputs + bf16 outputs",
                             substituted=f"{num(w_bytes)} + {num(in_bytes)} + {num(out_bytes)} = {num(moved)} B"),
        intensity=operational_intensity(flops=flops, bytes_moved=moved),
        compute_time=Quantity(value=tc, unit="s", formula=f"FLOPs / π_{dtype} + dequant / π_fp32",
                              substituted=f"{num(flops)} / {num(peak)} + {num(dequant)} / {num(vector)} = {num(tc)} s"),
        memory_time=Quantity(value=tm, unit="s", formula="bytes / β",
                             substituted=f"{num(moved)} B / {num(part.bandwidth)} B/s = {num(tm)} s"),
        time=Quantity(value=total, unit="s", formula="max(compute, memory)",
                      substituted=f"max({num(tc)} s, {num(tm)} s) = {num(total)} s"),
        bound="compute" if tc >= tm else "memory",
    )
