"""The throughput–interactivity frontier: tokens/s per GPU against tokens/s per user, with TTFT and cost.

For a model, a workload (prompt and output lengths) and some GPUs, every configuration of
:mod:`calc.serving.space` that fits memory is run at the batches of :func:`~calc.serving.space.batch_grid`
(powers of two up to its memory limit), aggregated and — when asked — disaggregated
(:mod:`calc.serving.disagg`).  Each run is a point: interactivity = 1 / TPOT (tokens/s a user sees) and
throughput = input + output tokens/s per GPU (InferenceX's y-axis).  A point is on the *frontier* when no
other point has both more throughput per GPU and more interactivity; one curve per GPU and per mode
(aggregated / disaggregated).

Cost: a price P in $ per GPU-hour gives $ per million output tokens = P / 3600 / (output tokens/s/GPU) × 10⁶,
and per million total tokens with the total rate.

The *best* point meets the targets (interactivity ≥ a minimum, TPOT ≤ a limit, TTFT ≤ a limit) at the lowest
cost per million output tokens (with prices; else the most tokens per GPU, the same ranking at one price).
Bounds prune without sampling: a configuration that holds no request is never evaluated, and one whose
ideal-roofline TPOT bound (:meth:`Space.tpot_bound`) already misses the TPOT target is not evaluated at all.
Every point returned was evaluated in full and fits memory at its batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Mapping

from ..core import validate
from ..hardware import Accelerator, resolve
from ..model.config import ModelConfig
from . import disagg
from .disagg import Point, Prefill, aggregated, decode_step
from .efficiency import EFFICIENCIES, Efficiency
from .profile import resolve_model
from .space import (DEFAULT_ACCEPTANCE, DEFAULT_DRAFT_TOKENS, KV_FORMATS, TP_SIZES, Config, Space, batch_grid,
                    check_options, per_million, prices_per_second)
from .step import StepTime, _step

DEFAULT_GPUS = ("H200-SXM-141GB", "B200", "MI300X")
LINKS = ("auto", "scale-up", "scale-out")


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryUse:
    """Bytes per GPU of the winner at its batch: what fills the card."""

    capacity: float
    weights: float
    kv_cache: float
    workspace: float
    reserve: float
    used: float


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontierPoint:
    """A point with its cost and whether the validation data covers its GPU and format."""

    point: Point
    cost_per_m_output: float | None  # $ per million output tokens
    cost_per_m_total: float | None  # $ per million input + output tokens
    validated: bool

    def __getattr__(self, name: str) -> Any:  # the point's fields read through (gpu, ttft, tpot, ...)
        return getattr(object.__getattribute__(self, "point"), name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Curve:
    gpu: str
    mode: str
    points: tuple[FrontierPoint, ...]  # Pareto-optimal, by interactivity ascending


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontierResult:
    model: str
    prompt_len: int
    output_len: int
    curves: tuple[Curve, ...]
    front: tuple[FrontierPoint, ...]  # over every GPU and mode
    best: FrontierPoint | None
    runner_up: FrontierPoint | None
    reason: str
    why: str  # the clause of ``reason`` that says why the best beats the runner-up ("" when none)
    decode: StepTime | None  # the best point's decode step, by component
    prefill: StepTime | None  # its prefill of one prompt
    memory: MemoryUse | None
    unvalidated: tuple[str, ...]  # "GPU format" pairs on the frontier with no validation point
    configurations: int
    evaluations: int
    pruned_memory: int
    pruned_bound: int


@cache
def coverage() -> frozenset[tuple[str, str]]:
    """(GPU, format family) pairs with validation points: InferenceX's single-node runs and measured.json."""
    from .inferencex import points as ix_points
    from .validation import points as measured

    fam = {"fp16": "16-bit", "bf16": "16-bit", "fp8": "fp8", "fp4": "fp4", "mxfp4": "fp4"}
    out = {(p.gpu, fam.get(p.weights, p.weights)) for p in ix_points() if not p.disaggregated}
    out |= {(p.gpu, fam.get(p.weights, p.weights)) for p in measured()}
    return frozenset(out)


