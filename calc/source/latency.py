"""Decode latency per token: the source's small-batch and large-batch estimates.

One decode step reads every weight once and, for each sequence in the batch,
does two FLOPs per weight.  With ``N`` GPUs in tensor parallelism:

* small batch (memory time > compute time): ``weight_read = 2·P / (N·A_bm)``
  — the time to stream fp16 weights (2 bytes per parameter), which the
  source labels "compute" although it divides bytes by bandwidth — and
  ``comms = 4·n_layers·8 µs``: four collective hops per layer at a fixed
  latency each;
* large batch (compute time > memory time): ``compute = B·2·P / (N·A_f)``
  and ``comms = B·2·4·n_layers·d_model / A_c``: activations of B tokens,
  2 bytes each, four transfers per layer, over the GPU link.

These are upper bounds on speed (lower bounds on latency); prefill, KV-cache
reads and the logits are left out, as in the source: they are the
short-context limit of :func:`decode_step_latency`, which adds the cache.
In this site's notation ``A_bm`` is β, ``A_f`` is π and ``A_c`` is β_link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core import validate
from ..core.validate import InputError
from ..hardware import Accelerator, resolve
from ..core.quantity import Quantity, num
from ..core.units import GB, MICROSECOND, TERA

Regime = Literal["small batch (memory-bound)", "large batch (compute-bound)"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodeLatency:
    """One regime's per-token decode latency: its main term plus communication.

    The small-batch regime sets ``weight_read`` (``2·P/(N·β)``: bytes over bandwidth, which the
    source calls "compute"); the large-batch regime sets ``compute`` (``B·2·P/(N·π)``: FLOPs over
    peak).  ``main`` is whichever is set.
    """

    comms: Quantity
    total: Quantity
    weight_read: Quantity | None = None
    compute: Quantity | None = None

    @property
    def main(self) -> Quantity:
        return self.weight_read if self.weight_read is not None else self.compute


def _total(main: Quantity, comms: Quantity, name: str) -> Quantity:
    value = main.value + comms.value
    return Quantity(
        value=value, unit="s", formula=f"{name} + comms",
        substituted=f"{num(main.value * 1e3)} ms + {num(comms.value * 1e3)} ms = {num(value * 1e3)} ms",
    )


def gpu_figures(
    gpu: str | Accelerator | None, **given: float | None
) -> dict[str, float]:
    """Fill missing bandwidths/peak from a catalog part, then validate every figure."""
    part = resolve(gpu) if gpu is not None else None
    defaults = {
        "memory_bandwidth": part.bandwidth if part else None,
        "peak_flops": part.peak("fp16") if part else None,
        "link_bandwidth": part.interconnect.bandwidth if part and part.interconnect else None,
    }
    out: dict[str, float] = {}
    for field, value in given.items():
        value = defaults[field] if value is None else value
        if value is None:
            raise InputError(field, f"{validate.label(field)} is missing: give it (SI units) or name a catalog GPU that has it")
        out[field] = validate.positive(field, value)
    return out


def decode_latency_small_batch(
    *,
    params: float,
    n_gpus: int,
    n_layers: int,
    gpu: str | Accelerator | None = None,
    memory_bandwidth: float | None = None,
    hop_latency: float = 8 * MICROSECOND,
) -> DecodeLatency:
    """Weight-read time ``2·P/(N·A_bm)`` plus ``4·n_layers·hop_latency``.

    >>> r = decode_latency_small_batch(params=13e9, n_gpus=8, n_layers=40, gpu="V100-SXM2-32GB")
    >>> round(r.weight_read.value * 1e3, 3), round(r.comms.value * 1e3, 3)
    (3.611, 1.28)
    """
    p = validate.positive("params", params)
    n = validate.positive_int("n_gpus", n_gpus)
    layers = validate.positive_int("n_layers", n_layers)
    hop = validate.non_negative("hop_latency", hop_latency)
    bw = gpu_figures(gpu, memory_bandwidth=memory_bandwidth)["memory_bandwidth"]
    t_read = 2 * p / (n * bw)
    t_comms = 4 * layers * hop
    weight_read = Quantity(
        value=t_read, unit="s", formula="2·P / (N·A_bm)",
        substituted=f"2 × {num(p)} B / ({num(n)} × {num(bw / GB)} GB/s) = {num(t_read * 1e3)} ms",
    )
    comms = Quantity(
        value=t_comms, unit="s", formula="4·n_layers·t_hop",
        substituted=f"4 × {num(layers)} × {num(hop / MICROSECOND)} µs = {num(t_comms * 1e3)} ms",
    )
    return DecodeLatency(weight_read=weight_read, comms=comms, total=_total(weight_read, comms, "weight_read"))


def decode_latency_large_batch(
    *,
    params: float,
    n_gpus: int,
    batch: int,
    n_layers: int,
    d_model: int,
    gpu: str | Accelerator | None = None,
    peak_flops: float | None = None,
    link_bandwidth: float | None = None,
) -> DecodeLatency:
    """``B·2·P/(N·A_f)`` plus ``B·2·4·n_layers·d_model / A_c``.

    >>> r = decode_latency_large_batch(params=13e9, n_gpus=8, batch=64, n_layers=40,
    ...                                d_model=5120, gpu="V100-SXM2-32GB")
    >>> round(r.compute.value * 1e3, 3)
    1.664
    """
    p = validate.positive("params", params)
    n = validate.positive_int("n_gpus", n_gpus)
    b = validate.positive_int("batch", batch)
    layers = validate.positive_int("n_layers", n_layers)
    d = validate.positive_int("d_model", d_model)
    figures = gpu_figures(gpu, peak_flops=peak_flops, link_bandwidth=link_bandwidth)
    peak, link = figures["peak_flops"], figures["link_bandwidth"]
    t_compute = b * 2 * p / (n * peak)
    t_comms = b * 2 * 4 * layers * d / link
    compute = Quantity(
        value=t_compute, unit="s", formula="B·2·P / (N·A_f)",
        substituted=(
            f"{num(b)} × 2 × {num(p)} / ({num(n)} × {num(peak / TERA)} TFLOP/s)"
            f" = {num(t_compute * 1e3)} ms"
        ),
    )
    comms = Quantity(
        value=t_comms, unit="s", formula="B·2·4·n_layers·d_model / A_c",
        substituted=(
            f"{num(b)} × 2 × 4 × {num(layers)} × {num(d)} B / {num(link / GB)} GB/s"
            f" = {num(t_comms * 1e3)} ms"
        ),
    )
    return DecodeLatency(compute=compute, comms=comms, total=_total(compute, comms, "compute"))


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodeEstimate:
    """Both regimes evaluated; the slower compute term decides which applies."""

    small: DecodeLatency
    large: DecodeLatency
    regime: Regime
    latency: Quantity


def decode_latency(
    *,
    params: float,
    n_gpus: int,
    batch: int,
    n_layers: int,
    d_model: int,
    gpu: str | Accelerator | None = None,
    memory_bandwidth: float | None = None,
    peak_flops: float | None = None,
    link_bandwidth: float | None = None,
    hop_latency: float = 8 * MICROSECOND,
) -> DecodeEstimate:
    """Per-token latency at batch ``B``: the slower compute term plus the slower comms term.

    The source gives two formulas, one per regime.  Taking the larger of the
    two compute terms (weight streaming vs FLOPs) and of the two communication
    terms (per-hop latency vs bytes over the link) joins them into one curve
    that is flat until ``B·2P`` FLOPs take longer than reading ``2P`` bytes —
    at ``B`` equal to the ridge point ``A_f / A_bm`` — and linear after, the
    shape seen in measurements.

    >>> r = decode_latency(params=13e9, n_gpus=8, batch=256, n_layers=40, d_model=5120, gpu="V100-SXM2-32GB")
    >>> r.regime, round(r.latency.value * 1e3, 3)
    ('large batch (compute-bound)', 8.054)
    """
    small = decode_latency_small_batch(
        params=params, n_gpus=n_gpus, n_layers=n_layers, gpu=gpu,
        memory_bandwidth=memory_bandwidth, hop_latency=hop_latency,
    )
    large = decode_latency_large_batch(
        params=params, n_gpus=n_gpus, batch=batch, n_layers=n_layers, d_model=d_model,
        gpu=gpu, peak_flops=peak_flops, link_bandwidth=link_bandwidth,
    )
    compute = max(small.weight_read, large.compute, key=lambda q: q.value)
    comms = max(small.comms, large.comms, key=lambda q: q.value)
    value = compute.value + comms.value
    latency = Quantity(
        value=value,
        unit="s",
        formula="max(2·P/(N·A_bm), B·2·P/(N·A_f)) + max(4·n_layers·t_hop, B·8·n_layers·d_model/A_c)",
        substituted=(
            f"max({num(small.weight_read.value * 1e3)}, {num(large.compute.value * 1e3)}) ms"
            f" + max({num(small.comms.value * 1e3)}, {num(large.comms.value * 1e3)}) ms"
            f" = {num(value * 1e3)} ms"
        ),
    )
    regime: Regime = (
        "large batch (compute-bound)" if large.compute.value > small.weight_read.value
        else "small batch (memory-bound)"
    )
    return DecodeEstimate(small=small, large=large, regime=regime, latency=latency)


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodeStep:
    """One decode step at a given context length: the weight read plus the KV-cache read."""

    context_len: int
    weights_read: Quantity
    kv_read: Quantity
    compute: Quantity
    comms: Quantity
    latency: Quantity
    bound: Literal["memory", "compute"]  # which of max(memory, compute) won


def decode_step_latency(
    *,
    params: float,
    n_gpus: int,
    batch: int,
    n_layers: int,
    d_model: int,
    context_len: int,
    gpu: str | Accelerator | None = None,
    memory_bandwidth: float | None = None,
    peak_flops: float | None = None,
    link_bandwidth: float | None = None,
    hop_latency: float = 8 * MICROSECOND,
    kv_bytes_per_element: float = 2,
) -> DecodeStep:
    """Latency of the decode step whose tokens attend to ``context_len`` cached tokens.

    :func:`decode_latency` leaves the KV cache out.  Here each step also reads
    every sequence's cache (``B`` times :func:`calc.source.kernels.attention_decode`'s
    bytes, split over ``N`` GPUs by tensor parallelism) and does its attention
    FLOPs, so later tokens of a long generation are slower:

    ``memory = 2·P/(N·A_bm) + B·kv(t)/(N·A_bm)``,
    ``compute = B·(2·P + attn_flops(t))/(N·A_f)``,
    ``latency = max(memory, compute) + comms`` with ``comms`` as in :func:`decode_latency`.

    ``d_model`` is the width of the cached K (and V) per layer: the hidden
    size for multi-head attention, ``n_kv_heads · head_dim`` with GQA.

    >>> s = decode_step_latency(params=13e9, n_gpus=8, batch=64, n_layers=40, d_model=5120,
    ...                         context_len=2048, gpu="V100-SXM2-32GB")
    >>> round(s.weights_read.value * 1e3, 3), round(s.kv_read.value * 1e3, 3), round(s.latency.value * 1e3, 3)
    (3.611, 14.913, 19.804)
    """
    from .kernels import attention_decode

    base = decode_latency(
        params=params, n_gpus=n_gpus, batch=batch, n_layers=n_layers, d_model=d_model, gpu=gpu,
        memory_bandwidth=memory_bandwidth, peak_flops=peak_flops, link_bandwidth=link_bandwidth,
        hop_latency=hop_latency,
    )
    attention = attention_decode(
        context_len=context_len, d_model=d_model, n_layers=n_layers, bytes_per_element=kv_bytes_per_element
    )
    figures = gpu_figures(gpu, memory_bandwidth=memory_bandwidth, peak_flops=peak_flops)
    bw, peak = figures["memory_bandwidth"], figures["peak_flops"]
    b, n, t = int(batch), int(n_gpus), int(context_len)
    t_kv = b * attention.bytes_moved.value / (n * bw)
    kv_read = Quantity(
        value=t_kv, unit="s", formula="B·kv(t) / (N·A_bm)",
        substituted=(
            f"{num(b)} × {num(attention.bytes_moved.value)} B / ({num(n)} × {num(bw / GB)} GB/s)"
            f" = {num(t_kv * 1e3)} ms"
        ),
    )
    t_attn = b * attention.flops.value / (n * peak)
    t_compute = base.large.compute.value + t_attn
    compute = Quantity(
        value=t_compute, unit="s", formula="B·(2·P + attn_flops(t)) / (N·A_f)",
        substituted=(
            f"{num(base.large.compute.value * 1e3)} ms + {num(b)} × {num(attention.flops.value)} FLOP"
            f" / ({num(n)} × {num(peak / TERA)} TFLOP/s) = {num(t_compute * 1e3)} ms"
        ),
    )
    comms = max(base.small.comms, base.large.comms, key=lambda q: q.value)
    t_memory = base.small.weight_read.value + t_kv
    value = max(t_memory, t_compute) + comms.value
    latency = Quantity(
        value=value, unit="s", formula="max(2·P/(N·A_bm) + B·kv(t)/(N·A_bm), B·(2·P + attn_flops(t))/(N·A_f)) + comms",
        substituted=(
            f"max({num(base.small.weight_read.value * 1e3)} ms + {num(t_kv * 1e3)} ms, {num(t_compute * 1e3)} ms)"
            f" + {num(comms.value * 1e3)} ms = {num(value * 1e3)} ms"
        ),
    )
    return DecodeStep(
        context_len=t, weights_read=base.small.weight_read, kv_read=kv_read, compute=compute,
        comms=comms, latency=latency, bound="compute" if t_compute > t_memory else "memory",
    )
