"""Users per node under an SLO, nodes for N users, and the search for the cheapest deployment.

A *replica* is one copy of the model on TP × PP GPUs; a node of ``n`` GPUs
holds ``n / (TP·PP)`` replicas (TP × PP = n is one replica filling the node).
For each replica the batch is the largest that fits in memory
(:mod:`calc.serving.capacity`) and meets the SLO: TTFT ≤ x and TPOT ≤ y
(:mod:`calc.serving.step`, continuous batching).  TPOT and TTFT never fall as the
batch grows, so that batch is found by bisection.  Concurrent users per node
= replicas × batch; nodes for N users = ⌈N / users per node⌉.

The search runs over catalog accelerators × GPUs per node (1–8) × TP × PP
splits (TP dividing the heads) × weight dtype × KV dtype, and returns every
feasible deployment ranked by GPUs (then cost per hour when prices are
given, then TPOT), the Pareto front of GPUs vs TPOT vs throughput per GPU,
and why the winner wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, MutableMapping

from ..core import validate
from .capacity import DEFAULT_BLOCK, DEFAULT_RESERVE, MemoryModel
from ..hardware import Accelerator, catalog, resolve
from ..model.config import ModelConfig
from ..source.planner import nodes_for_users
from .profile import resolve_model
from ..core.quantity import Quantity, num
from .efficiency import TYPICAL, Efficiency
from .estimate import serve
from .step import Evaluator, default_activations
from ..core.validate import InputError

WEIGHT_DTYPES = ("16-bit", "fp8", "int8", "int4")
#: Weight formats a caller may ask for besides the default four (4-bit floats, dequantised under 16-bit activations).
EXTRA_WEIGHT_DTYPES = ("fp4", "mxfp4")
KV_DTYPES = ("16-bit", "fp8")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicaCapacity:
    """The largest batch one replica serves within the SLO, and why it stops there."""

    batch: int
    memory_batch: int
    limited_by: str  # "memory", "TPOT", "TTFT" or "does not fit"
    ttft: float
    tpot: float
    evaluations: int


def replica_capacity(ev: Evaluator, mem: MemoryModel, *, prompt_len: int, output_len: int,
                     ttft_slo: float | None, tpot_slo: float | None) -> ReplicaCapacity:
    """Bisection on the batch between 1 and the memory limit (floats only; the search's inner loop)."""
    cap = mem.largest_batch()
    if cap < 1:
        return ReplicaCapacity(batch=0, memory_batch=0, limited_by="does not fit", ttft=math.inf, tpot=math.inf,
                               evaluations=0)
    n = 0

    def check(b: int) -> tuple[bool, float, float, str]:
        nonlocal n
        n += 1
        _, _, ttft, tpot = serve(ev, batch=b, prompt_len=prompt_len, output_len=output_len, continuous=True)
        if tpot_slo is not None and tpot > tpot_slo:
            return False, ttft, tpot, "TPOT"
        if ttft_slo is not None and ttft > ttft_slo:
            return False, ttft, tpot, "TTFT"
        return True, ttft, tpot, ""

    def margin(t1: float, t2: float) -> float:
        return max((t2 - tpot_slo) / tpot_slo if tpot_slo else -1.0, (t1 - ttft_slo) / ttft_slo if ttft_slo else -1.0)

    ok, ttft, tpot, why = check(cap)
    if ok:
        return ReplicaCapacity(batch=cap, memory_batch=cap, limited_by="memory", ttft=ttft, tpot=tpot, evaluations=n)
    ok1, ttft1, tpot1, why1 = check(1)
    if not ok1:
        return ReplicaCapacity(batch=0, memory_batch=cap, limited_by=why1, ttft=ttft1, tpot=tpot1, evaluations=n)
    # Interpolate on the SLO margin (TPOT is close to affine in the batch), bisecting when that stalls.
    lo, hi, best = 1, cap, (ttft1, tpot1)
    g_lo, g_hi = margin(ttft1, tpot1), margin(ttft, tpot)
    bisect = False
    while hi - lo > 1:
        if bisect or g_hi <= g_lo:
            mid = (lo + hi) // 2
        else:
            mid = min(max(int(lo + (hi - lo) * -g_lo / (g_hi - g_lo)), lo + 1), hi - 1)
        width = hi - lo
        ok, t1, t2, w = check(mid)
        if ok:
            lo, best, g_lo = mid, (t1, t2), margin(t1, t2)
        else:
            hi, why, g_hi = mid, w, margin(t1, t2)
        bisect = not bisect and (hi - lo) * 2 > width
    return ReplicaCapacity(batch=lo, memory_batch=cap, limited_by=why, ttft=best[0], tpot=best[1], evaluations=n)


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment:
    """One feasible way to serve the users: hardware, split, dtypes, batch and what it costs."""

    gpu: str
    gpus_per_node: int
    tp: int
    pp: int
    replicas_per_node: int
    weights: str
    kv: str
    batch: int  # per replica
    limited_by: str
    users_per_node: int
    nodes: int
    gpus: int
    ttft: float
    tpot: float
    throughput_per_gpu: float
    cost_per_hour: float | None

    def label(self) -> str:
        return (f"{self.nodes} × {self.gpus_per_node} {self.gpu}, TP{self.tp}·PP{self.pp} × {self.replicas_per_node},"
                f" w {self.weights}, kv {self.kv}, batch {self.batch}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResult:
    """Ranked feasible deployments, their Pareto front, the winner and why."""

    users: int
    deployments: tuple[Deployment, ...]
    front: tuple[Deployment, ...]
    winner: Deployment | None
    reason: str
    configurations: int  # (accelerator, GPUs per node, TP, PP, dtypes) combinations considered
    evaluations: int  # serving evaluations (one batch on one configuration)


def _dtype(choice: str, act: str) -> str:
    return act if choice == "16-bit" else choice


def _splits(m: ModelConfig, node: int) -> list[tuple[int, int]]:
    return [(tp, node // tp) for tp in range(1, node + 1)
            if node % tp == 0 and m.n_heads % tp == 0 and node // tp <= m.n_layers]


def parse_prices(items: Iterable[str], *, field: str = "prices") -> dict[str, float]:
    """``["H100-SXM5-80GB=2.5", ...]`` as ``{name: dollars per GPU-hour}``; text is parsed, never evaluated."""
    prices: dict[str, float] = {}
    for item in validate.sequence(field, items):
        item = validate.text(field, item, empty=True).strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            prices[resolve(name.strip()).name] = validate.number(field, float(value), high=1e6, name="Price")
        except ValueError as err:
            if isinstance(err, InputError):  # an unknown GPU or a bad price: its own message, on this field
                raise InputError(field, str(err)) from None
            raise validate.fail(field, item, "must be written GPU=price per GPU-hour, e.g. H100-SXM5-80GB=2.5") from None
    return prices


def search_deployments(*, model: str | Mapping[str, Any] | ModelConfig, users: int, prompt_len: int = 512,
                       output_len: int = 256, ttft_slo: float | None = 2.0, tpot_slo: float | None = 0.1,
                       gpus: tuple[str | Accelerator, ...] | None = None, gpus_per_node: tuple[int, ...] = tuple(range(1, 9)),
                       weight_dtypes: tuple[str, ...] = WEIGHT_DTYPES, kv_dtypes: tuple[str, ...] = KV_DTYPES,
                       prices: Mapping[str, float] | None = None, efficiency: Efficiency = TYPICAL,
                       block_size: int | None = DEFAULT_BLOCK, reserve_fraction: float = DEFAULT_RESERVE,
                       expert_parallel: bool = True, group_size: int | None = None,
                       capacity_cache: MutableMapping[tuple, dict] | None = None) -> SearchResult:
    """Every deployment meeting the SLO for ``users`` concurrent users, cheapest first.

    SLOs are in seconds (``None``: no limit).  ``prices`` maps a GPU name to
    its price per GPU-hour; deployments are then ranked by cost after GPUs.
    ``group_size`` is the quantization group of the int4 and int8 weight
    options (default: int4 128, int8 per channel).  A deployment whose
    weights and cache do not fit is never listed.
    ``capacity_cache``: a mapping the caller keeps between calls (the planner page's, bounded there);
    a replica's capacity does not depend on ``users`` or ``prices``, so an edit of those reuses every one,
    and an edit of the lengths or the SLO reuses the step-time evaluators.

    >>> r = search_deployments(model="Llama-2-7B", users=1000, gpus=("A100-SXM4-80GB",), gpus_per_node=(8,),
    ...                        ttft_slo=1.0, tpot_slo=0.05)
    >>> r.winner.gpus, r.winner.tp, r.winner.weights
    (8, 1, 'int4')
    """
    m = resolve_model(model)
    u = validate.positive_int("users", users)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    ttft = None if ttft_slo is None else validate.positive("ttft_slo", ttft_slo)
    tpot = None if tpot_slo is None else validate.positive("tpot_slo", tpot_slo)
    parts = [resolve(g) for g in validate.sequence("gpus", gpus)] if gpus is not None else list(catalog())
    if not parts:
        raise validate.fail("gpus", gpus, "is empty; name at least one accelerator or leave it out for all")
    nodes_sizes = sorted({validate.positive_int("gpus_per_node", n) for n in validate.sequence("gpus_per_node", gpus_per_node)})
    if not nodes_sizes or nodes_sizes[-1] > 8:
        raise validate.fail("gpus_per_node", gpus_per_node, "must be sizes between 1 and 8")
    for key, chosen, allowed in (("weight_dtypes", weight_dtypes, WEIGHT_DTYPES + EXTRA_WEIGHT_DTYPES),
                                 ("kv_dtypes", kv_dtypes, KV_DTYPES)):
        for x in validate.sequence(key, chosen):
            validate.text(key, x, choices=allowed)
    price = {}
    if prices is not None and not isinstance(prices, Mapping):
        raise validate.fail("prices", prices, "is not a table of prices; give {GPU name: dollars per GPU-hour}")
    for name, value in (prices or {}).items():
        try:
            part_name = resolve(name).name
        except InputError as err:  # the message names the GPU; the field is the prices table
            raise InputError("prices", str(err)) from None
        price[part_name] = validate.number("prices", value, high=1e6, name=f"Price of {part_name}")
    block = validate.optional_count("block_size", block_size, zero_is_none=True)
    reserve = validate.non_negative("reserve_fraction", reserve_fraction)
    validate.flag("expert_parallel", expert_parallel)
    if group_size is not None:
        g = validate.positive_int("group_size", group_size)
        if m.hidden % g:
            raise validate.fail("group_size", group_size, f"does not divide the hidden size {m.hidden} of {m.name};"
                                                          " try 32, 64 or 128")

    deployments: list[Deployment] = []
    configurations = evaluations = 0
    params = m.parameter_count().value
    replica_splits = sorted({s for n in nodes_sizes for s in _splits(m, n)})
    # Capacities keyed by everything they depend on but the replica, then by the replica.  Evaluators
    # (step times, with their own per-batch caches) do not depend on the lengths or the SLO: an edit of
    # those reuses them.
    cache = {} if capacity_cache is None else capacity_cache
    capacities = cache.setdefault(("capacities", m, p, o, ttft, tpot, block, reserve, efficiency, expert_parallel, group_size), {})
    evaluators = cache.setdefault(("evaluators", m, efficiency, expert_parallel), {})
    for part in parts:
        act = default_activations(part)
        spec = repr(part)  # Accelerator holds a mapping (unhashable): its repr names every field
        for tp, pp in replica_splits:
            if tp * pp > 1 and part.interconnect is None:
                continue
            for wc in weight_dtypes:
                for kc in kv_dtypes:
                    cap = capacities.get(key := (spec, tp, pp, wc, kc))
                    if cap is None:
                        w, k = _dtype(wc, act), _dtype(kc, act)
                        g = group_size if w in ("int4", "int8") else None
                        mem = MemoryModel(model=m, part=part, tp=tp, pp=pp, weights=w, kv=k, activations=act,
                                          context_len=p + o, prompt_len=p, block_size=block, reserve_fraction=reserve,
                                          params=params, group_size=g)
                        ev = evaluators.get(replica := (spec, tp, pp, w, k, act, g))
                        if ev is None:
                            ev = evaluators[replica] = Evaluator(model=m, part=part, tp=tp, pp=pp, weights=w, kv=k,
                                                                 activations=act, expert_parallel=expert_parallel,
                                                                 eff=efficiency, group_size=g)
                        cap = capacities[key] = replica_capacity(ev, mem, prompt_len=p, output_len=o, ttft_slo=ttft,
                                                            tpot_slo=tpot)
                    evaluations += cap.evaluations
                    for n in nodes_sizes:
                        if n % (tp * pp):
                            continue
                        configurations += 1
                        if cap.batch < 1:
                            continue
                        replicas = n // (tp * pp)
                        per_node = replicas * cap.batch
                        nodes = math.ceil(u / per_node)
                        # The last node may need fewer requests per replica; report the batch actually run.
                        deployments.append(Deployment(
                            gpu=part.name, gpus_per_node=n, tp=tp, pp=pp, replicas_per_node=replicas, weights=wc,
                            kv=kc, batch=cap.batch, limited_by=cap.limited_by, users_per_node=per_node, nodes=nodes,
                            gpus=nodes * n, ttft=cap.ttft, tpot=cap.tpot,
                            throughput_per_gpu=cap.batch / cap.tpot / (tp * pp),
                            cost_per_hour=nodes * n * price[part.name] if part.name in price else None))
    deployments.sort(key=_rank)
    front = pareto_front(deployments)
    winner = deployments[0] if deployments else None
    return SearchResult(users=u, deployments=tuple(deployments), front=front, winner=winner,
                        reason=_reason(winner, deployments, ttft, tpot), configurations=configurations,
                        evaluations=evaluations)


def _rank(d: Deployment) -> tuple:
    return (d.gpus, math.inf if d.cost_per_hour is None else d.cost_per_hour, d.tpot, -d.throughput_per_gpu,
            d.gpu, d.tp, d.pp)


def pareto_front(deployments: list[Deployment] | tuple[Deployment, ...]) -> tuple[Deployment, ...]:
    """Deployments no other beats on all of: fewer GPUs, lower TPOT, higher throughput per GPU."""
    front = []
    best_tpot = math.inf
    # Sorted by GPUs then TPOT: a point is dominated only by an earlier one.
    ordered = sorted(deployments, key=lambda d: (d.gpus, d.tpot, -d.throughput_per_gpu))
    for d in ordered:
        dominated = any(f.gpus <= d.gpus and f.tpot <= d.tpot and f.throughput_per_gpu >= d.throughput_per_gpu
                        for f in front)
        if not dominated:
            front.append(d)
            best_tpot = min(best_tpot, d.tpot)
    return tuple(front)


def _reason(winner: Deployment | None, ranked: list[Deployment], ttft: float | None, tpot: float | None) -> str:
    slo = f"TTFT ≤ {num(ttft * 1e3) if ttft else '∞'} ms, TPOT ≤ {num(tpot * 1e3) if tpot else '∞'} ms"
    if winner is None:
        return f"No configuration meets {slo}: relax the SLO, allow more hardware or a smaller dtype."
    runner = next((d for d in ranked[1:] if d.gpu != winner.gpu or d.weights != winner.weights), None)
    text = (f"{winner.label()} serves {winner.users_per_node:,} users per node within {slo}; "
            f"each replica stops at batch {winner.batch} ({'memory full' if winner.limited_by == 'memory' else winner.limited_by + ' at its limit'}), "
            f"so {winner.nodes} node(s), {winner.gpus} GPUs")
    if runner is not None:
        text += f"; the next different option, {runner.label()}, needs {runner.gpus} GPUs"
    return text + "."


def users_per_node(*, model: str | Mapping[str, Any] | ModelConfig, gpu: str | Accelerator, gpus_per_node: int = 8,
                   tp: int | None = None, pp: int = 1, prompt_len: int = 512, output_len: int = 1536,
                   ttft_slo: float | None = None, tpot_slo: float | None = None, weights: str | None = None,
                   kv: str | None = None, efficiency: Efficiency = TYPICAL, block_size: int | None = DEFAULT_BLOCK,
                   reserve_fraction: float = DEFAULT_RESERVE) -> ReplicaCapacity:
    """Largest number of concurrent requests one node serves under the SLO (default: one replica of TP = node).

    The source's scenario (8 × V100-32GB, LLaMA-13B fp16, 512 + 1,536 tokens) with no latency target:

    >>> users_per_node(model="LLaMA-13B", gpu="V100-SXM2-32GB").batch
    121
    """
    from .step import make_evaluator

    n = validate.positive_int("gpus_per_node", gpus_per_node)
    t = n if tp is None else validate.positive_int("tp", tp)
    if n % (t * validate.positive_int("pp", pp)):
        raise validate.fail("tp", t, f"× {pp} pipeline stages must divide the {n} GPUs of a node")
    ev = make_evaluator(model=model, gpu=gpu, tp=t, pp=pp, weights=weights, kv=kv, efficiency=efficiency)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    mem = MemoryModel(model=ev.m, part=ev.part, tp=t, pp=pp, weights=ev.weights, kv=ev.kv, activations=ev.activations,
                      context_len=p + o, prompt_len=p,
                      block_size=validate.optional_count("block_size", block_size, zero_is_none=True),
                      reserve_fraction=validate.non_negative("reserve_fraction", reserve_fraction))
    cap = replica_capacity(ev, mem, prompt_len=p, output_len=o,
                           ttft_slo=None if ttft_slo is None else validate.positive("ttft_slo", ttft_slo),
                           tpot_slo=None if tpot_slo is None else validate.positive("tpot_slo", tpot_slo))
    if cap.limited_by == "does not fit":  # no batch at all: an error, not a result with infinite latencies
        raise validate.fail("model", ev.m.name, f"does not fit in one replica ({t * pp} × {ev.part.name}) with one "
                                                f"request of {p + o:,} tokens; use more GPUs per replica, smaller "
                                                "formats or a shorter prompt and output")
    replicas = n // (t * pp)
    return ReplicaCapacity(batch=cap.batch * replicas, memory_batch=cap.memory_batch * replicas,
                           limited_by=cap.limited_by, ttft=cap.ttft, tpot=cap.tpot, evaluations=cap.evaluations)


def nodes_for(*, users: int, per_node: int) -> Quantity:
    """⌈users / users per node⌉ (:func:`calc.source.planner.nodes_for_users`), refusing a node that serves nobody."""
    if validate.number("per_node", per_node, integer=True) < 1:
        raise validate.fail("per_node", per_node, "means one node serves no request within the SLO; "
                                                  "relax the SLO or use more memory")
    return nodes_for_users(users=users, requests_per_node=per_node)