"""The SLO search over the 2026 space: fewest GPUs (then lowest cost) for N users or λ requests per second.

For every configuration of :mod:`calc.serving.space` (formats the part computes, EP and DP attention,
speculative decoding) run aggregated or disaggregated (:mod:`calc.serving.disagg`), the largest batch per
replica whose TTFT and TPOT meet the targets is found by bisection between 1 and the memory limit (TPOT does
not fall as the batch grows).  A group (one replica, or x prefill + y decode workers) then serves

* ``users`` concurrent requests: batch × decode workers of them, so groups = ⌈N / (batch · y)⌉;
* or a request *rate* λ: by Little's law a group holding L requests, each in the system for the end-to-end
  time W = TTFT + (output − 1) · TPOT, completes L / W requests per second, so groups = ⌈λ / (L / W)⌉, and
  the concurrency it implies is N = λ · W.

Bounds prune without sampling: no request fits → not evaluated; the ideal-roofline TPOT bound above the
target → not evaluated at all.

What a configuration reaches under the SLO does not depend on the load or the prices, so a caller that keeps a
``cache`` mapping between calls (the planner page) answers an edit of the users, the rate or the prices without
evaluating a step again; the page's runtime ships that cache, filled for its default inputs, as a warm state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, MutableMapping

from ..core import validate
from ..core.validate import InputError
from ..model.config import ModelConfig
from . import disagg
from .disagg import Point, Prefill, aggregated
from .efficiency import EFFICIENCIES, Efficiency
from .frontier import DEFAULT_GPUS, LINKS, MemoryUse, _gpus, _none_meets, coverage, explain, why_wins
from .profile import resolve_model
from .space import (DEFAULT_ACCEPTANCE, DEFAULT_DRAFT_TOKENS, KV_FORMATS, TP_SIZES, Space, check_options,
                    per_million, prices_per_second)
from .step import StepTime


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One way to meet the SLO for the whole load: the group, how many of them, GPUs and cost."""

    point: Point  # the group at its largest batch meeting the SLO
    groups: int
    gpus: int
    users: int  # concurrent requests the groups hold (N, or λ · W for a rate)
    requests_per_second: float  # the load in requests/s (λ, or N / W for users in a closed loop)
    cost_per_hour: float | None
    cost_per_m_output: float | None  # $ per million output tokens at this load
    cost_per_m_total: float | None  # $ per million input + output tokens at this load
    e2e: float  # end-to-end time of one request, s
    validated: bool  # the validation data covers this GPU and format (aggregated runs only)

    def label(self) -> str:
        return f"{self.groups} × [{self.point.label()}]"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    plans: tuple[Plan, ...]  # fewest GPUs first, then cost, then TPOT
    winner: Plan | None
    runner_up: Plan | None  # the best plan of another configuration or mode
    reason: str
    why: str  # the clause of ``reason`` that says why the winner beats the runner-up ("" when none)
    decode: StepTime | None  # the winner's decode step, by component
    prefill: StepTime | None  # its prefill of one prompt
    memory: MemoryUse | None  # its memory per GPU at its batch
    configurations: int
    evaluations: int
    pruned_bound: int


