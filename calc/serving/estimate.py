"""A deployment's TTFT, TPOT, end-to-end latency and throughput from the step times of :mod:`.step`."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from ..core import validate
from ..core.quantity import Quantity, num
from ..core.validate import InputError
from ..hardware import Accelerator
from .profile import decode_lines
from .efficiency import OPTIMISTIC, TYPICAL, Efficiency
from .step import Evaluator, Model, Parts, StepTime, _step, make_evaluator, why


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingEstimate:
    """Latency and throughput of serving ``batch`` concurrent requests on one replica (TP × PP GPUs)."""

    model: str
    gpu: str
    tp: int
    pp: int
    batch: int
    prompt_len: int
    output_len: int
    batching: str
    efficiency: Efficiency
    prefill: StepTime
    decode: StepTime
    ttft: Quantity
    tpot: Quantity
    end_to_end: Quantity
    throughput_per_gpu: Quantity
    throughput_per_user: Quantity
    throughput_total: Quantity
    roofline_bound_per_gpu: Quantity
    per_token: tuple[tuple[int, float], ...]  # (context position, step seconds) across the output
    why: str


def serve(ev: Evaluator, *, batch: int, prompt_len: int, output_len: int, continuous: bool) -> tuple[Parts, Parts,
                                                                                                      float, float]:
    """The floats behind :func:`serving_estimate`: (prefill parts, decode parts, TTFT, TPOT)."""
    s0, s1 = prompt_len + 1, prompt_len + max(output_len - 1, 1)
    dec = ev.decode(batch=batch, s0=s0, s1=s1)
    if continuous:
        pre = ev.prefill(batch=1, prompt_len=prompt_len)
        # Each request's prefill is interleaved once over its output: B prefills per `output` intervals.
        tpot = dec.total + batch / output_len * pre.total / ev.pp
        ttft = pre.total + tpot
    else:
        pre = ev.prefill(batch=batch, prompt_len=prompt_len)
        tpot, ttft = dec.total, pre.total
    return pre, dec, ttft, tpot


def serving_estimate(*, model: Model, gpu: str | Accelerator, prompt_len: int = 512, output_len: int = 256,
                     batch: int = 1, tp: int = 1, pp: int = 1, weights: str | None = None, kv: str | None = None,
                     activations: str | None = None, expert_parallel: bool = False, batching: str = "continuous",
                     efficiency: Efficiency = TYPICAL, curve_points: int = 16) -> ServingEstimate:
    """TTFT, TPOT, end-to-end latency and throughput of ``batch`` concurrent requests on TP × PP GPUs.

    ``batching="static"`` is a fixed batch prefilled together then decoded
    together (the benchmarks' setting); ``"continuous"`` interleaves each new
    request's prefill with the others' decoding.

    >>> r = serving_estimate(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=1, prompt_len=128, output_len=128,
    ...                      batching="static")
    >>> round(r.tpot.value * 1e3, 2), round(r.ttft.value * 1e3, 1)
    (8.97, 9.9)
    """
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, pp=pp, weights=weights, kv=kv, activations=activations,
                        expert_parallel=expert_parallel, efficiency=efficiency)
    b = validate.positive_int("batch", batch)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    validate.text("batching", batching, choices=("continuous", "static"))
    n_points = validate.positive_int("curve_points", curve_points)
    pre, dec, ttft, tpot = serve(ev, batch=b, prompt_len=p, output_len=o, continuous=batching == "continuous")
    gpus = ev.tp * ev.pp
    e2e = ttft + (o - 1) * tpot
    per_gpu = b / tpot / gpus
    curve = []
    for i in range(n_points):
        pos = p + 1 + round(i * max(o - 2, 0) / max(n_points - 1, 1))
        curve.append((pos, ev.decode(batch=b, s0=pos, s1=pos).total))
    bound = roofline_bound(ev, batch=b, context=p + max(o // 2, 1))

    def q(value: float, unit: str, formula: str, substituted: str) -> Quantity:
        return Quantity(value=value, unit=unit, formula=formula, substituted=substituted)

    return ServingEstimate(
        model=ev.m.name, gpu=ev.part.name, tp=ev.tp, pp=ev.pp, batch=b, prompt_len=p, output_len=o,
        batching=batching, efficiency=ev.eff, prefill=_step("prefill", pre), decode=_step("decode", dec),
        ttft=q(ttft, "s", "prefill (+ one decode interval, continuous)" if batching == "continuous" else "prefill",
               f"{num(ttft * 1e3)} ms"),
        tpot=q(tpot, "s", "mean decode interval over the output (+ B/o · prefill, continuous)",
               f"{num(dec.total * 1e3)} ms" + (f" + {b}/{o} × {num(pre.total * 1e3)} ms / {ev.pp}"
                                                if batching == "continuous" else "") + f" = {num(tpot * 1e3)} ms"),
        end_to_end=q(e2e, "s", "TTFT + (o − 1) · TPOT",
                     f"{num(ttft * 1e3)} ms + {o - 1} × {num(tpot * 1e3)} ms = {num(e2e)} s"),
        throughput_per_gpu=q(per_gpu, "tokens/s", "B / TPOT / GPUs",
                             f"{b} / {num(tpot * 1e3)} ms / {gpus} = {num(per_gpu)} tokens/s"),
        throughput_per_user=q(1 / tpot, "tokens/s", "1 / TPOT", f"1 / {num(tpot * 1e3)} ms = {num(1 / tpot)} tokens/s"),
        throughput_total=q(b * o / e2e if batching == "static" else b / tpot, "tokens/s",
                           "B · o / end-to-end" if batching == "static" else "B / TPOT",
                           f"{num(b * o / e2e if batching == 'static' else b / tpot)} tokens/s"),
        roofline_bound_per_gpu=bound, per_token=tuple(curve), why=why(dec, "decode") + "; " + why(pre, "prefill"),
    )


def roofline_bound(ev: Evaluator, *, batch: int, context: int) -> Quantity:
    """Tokens/s per GPU no serving can beat: one decode step's FLOPs and bytes (weights read once)
    spread perfectly over the GPUs at the datasheet peak and bandwidth, nothing else."""
    lines = decode_lines(ev.m, batch=batch, weights=ev.weights, activations=ev.activations, kv=ev.kv,
                         max_context=context)
    flops = sum(o.flops[0] + o.flops[1] * context for o in lines)
    moved = sum(o.weight_bytes[0] + o.activation_bytes[0] + o.kv_bytes[0] + o.kv_bytes[1] * context for o in lines)
    gpus = ev.tp * ev.pp
    peak = max(ev.part.peaks.values())
    t = max(flops / (gpus * peak), moved / (gpus * ev.part.bandwidth))
    value = batch / t / gpus
    return Quantity(value=value, unit="tokens/s", formula="B / max(F / (G·π_max), bytes / (G·β)) / G",
                    substituted=f"{batch} / {num(t * 1e3)} ms / {gpus} = {num(value)} tokens/s")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingRange:
    """The same deployment under optimistic and typical efficiencies."""

    optimistic: ServingEstimate
    typical: ServingEstimate


#: What serving_range passes on to serving_estimate (anything else is refused by name).
_RANGE_INPUTS = tuple(k for k in inspect.signature(serving_estimate).parameters if k != "efficiency")


def serving_range(**kwargs: Any) -> ServingRange:
    """:func:`serving_estimate` under :data:`OPTIMISTIC` and :data:`TYPICAL` (``efficiency`` is set here)."""
    if "efficiency" in kwargs:
        raise InputError("efficiency", "Efficiency: serving_range sets it itself; call serving_estimate for one value")
    validate.keywords("serving_range", kwargs, _RANGE_INPUTS)
    return ServingRange(optimistic=serving_estimate(**kwargs, efficiency=OPTIMISTIC),
                        typical=serving_estimate(**kwargs, efficiency=TYPICAL))
