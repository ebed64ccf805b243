"""The roofline model: intensity, ridge point, attainable performance, bound, time.

A kernel that does ``F`` FLOPs while moving ``Q`` bytes has operational
intensity ``I = F / Q``.  On a part with peak ``π`` FLOP/s and memory
bandwidth ``β`` byte/s it can reach at most ``min(π, β · I)``; the two
limits meet at the ridge point ``I* = π / β``.  Below the ridge a kernel is
memory-bound, at or above it compute-bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import validate
from .validate import InputError
from .hardware import Accelerator, custom_accelerator, resolve
from .quantity import Quantity, num
from .units import TERA, GB

Bound = Literal["memory", "compute"]


def _hardware(
    gpu: str | Accelerator | None, peak_flops: float | None, bandwidth: float | None, dtype: str
) -> tuple[str, float, float]:
    """(name, peak FLOP/s, bandwidth byte/s) from a part, or from plain numbers."""
    if gpu is None:
        if peak_flops is None or bandwidth is None:
            raise InputError(
                "gpu", "gpu=None: give a catalog gpu name, or both peak_flops (FLOP/s) and bandwidth (byte/s)"
            )
        part = custom_accelerator(peak_flops=peak_flops, bandwidth=bandwidth, dtype=dtype)
    else:
        part = resolve(gpu)
    peak = validate.positive("peak_flops", peak_flops) if peak_flops is not None else part.peak(dtype)
    bw = validate.positive("bandwidth", bandwidth) if bandwidth is not None else part.bandwidth
    return part.name, peak, bw


def operational_intensity(*, flops: float, bytes_moved: float) -> Quantity:
    """FLOPs per byte of memory traffic.

    >>> operational_intensity(flops=2e9, bytes_moved=1e9).value
    2.0
    """
    f = validate.non_negative("flops", flops)
    q = validate.positive("bytes_moved", bytes_moved)
    value = f / q
    return Quantity(
        value=value,
        unit="FLOP/byte",
        formula="I = FLOPs / bytes",
        substituted=f"{num(f)} FLOP / {num(q)} B = {num(value)} FLOP/byte",
    )


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