def pareto(points: list[FrontierPoint]) -> tuple[FrontierPoint, ...]:
    """Points no other beats on both interactivity and throughput per GPU, by interactivity ascending."""
    ordered = sorted(points, key=lambda q: (-q.point.interactivity, -q.point.throughput_per_gpu))
    front, best = [], -1.0
    for q in ordered:
        if q.point.throughput_per_gpu > best:
            front.append(q)
            best = q.point.throughput_per_gpu
    return tuple(reversed(front))


def _gpus(gpus: Any) -> list[Accelerator]:
    parts = [resolve(g) for g in validate.sequence("gpus", gpus, longest=40)]
    if not parts:
        raise validate.fail("gpus", gpus, "is empty; name at least one accelerator")
    return list({p.name: p for p in parts}.values())


def frontier(*, model: str | Mapping[str, Any] | ModelConfig = "DeepSeek-V3", prompt_len: int = 1024,
             output_len: int = 1024, gpus: tuple[str | Accelerator, ...] = DEFAULT_GPUS,
             formats: tuple[str, ...] | None = None, kv_formats: tuple[str, ...] = KV_FORMATS,
             tp_sizes: tuple[int, ...] = TP_SIZES, expert_parallel: bool = True, dp_attention: bool = True,
             speculative: bool = True, draft_tokens: int = DEFAULT_DRAFT_TOKENS,
             acceptance: float = DEFAULT_ACCEPTANCE, draft_layers: int = 1, disaggregated: bool = True,
             wide_ep: bool = False, kv_link: str = "auto", prices: Mapping[str, float] | None = None,
             efficiency: str | Efficiency = "engine", min_interactivity: float | None = None, tpot_slo: float | None = None,
             ttft_slo: float | None = None) -> FrontierResult:
    """The Pareto front of throughput per GPU vs interactivity, per GPU and mode, and the cheapest point on target.

    ``formats``: weight-and-activation formats to try (None: each part's own: 16-bit, fp8 where it has an fp8
    peak, fp4 where it has an fp4 one; asking for one a GPU lacks is an error).  ``expert_parallel``,
    ``dp_attention``, ``speculative`` and ``disaggregated`` add those options to the space (each is tried
    besides the plain choice); ``wide_ep`` adds DEP over 16, 32 and 64 GPUs on NVL72 parts (GB200, GB300) for a
    MoE model.  ``efficiency``: ``"engine"`` (the fitted profile :func:`calc.serving.space.engine_profile` picks
    for each GPU), a profile name, or an :class:`Efficiency`.  ``prices``: $ per GPU-hour by GPU.  ``kv_link``:
    the link a disaggregated group moves the KV cache over (``auto``: scale-up when the group fits one domain).
    Targets (None: none): ``min_interactivity`` in tokens/s per user, ``tpot_slo`` and ``ttft_slo`` in s.

    >>> r = frontier(model="Llama-2-7B", gpus=("H100-SXM5-80GB",), prompt_len=512, output_len=256,
    ...              min_interactivity=50, prices={"H100-SXM5-80GB": 2.0})
    >>> r.best.gpu, r.best.tpot <= 1 / 50, r.best.cost_per_m_output > 0
    ('H100-SXM5-80GB', True, True)
    """
    m = resolve_model(model)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    parts = _gpus(gpus)
    opts = check_options(parts=parts, formats=formats, kv_formats=kv_formats, tp_sizes=tp_sizes,
                         expert_parallel=expert_parallel, dp_attention=dp_attention, speculative=speculative,
                         draft_tokens=draft_tokens, acceptance=acceptance, draft_layers=draft_layers,
                         wide_ep=wide_ep)
    validate.flag("disaggregated", disaggregated)
    validate.text("kv_link", kv_link, choices=LINKS)
    if not isinstance(efficiency, Efficiency):
        validate.text("efficiency", efficiency, choices=("engine", *EFFICIENCIES))
    price = prices_per_second(prices)
    lo_i = None if min_interactivity is None else validate.positive("min_interactivity", min_interactivity)
    tpot = None if tpot_slo is None else validate.positive("tpot_slo", tpot_slo)
    ttft = None if ttft_slo is None else validate.positive("ttft_slo", ttft_slo)
    limit = min(x for x in (tpot, 1 / lo_i if lo_i else None, float("inf")) if x is not None)

    space = Space(model=m, parts=parts, options=opts, prompt_len=p, output_len=o, efficiency=efficiency)
    pre = Prefill(space, ttft)
    covered = coverage()
    points: list[FrontierPoint] = []
    configurations = evaluations = pruned_bound = 0
    for c in space.configs():
        configurations += 1
        if limit < float("inf") and space.tpot_bound(c) > limit:
            pruned_bound += 1  # even the ideal roofline misses the target: no point of it can be the best
            continue
        cap = space.memory(c).largest_batch()
        ok = (c.gpu, c.format) in covered
        for b in batch_grid(cap):
            runs = [aggregated(space, c, b)]
            if disaggregated:
                d = disagg.disaggregated(space, pre, c, b, kv_link)
                if d is not None:
                    runs.append(d)
            for pt in runs:
                evaluations += 1
                rate = price.get(c.gpu)
                points.append(FrontierPoint(point=pt, cost_per_m_output=per_million(rate, pt.output_per_gpu),
                                            cost_per_m_total=per_million(rate, pt.throughput_per_gpu),
                                            validated=ok and pt.mode == "aggregated"))
    if configurations == 0:
        raise validate.fail("model", m.name, f"does not fit on {', '.join(p.name for p in parts)} with any allowed "
                                             f"TP size ({', '.join(map(str, opts.tp_sizes))}) and format with one "
                                             f"request of {p + o:,} tokens; add GPUs, larger TP or smaller formats")
    curves = []
    for key in sorted({(q.gpu, q.mode) for q in points}):
        curves.append(Curve(gpu=key[0], mode=key[1], points=pareto([q for q in points if (q.gpu, q.mode) == key])))
    front = pareto(points)

    def meets(q: FrontierPoint) -> bool:
        return q.tpot <= limit and (ttft is None or q.ttft <= ttft)

    def rank(q: FrontierPoint) -> tuple:
        cost = q.cost_per_m_output
        return (cost is None, cost if cost is not None else 0.0, -q.throughput_per_gpu, q.gpus)

    ok_points = sorted((q for q in points if meets(q)), key=rank)
    if not ok_points and (lo_i or tpot or ttft):
        field, value = (("min_interactivity", lo_i) if lo_i else ("tpot_slo", tpot) if tpot else ("ttft_slo", ttft))
        raise validate.fail(field, value, _none_meets(m.name, points))
    best = ok_points[0] if ok_points else None
    runner = next((q for q in ok_points[1:] if _option(q) != _option(best)), None) if best else None
    dec = pf = mem = None
    if best is not None:
        dec, pf, mem = explain(space, pre, best.point)
    reason, why = _reason(best, runner, bool(price))
    unvalidated = tuple(sorted({f"{q.gpu} {q.config.format}" for q in front if (q.gpu, q.config.format) not in covered}
                               | ({"disaggregated"} if any(q.mode == "disaggregated" for q in front) else set())))
    return FrontierResult(model=m.name, prompt_len=p, output_len=o, curves=tuple(curves), front=front, best=best,
                          runner_up=runner, reason=reason, why=why,
                          decode=dec, prefill=pf, memory=mem, unvalidated=unvalidated, configurations=configurations,
                          evaluations=evaluations, pruned_memory=space.pruned_memory, pruned_bound=pruned_bound)


