"""One point of a configuration's curve: aggregated (one replica does both phases) or disaggregated.

**Aggregated**: ``batch`` concurrent requests on one replica under continuous batching,
:func:`calc.serving.estimate.serve_details` (TPOT carries the interleaved prefills, TTFT the queue).  By
Little's law the replica finishes ``batch / end-to-end`` requests per second, each of ``prompt + output``
tokens — the reading of InferenceX's total throughput per GPU (:mod:`calc.serving.inferencex`).

**Disaggregated** (x prefill workers + y decode workers): a decode worker runs ``batch`` requests with no
prefill between its steps, so TPOT = its decode step / accepted tokens.  Each request holds a decode slot for
about ``output`` steps: a worker takes λ_d = batch / (output · TPOT) requests per second.  A prefill worker
runs one prompt at a time in P seconds (μ = 1 / P).  For each y from 1 to 8 the fewest prefill workers that
keep them at most 85 % busy is x = ⌈y·λ_d·P / 0.85⌉; the (x, y) with the most tokens per GPU wins.  The
prefill worker's TP is the one with the fewest GPU-seconds per prompt (meeting the TTFT target if given).

TTFT (disaggregated) = per-request cost + queue at the prefill workers ρ·P / (2(1 − ρ)) (M/D/1 per worker,
ρ = y·λ_d·P / x) + P + the KV transfer: the prompt's cache (all layers, in the KV format) sent by the
prefill worker's GPUs in parallel over the scale-up link when all x·G_p + y·G_d GPUs share one scale-up
domain, else over scale-out, at the profile's η_link, plus one α.  The first token is sampled at the end
of the prefill, so no decode step is added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .estimate import serve_details
from .parts import Parts
from .space import SCALE_UP_WORLD, Config, Space

#: Largest share of time a prefill worker may be busy when sizing x (queues explode near 1).
PREFILL_BUSY = 0.85
MAX_DECODE_WORKERS = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One (configuration, batch) of a curve with its latency, throughput and GPUs."""

    config: Config
    mode: str  # "aggregated" or "disaggregated"
    batch: int  # requests running on one (decode) replica
    prefill_workers: int  # 0 when aggregated
    prefill_tp: int
    decode_workers: int  # replicas of the configuration
    gpus: int
    link: str  # KV transfer link ("" when aggregated)
    ttft: float
    tpot: float
    throughput_per_gpu: float  # input + output tokens/s per GPU
    output_per_gpu: float  # output tokens/s per GPU
    requests_per_second: float  # of the whole group (one replica, or x + y workers)

    @property
    def gpu(self) -> str:
        return self.config.gpu

    @property
    def interactivity(self) -> float:
        return 1.0 / self.tpot

    def label(self) -> str:
        if self.mode == "aggregated":
            return f"{self.config.label()}, batch {self.batch}"
        return (f"{self.prefill_workers} prefill × TP{self.prefill_tp} + {self.decode_workers} decode × "
                f"({self.config.label()}), batch {self.batch}, KV over {self.link}")


def aggregated(space: Space, c: Config, batch: int) -> Point:
    ev = space.evaluator(c)
    p, o = space.p, space.out
    r = serve_details(ev, batch=batch, prompt_len=p, output_len=o, continuous=True, draft_tokens=c.draft_tokens,
                      acceptance=c.acceptance, draft_layers=space.o.draft_layers)
    e2e = r.ttft + (o - 1) * r.tpot
    rate = batch / e2e
    return Point(config=c, mode="aggregated", batch=batch, prefill_workers=0, prefill_tp=0, decode_workers=1,
                 gpus=c.tp, link="", ttft=r.ttft, tpot=r.tpot, throughput_per_gpu=rate * (p + o) / c.tp,
                 output_per_gpu=rate * o / c.tp, requests_per_second=rate)


def decode_step(space: Space, c: Config, batch: int) -> Parts:
    """A decode worker's step (drafts and verification with speculation), as in ``serve_details``."""
    ev = space.evaluator(c)
    s0, s1 = space.p + 1, space.p + max(space.out - 1, 1)
    dec = ev.decode(batch=batch, s0=s0, s1=s1, queries=c.draft_tokens + 1)
    if c.draft_tokens:
        one = ev.decode(batch=batch, s0=s0, s1=s1)
        dec = dec.plus(Parts(draft=c.draft_tokens * one.total * space.o.draft_layers / ev.m.n_layers))
    return dec


class Prefill:
    """The prefill worker chosen for a decode configuration's GPU and formats (cached)."""

    def __init__(self, space: Space, ttft_slo: float | None) -> None:
        self.space, self.ttft_slo = space, ttft_slo
        self._best: dict[tuple, tuple[Config, float] | None] = {}

    def options(self, c: Config) -> list[tuple[Config, float]]:
        s, out = self.space, []
        for tp in s.o.tp_sizes:
            part = s.part(c)  # a prefill worker stays inside one scale-up domain, like a decode replica
            if tp > SCALE_UP_WORLD.get(part.name, 8) or (tp > 1 and part.interconnect is None) or s.m.n_heads % tp:
                continue
            ep = s.m.is_moe and tp > 1 and s.o.expert_parallel and tp <= s.m.n_experts
            pc = Config(gpu=c.gpu, tp=tp, ep=ep, dp_attention=False, format=c.format, weights=c.weights, kv=c.kv,
                        draft_tokens=0, acceptance=0.0)
            if s.memory(pc).largest_batch() < 1:
                continue
            out.append((pc, s.evaluator(pc).prefill(batch=1, prompt_len=s.p).total))
        return out

    def best(self, c: Config) -> tuple[Config, float] | None:
        key = (c.gpu, c.weights, c.kv)
        if key not in self._best:
            opts = self.options(c)
            fast = [o for o in opts if self.ttft_slo is None or o[1] < self.ttft_slo]
            pool = fast or opts
            self._best[key] = min(pool, key=lambda o: (o[1] * o[0].tp, o[1])) if pool else None
        return self._best[key]


def disaggregated(space: Space, prefill: Prefill, c: Config, batch: int, link: str) -> Point | None:
    chosen = prefill.best(c)
    if chosen is None:
        return None
    pc, pt = chosen
    p, o = space.p, space.out
    dec = decode_step(space, c, batch)
    tpot = dec.total / space.accepted(c)
    lam = batch / (o * tpot)  # requests per second one decode worker takes
    best = None
    for y in range(1, MAX_DECODE_WORKERS + 1):
        x = max(1, math.ceil(y * lam * pt / PREFILL_BUSY))
        gpus = x * pc.tp + y * c.tp
        score = y * lam / gpus
        if best is None or score > best[0] * (1 + 1e-12):
            best = (score, x, y, gpus)
    _, x, y, gpus = best
    rho = y * lam * pt / x
    queue = rho * pt / (2 * (1 - rho))
    ev = space.evaluator(pc)
    name, bw = space.link(c, gpus, link)
    transfer = space.kv_bytes(c, p) / (pc.tp * bw * ev.eff.link) + ev.eff.alpha
    ttft = ev.eff.request_overhead + queue + pt + transfer
    rate = y * lam
    return Point(config=c, mode="disaggregated", batch=batch, prefill_workers=x, prefill_tp=pc.tp, decode_workers=y,
                 gpus=gpus, link=name, ttft=ttft, tpot=tpot, throughput_per_gpu=rate * (p + o) / gpus,
                 output_per_gpu=rate * o / gpus, requests_per_second=rate)
