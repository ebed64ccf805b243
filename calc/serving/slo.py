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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..core import validate
from ..core.validate import InputError
from ..model.config import ModelConfig
from . import disagg
from .disagg import Point, Prefill, aggregated
from .efficiency import EFFICIENCIES, Efficiency
from .frontier import DEFAULT_GPUS, LINKS, _gpus
from .profile import resolve_model
from .space import (DEFAULT_ACCEPTANCE, DEFAULT_DRAFT_TOKENS, KV_FORMATS, TP_SIZES, Space, check_options,
                    prices_per_second)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One way to meet the SLO for the whole load: the group, how many of them, GPUs and cost."""

    point: Point  # the group at its largest batch meeting the SLO
    groups: int
    gpus: int
    users: int  # concurrent requests the groups hold (N, or λ · W for a rate)
    cost_per_hour: float | None
    e2e: float  # end-to-end time of one request, s

    def label(self) -> str:
        return f"{self.groups} × [{self.point.label()}]"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    plans: tuple[Plan, ...]  # fewest GPUs first, then cost, then TPOT
    winner: Plan | None
    reason: str
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
             disaggregated: bool = True, kv_link: str = "auto", prices: Mapping[str, float] | None = None,
             efficiency: str | Efficiency = "engine") -> PlanResult:
    """Fewest GPUs meeting TTFT ≤ ``ttft_slo`` and TPOT ≤ ``tpot_slo`` (s) for ``users`` concurrent users or
    ``requests_per_second`` (give one), over the widened space.

    >>> r = plan_slo(model="Llama-2-7B", users=100, gpus=("H100-SXM5-80GB",), prompt_len=512, output_len=256,
    ...              tpot_slo=0.03)
    >>> r.winner.point.tpot <= 0.03, r.winner.users >= 100
    (True, True)
    """
    m = resolve_model(model)
    if (users is None) == (requests_per_second is None):
        raise InputError("users", "Concurrent users: give either users or requests_per_second (not both, not "
                                  "neither)")
    n = None if users is None else validate.positive_int("users", users)
    lam = None if requests_per_second is None else validate.positive("requests_per_second", requests_per_second)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    ttft = None if ttft_slo is None else validate.positive("ttft_slo", ttft_slo)
    tpot = None if tpot_slo is None else validate.positive("tpot_slo", tpot_slo)
    parts = _gpus(gpus)
    opts = check_options(parts=parts, formats=formats, kv_formats=kv_formats, tp_sizes=tp_sizes,
                         expert_parallel=expert_parallel, dp_attention=dp_attention, speculative=speculative,
                         draft_tokens=draft_tokens, acceptance=acceptance, draft_layers=1)
    validate.flag("disaggregated", disaggregated)
    validate.text("kv_link", kv_link, choices=LINKS)
    if not isinstance(efficiency, Efficiency):
        validate.text("efficiency", efficiency, choices=("engine", *EFFICIENCIES))
    price = prices_per_second(prices)
    space = Space(model=m, parts=parts, options=opts, prompt_len=p, output_len=o, efficiency=efficiency)
    pre = Prefill(space, ttft)
    evaluations = configurations = pruned = 0

    def meets(q: Point) -> bool:
        return (tpot is None or q.tpot <= tpot) and (ttft is None or q.ttft <= ttft)

    plans: list[Plan] = []
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
            # already fails), then bisection between them.
            best, lo, hi = None, 1, cap
            for b in (cap, 1):
                q = run(b)
                evaluations += 1
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
            if best is None:
                continue
            held = best.batch * best.decode_workers
            e2e = best.ttft + (o - 1) * best.tpot
            groups = math.ceil(n / held) if n is not None else math.ceil(lam / best.requests_per_second)
            need = n if n is not None else math.ceil(lam * e2e)
            g = groups * best.gpus
            rate = price.get(c.gpu)
            plans.append(Plan(point=best, groups=groups, gpus=g, users=need, e2e=e2e,
                              cost_per_hour=None if rate is None else rate * 3600 * g))
    plans.sort(key=lambda x: (x.gpus, math.inf if x.cost_per_hour is None else x.cost_per_hour, x.point.tpot))
    winner = plans[0] if plans else None
    return PlanResult(plans=tuple(plans), winner=winner, reason=_reason(winner, plans, n, lam, ttft, tpot),
                      configurations=configurations, evaluations=evaluations, pruned_bound=pruned)


def _reason(w: Plan | None, plans: list[Plan], n: int | None, lam: float | None, ttft: float | None,
            tpot: float | None) -> str:
    slo = (f"TTFT ≤ {ttft * 1e3:g} ms" if ttft else "any TTFT") + ", " + (f"TPOT ≤ {tpot * 1e3:g} ms" if tpot
                                                                          else "any TPOT")
    load = f"{n:,} concurrent users" if n is not None else f"{lam:g} requests/s"
    if w is None:
        return f"No configuration meets {slo}: relax the SLO, allow more GPUs or formats."
    text = f"{w.label()} serves {load} within {slo} on {w.gpus:,} GPUs"
    if lam is not None:
        text += f" (Little's law: {lam:g} requests/s × {w.e2e:,.2f} s end to end ≈ {w.users:,} requests in flight)"
    runner = next((x for x in plans[1:] if x.point.config.label() != w.point.config.label()
                   or x.point.mode != w.point.mode), None)
    if runner is not None:
        text += f"; the next option, {runner.label()}, needs {runner.gpus:,}"
    return text + "."