def plan_slo(*, model: str | Mapping[str, Any] | ModelConfig = "DeepSeek-V3", users: int | None = None,
             requests_per_second: float | None = None, prompt_len: int = 1024, output_len: int = 1024,
             ttft_slo: float | None = 2.0, tpot_slo: float | None = 0.05,
             gpus: tuple[str, ...] = DEFAULT_GPUS, formats: tuple[str, ...] | None = None,
             kv_formats: tuple[str, ...] = KV_FORMATS, tp_sizes: tuple[int, ...] = TP_SIZES,
             expert_parallel: bool = True, dp_attention: bool = True, speculative: bool = True,
             draft_tokens: int = DEFAULT_DRAFT_TOKENS, acceptance: float = DEFAULT_ACCEPTANCE,
             disaggregated: bool = True, wide_ep: bool = False, kv_link: str = "auto",
             prices: Mapping[str, float] | None = None,
             efficiency: str | Efficiency = "engine", cache: MutableMapping[tuple, Any] | None = None) -> PlanResult:
    """Fewest GPUs meeting TTFT ≤ ``ttft_slo`` and TPOT ≤ ``tpot_slo`` (s) for ``users`` concurrent users or
    ``requests_per_second`` (give one), over the widened space (options as in
    :func:`calc.serving.frontier.frontier`).  A target no configuration meets is an error
    naming it.  ``cache``: a mapping the caller keeps between calls (what each configuration reaches under the
    SLO; the load and the prices are not in it).

    >>> r = plan_slo(model="Llama-2-7B", users=100, gpus=("H100-SXM5-80GB",), prompt_len=512, output_len=256,
    ...              tpot_slo=0.03)
    >>> r.winner.point.tpot <= 0.03, r.winner.users >= 100
    (True, True)
    """
    m = resolve_model(model)
    if (users is None) == (requests_per_second is None):
        raise InputError("users", "Concurrent users: give either users or requests_per_second (not both, not neither)")
    n = None if users is None else validate.positive_int("users", users)
    lam = None if requests_per_second is None else validate.number(
        "requests_per_second", requests_per_second, low=0.0, high=1e9, name="Requests per second")
    if lam is not None and lam <= 0:
        raise validate.fail("requests_per_second", lam, "is not positive; give a rate above 0", name="Requests per second")
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    ttft = None if ttft_slo is None else validate.positive("ttft_slo", ttft_slo)
    tpot = None if tpot_slo is None else validate.positive("tpot_slo", tpot_slo)
    parts = _gpus(gpus)
    opts = check_options(parts=parts, formats=formats, kv_formats=kv_formats, tp_sizes=tp_sizes,
                         expert_parallel=expert_parallel, dp_attention=dp_attention, speculative=speculative,
                         draft_tokens=draft_tokens, acceptance=acceptance, draft_layers=1,
                         wide_ep=wide_ep)
    validate.flag("disaggregated", disaggregated)
    validate.text("kv_link", kv_link, choices=LINKS)
    if not isinstance(efficiency, Efficiency):
        validate.text("efficiency", efficiency, choices=("engine", *EFFICIENCIES))
    price = prices_per_second(prices)
    space = Space(model=m, parts=parts, options=opts, prompt_len=p, output_len=o, efficiency=efficiency)
    pre = Prefill(space, ttft)
    key = ("plan_slo", m, p, o, ttft, tpot, tuple(x.name for x in parts), opts, bool(disaggregated), kv_link,
           efficiency)
    found = None if cache is None else cache.get(key)
    if found is None:
        found = _search(space, pre, ttft, tpot, disaggregated, kv_link)
        if cache is not None:
            cache[key] = found
    bests, configurations, evaluations, pruned, near = found
    if not bests:
        field, value = ("tpot_slo", tpot) if tpot is not None and (not near or min(q.tpot for q in near) > tpot) \
            else ("ttft_slo", ttft)
        raise validate.fail(field, value, _none_meets(m.name, list(near)),
                            name="TPOT target" if field == "tpot_slo" else "TTFT target")
    covered = coverage()
    plans: list[Plan] = []
    for best in bests:
        c = best.config
        held = best.batch * best.decode_workers
        e2e = best.ttft + (o - 1) * best.tpot
        groups = math.ceil(n / held) if n is not None else math.ceil(lam / best.requests_per_second)
        need = n if n is not None else math.ceil(lam * e2e)
        rate = lam if lam is not None else n / e2e  # requests/s the load brings (closed loop: N / W)
        g = groups * best.gpus
        r = price.get(c.gpu)
        plans.append(Plan(point=best, groups=groups, gpus=g, users=need, requests_per_second=rate, e2e=e2e,
                          cost_per_hour=None if r is None else r * 3600 * g,
                          cost_per_m_output=per_million(None if r is None else r * g, rate * o),
                          cost_per_m_total=per_million(None if r is None else r * g, rate * (p + o)),
                          validated=best.mode == "aggregated" and (c.gpu, c.format) in covered))
    plans.sort(key=lambda x: (x.gpus, math.inf if x.cost_per_hour is None else x.cost_per_hour, x.point.tpot))
    winner = plans[0]
    runner = next((x for x in plans[1:] if x.point.config != winner.point.config or x.point.mode != winner.point.mode),
                  None)
    why = "" if runner is None else _why(winner, runner, bool(price))
    dec, pf, mem = explain(space, pre, winner.point)
    return PlanResult(plans=tuple(plans), winner=winner, runner_up=runner,
                      reason=_reason(winner, runner, why, n, lam, ttft, tpot), why=why, decode=dec, prefill=pf,
                      memory=mem, configurations=configurations, evaluations=evaluations, pruned_bound=pruned)