def explain(space: Space, pre: Prefill, point: Point) -> tuple[StepTime, StepTime, MemoryUse]:
    """A point's decode step and prefill of one prompt, by component, and its memory per GPU at its batch (the
    frontier's best point and the SLO search's winner are explained by this one function)."""
    c = point.config
    dec = _step("decode", decode_step(space, c, point.batch))
    pc = c if point.mode == "aggregated" else pre.best(c)[0]
    pf = _step("prefill", space.evaluator(pc).prefill(batch=1, prompt_len=space.p))
    mm = space.memory(c)
    mem = MemoryUse(capacity=mm.capacity, weights=mm.weights, kv_cache=point.batch * mm.kv_per_request,
                    workspace=mm.workspace(point.batch), reserve=mm.reserve, used=mm.used(point.batch))
    return dec, pf, mem


def _option(q: FrontierPoint) -> tuple:
    c = q.config
    return (c.gpu, q.mode, c.parallel, c.format, c.kv, c.draft_tokens)


def _none_meets(name: str, points: list) -> str:
    if not points:
        return (f"is met by no configuration of {name}: even the ideal roofline of each misses it; relax the target "
                "or add faster GPUs, smaller formats or speculative decoding")
    top = max((q.interactivity for q in points), default=0.0)
    fast = min((q.ttft for q in points), default=float("inf"))
    return (f"is met by no configuration of {name} (the fastest reaches {top:,.1f} tokens/s per user, the lowest "
            f"TTFT is {fast * 1e3:,.0f} ms); relax the target or add GPUs, formats or speculative decoding")