def front(plans: tuple[Plan, ...]) -> tuple[Plan, ...]:
    """The plans no other beats on both GPUs and TPOT (``plans`` fewest GPUs first, as :func:`plan_slo` gives)."""
    out, best = [], math.inf
    for x in plans:
        if x.point.tpot < best:
            out.append(x)
            best = x.point.tpot
    return tuple(out)


def _search(space: Space, pre: Prefill, ttft: float | None, tpot: float | None, disaggregated: bool,
            kv_link: str) -> tuple:
    """Each configuration (and mode) at its largest batch meeting the SLO; the counts; and the fastest and the
    quickest-to-first-token points evaluated (to say how far a target no configuration meets is)."""
    evaluations = configurations = pruned = 0
    fastest = quickest = None

    def meets(q: Point) -> bool:
        return (tpot is None or q.tpot <= tpot) and (ttft is None or q.ttft <= ttft)

    bests: list[Point] = []
    for c in space.configs():
        configurations += 1
        if tpot is not None and space.tpot_bound(c) > tpot:
            pruned += 1
            continue
        cap = space.memory(c).largest_batch()
        runs = [lambda b, c=c: aggregated(space, c, b)]
        if disaggregated:
            runs.append(lambda b, c=c: disagg.disaggregated(space, pre, c, b, kv_link))
        for run in runs:
            # Largest batch in [1, cap] that meets the SLO: the memory limit first (often it does, or batch 1
            # already fails), then bisection between them (TPOT and TTFT do not fall as the batch grows).
            best, lo, hi = None, 1, cap
            for b in (cap, 1):
                q = run(b)
                evaluations += 1
                if q is not None:
                    fastest = q if fastest is None or q.tpot < fastest.tpot else fastest
                    quickest = q if quickest is None or q.ttft < quickest.ttft else quickest
                if q is not None and meets(q):
                    best, lo = (q, cap + 1) if b == cap else (q, 2)
                    break
                if b == 1:
                    lo = hi + 1  # not even one request meets it
                hi = cap - 1
            while lo <= hi:
                mid = (lo + hi) // 2
                q = run(mid)
                evaluations += 1
                if q is not None and meets(q):
                    best, lo = q, mid + 1
                else:
                    hi = mid - 1
            if best is not None:
                bests.append(best)
    near = tuple(q for q in (fastest, quickest) if q is not None)
    return tuple(bests), configurations, evaluations, pruned, near


def _reason(w: Plan, runner: Plan | None, why: str, n: int | None, lam: float | None, ttft: float | None,
            tpot: float | None) -> str:
    slo = (f"TTFT ≤ {ttft * 1e3:g} ms" if ttft else "any TTFT") + ", " + (f"TPOT ≤ {tpot * 1e3:g} ms" if tpot
                                                                          else "any TPOT")
    load = f"{n:,} concurrent users" if n is not None else f"{lam:g} requests/s"
    text = f"{w.label()} serves {load} within {slo} on {w.gpus:,} GPUs"
    if lam is not None:
        text += f" (Little's law: {lam:g} requests/s × {w.e2e:,.2f} s end to end ≈ {w.users:,} requests in flight)"
    if runner is not None:
        text += f"; the runner-up, {runner.label()}, needs {runner.gpus:,} GPUs, and the winner is ahead because {why}"
    return text + "."


def _why(w: Plan, runner: Plan, priced: bool) -> str:
    """Why the winner beats the runner-up: fewer GPUs (the frontier's clause on what differs), or on a tie of
    GPUs the lower cost, then the shorter TPOT (the ranking's order)."""
    if runner.gpus > w.gpus:
        return why_wins(w.point, runner.point, priced)
    if w.cost_per_hour is not None and runner.cost_per_hour is not None and w.cost_per_hour < runner.cost_per_hour:
        return "it needs as many GPUs at a lower cost"
    return "it needs as many GPUs and gives a shorter TPOT"