def why_wins(best: Point, runner: Point, priced: bool) -> str:
    """One clause: why ``best`` beats ``runner`` (the first of GPU, mode, format, drafts, parallelism, KV format
    in which they differ)."""
    b, r = best.config, runner.config
    if b.gpu != r.gpu:
        why = f"{b.gpu} delivers more tokens per {'dollar' if priced else 'GPU'} than {r.gpu} at this interactivity"
    elif best.mode != runner.mode:
        why = ("its prefills interleaved with decoding cost less than the dedicated prefill workers of the "
               "disaggregated group" if best.mode == "aggregated" else
               "dedicated prefill workers keep prefills out of its decode steps, so TPOT stays on target at a "
               "larger batch")
    elif b.format != r.format:
        why = f"{b.weights} moves fewer bytes and computes at a higher peak than {r.weights}"
    elif b.draft_tokens != r.draft_tokens:
        why = ("speculative decoding yields several tokens per memory-bound step" if b.draft_tokens else
               "at this batch the drafts cost more than the tokens they add")
    elif b.parallel != r.parallel:
        why = f"{b.parallel} spends less of each step in collectives and per-GPU reads than {r.parallel}"
    elif b.kv != r.kv:
        why = f"a {b.kv} KV cache leaves room for a larger batch than {r.kv}"
    else:
        why = "its batch sits closer to the target"
    return why


def _reason(best: FrontierPoint | None, runner: FrontierPoint | None, priced: bool) -> tuple[str, str]:
    if best is None:
        return "No point to compare.", ""
    what = (f"${best.cost_per_m_output:,.3f} per million output tokens" if best.cost_per_m_output is not None
            else f"{best.throughput_per_gpu:,.0f} tokens/s per GPU")
    text = f"{best.label()} gives {what} at {best.interactivity:,.1f} tokens/s per user"
    if runner is None:
        return text + "; no other configuration meets the target.", ""
    why = why_wins(best.point, runner.point, priced)
    gain = best.throughput_per_gpu / runner.throughput_per_gpu - 1 if runner.throughput_per_gpu else 0.0
    return (f"{text}; it beats the runner-up, {runner.label()} ({runner.throughput_per_gpu:,.0f} tokens/s per GPU, "
            f"{gain:+.0%} for the winner), because {why}."), why


@cache
def inferencex_points(*, gpus: tuple[str, ...], prompt_len: int, output_len: int) -> tuple[dict, ...]:
    """The public InferenceX measurements of these GPUs at these nominal lengths, single node and disaggregated:
    interactivity (1 / median TPOT), total tokens/s per GPU, median TTFT, configuration and run link."""
    from .inferencex import points as ix_points

    names = {resolve(g).name for g in gpus}
    out = []
    for q in ix_points():
        if q.gpu in names and q.input_len == prompt_len and q.output_len == output_len:
            out.append({"gpu": q.gpu, "config": q.config, "interactivity": 1 / q.tpot, "throughput": q.throughput_per_gpu,
                        "ttft": q.ttft, "concurrency": q.concurrency, "spec": q.spec, "run_url": q.run_url})
    return tuple(out)

