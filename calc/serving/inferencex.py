"""The engine against InferenceX: every published DeepSeek-R1 serving point, read in the model's terms.

The points live in ``data/inferencex.json`` (copied, with each point's run
link and source commit, from the project's reference file by
``scripts/import_inferencex.py``).  How each is read:

* **model**: DeepSeek-R1-0528 has DeepSeek-V3's architecture (61 layers,
  MLA, 256 routed + 1 shared expert, top-8), so the ``DeepSeek-V3`` preset;
* **lengths**: the benchmark draws prompt and output lengths uniformly in
  [0.8 L, L], so the mean, 0.9 L, is used for both;
* **concurrency** C is a closed-loop client limit, not the engine batch: the
  model runs C requests under continuous batching (``batch=C``) with the TTFT
  model of :func:`calc.serving.estimate.serve_details`; where C requests do not
  fit in memory the running batch B is the largest that does (said in the row)
  and the other C − B wait in the engine's queue: the closed loop completes B
  requests per end-to-end time, so by Little's law each waits (C / B − 1) ×
  end-to-end before it is admitted, on top of its TTFT;
* **parallelism**: ``TPn`` = tensor parallel n (experts sharded);
  ``TEPn`` = attention TP n + expert parallel n; ``DEPn`` = data-parallel
  attention + expert parallel n;
* **formats**: fp8 = fp8 weights and activations (block scales); fp4 on
  NVIDIA = NVFP4 weights and activations; the KV cache as the launch script
  set it (bf16 where unset);
* **metrics**: TPOT = median TPOT (never ITL: on streamed-chunk points it is
  per chunk); TTFT = median client TTFT; throughput = ``tput_per_gpu``, which
  counts input + output tokens per GPU: predicted as C / end-to-end × (prompt
  + output) / GPUs;
* **speculative decoding** (MTP): three draft tokens from the one MTP layer,
  each accepted with probability 0.7 — an assumption (the recipes' draft length
  and the measured acceptance are not published with the points), so these
  rows are reported apart and never fitted;
* **scheduler flags** of the launch scripts (SemiAnalysisAI/InferenceX,
  ``benchmarks/…``), read per point by :func:`launch_settings`: SGLang on
  B300 polls for new requests every 10 decode steps, every 30 at TP 8 from
  concurrency 16 (``dsr1_fp8_b300.sh``, ``--scheduler-recv-interval``);
  TensorRT-LLM with data-parallel attention holds prompts up to 60
  iterations for balance (``dsr1_fp4_b200_trt.sh`` and its MTP twin,
  ``attention_dp_config: enable_balance, timeout_iters 60``); every other
  script leaves both at the engine's default;
* **disaggregated** (GB200 NVL72, Dynamo with TensorRT-LLM workers, separate
  prefill and decode workers): the decode side only — each of the W decode
  workers (its own TP/EP/DP-attention) runs C / W requests with no prefill
  interleaved, so TPOT is its decode step (over accepted tokens with MTP),
  under the TensorRT-LLM profile; TTFT and throughput are not predicted (the
  prefill workers' queue and the KV-cache transfer between workers are not
  modelled), and these rows are reported apart, never fitted.

Every point yields a :class:`Row` with either predictions or the reason it
has none; nothing is dropped silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from ..core import validate
from ..core.validate import InputError
from .capacity import DEFAULT_BLOCK, DEFAULT_RESERVE, MemoryModel
from .efficiency import Efficiency
from .estimate import serve_details
from .queueing import slot_wait
from .step import make_evaluator

MODEL = "DeepSeek-V3"
#: MTP assumption for the speculative-decoding rows (see the module docstring).
MTP_DRAFT_TOKENS, MTP_ACCEPTANCE = 3, 0.7
#: Engine profile per (framework, vendor) of the data.
ENGINE_OF = {("sglang", "NVIDIA"): "sglang", ("sglang", "AMD"): "sglang-rocm", ("trt", "NVIDIA"): "trtllm",
             ("atom", "AMD"): "atom", ("dynamo-trt", "NVIDIA"): "trtllm"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One InferenceX measurement, read into the model's terms."""

    id: str
    gpu: str
    vendor: str
    engine: str  # the profile that models its serving engine ("" when none)
    config: str  # the configuration it belongs to (GPU, precision, engine, parallelism, spec, lengths)
    tp: int
    expert_parallel: bool
    dp_attention: bool
    precision: str
    weights: str
    activations: str
    kv: str
    concurrency: int
    input_len: int
    output_len: int
    spec: bool
    disaggregated: bool
    tier: str
    ttft: float  # s, median
    tpot: float  # s, median
    throughput_per_gpu: float  # input + output tokens/s per GPU
    flags: tuple[str, ...]
    date: str
    version: str
    run_url: str
    # Disaggregated points: the decode workers (count, TP, expert parallel, data-parallel attention); 0 if none.
    decode_workers: int = 0
    decode_tp: int = 0
    decode_ep: bool = False
    decode_dp: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """A point with the model's predictions (``None`` with ``reason`` when it has none)."""

    point: Point
    tpot: float | None
    ttft: float | None
    prefill_only: float | None
    throughput_per_gpu: float | None
    batch: int  # the running batch used (≤ concurrency)
    reason: str  # why a metric is missing or how the point was read specially ("" for none)
    efficiency: Efficiency | None = None  # the profile as used, with the launch script's scheduler flags
    slot_wait: float = 0.0  # s of ``ttft`` spent waiting for a free slot (concurrency beyond ``batch``)

    def error(self, metric: str) -> float | None:
        """predicted / measured − 1 for "tpot", "ttft" or "throughput" (None if not predicted)."""
        pred = {"tpot": self.tpot, "ttft": self.ttft, "throughput": self.throughput_per_gpu}[metric]
        meas = {"tpot": self.point.tpot, "ttft": self.point.ttft,
                "throughput": self.point.throughput_per_gpu}[metric]
        return None if pred is None or not meas else pred / meas - 1


def _kv(text: str) -> str:
    return "fp8" if text.startswith("fp8") else "bf16"


@cache
def points() -> tuple[Point, ...]:
    """Every point of ``data/inferencex.json``, in file order."""
    from ..hardware import resolve

    data = json.loads(resources.files("calc").joinpath("data/inferencex.json").read_text(encoding="utf-8"))
    out = []
    for e in data["points"]:
        part = resolve(e["hardware"])
        prec = e["precision"]["label"]
        fmt = "fp4" if prec == "fp4" and part.vendor == "NVIDIA" else "mxfp4" if prec == "fp4" else prec
        spec = e["spec_decoding"] != "none"
        m = e["metrics"]
        engine = ENGINE_OF.get((e["framework"], part.vendor), "")
        config = (f"{part.name} {prec} {e['framework']} {e['parallelism']}{' MTP' if spec else ''} "
                  f"{e['input_len'] // 1024}k/{e['output_len'] // 1024}k")
        out.append(Point(
            id=e["id"], gpu=part.name, vendor=part.vendor, engine=engine, config=config, tp=int(e.get("tp") or 1),
            expert_parallel=int(e.get("ep") or 1) > 1, dp_attention=bool(e.get("dp_attention")), precision=prec,
            weights=fmt, activations=fmt, kv=_kv(e["precision"]["kv_cache"]), concurrency=int(e["concurrency"]),
            input_len=int(e["input_len"]), output_len=int(e["output_len"]), spec=spec,
            disaggregated=bool(e["disaggregated"]), tier=e["tier"], ttft=float(m["median_ttft"]),
            tpot=float(m["median_tpot"]), throughput_per_gpu=float(m["tput_per_gpu"]), flags=tuple(e["flags"]),
            date=e["date"], version=e.get("framework_version", ""), run_url=e["run_url"],
            decode_workers=int((e.get("decode") or {}).get("workers") or 0),
            decode_tp=int((e.get("decode") or {}).get("tp") or 0),
            decode_ep=int((e.get("decode") or {}).get("ep") or 1) > 1,
            decode_dp=bool((e.get("decode") or {}).get("dp_attention"))))
    return tuple(out)


def launch_settings(point: Point) -> dict[str, float]:
    """The scheduler flags a point's launch script set (see the module docstring), as Efficiency fields."""
    if point.engine == "sglang" and point.gpu.startswith("B300"):
        # dsr1_fp8_b300.sh: SCHEDULER_RECV_INTERVAL=30 at TP 8 when CONC >= 16, else 10 (TP 4: 10).
        return {"poll_interval": 30.0 if point.tp == 8 and point.concurrency >= 16 else 10.0}
    if point.engine == "trtllm" and point.dp_attention:
        # dsr1_fp4_b200_trt.sh (and _mtp): attention_dp_config enable_balance true, timeout_iters 60.
        return {"dp_balance_timeout": 60.0}
    return {}


def predict(point: Point, efficiency: Efficiency) -> Row:
    """The model's TPOT, TTFT and throughput per GPU for one point under one profile (with the scheduler flags
    of its launch script; the ideal profile stays the pure roofline and takes none)."""
    if point.disaggregated:
        return _decode_side(point, efficiency)
    p, o = round(0.9 * point.input_len), round(0.9 * point.output_len)
    if efficiency.name != "ideal":
        efficiency = replace(efficiency, **launch_settings(point))
    try:
        ev = make_evaluator(model=MODEL, gpu=point.gpu, tp=point.tp, weights=point.weights, kv=point.kv,
                            activations=point.activations, expert_parallel=point.expert_parallel,
                            dp_attention=point.dp_attention, efficiency=efficiency)
    except InputError as err:
        return Row(point=point, tpot=None, ttft=None, prefill_only=None, throughput_per_gpu=None, batch=0,
                   reason=f"cannot be modelled: {err}")
    mem = MemoryModel(model=ev.m, part=ev.part, tp=ev.tp, pp=1, weights=ev.weights, kv=ev.kv,
                      activations=ev.activations, context_len=point.input_len + point.output_len,
                      prompt_len=point.input_len, block_size=DEFAULT_BLOCK, reserve_fraction=DEFAULT_RESERVE,
                      dp_attention=ev.dp_attention)
    batch = min(point.concurrency, max(mem.largest_batch(), 1))
    notes = []
    if batch < point.concurrency:
        notes.append(f"running batch {batch} (memory) of concurrency {point.concurrency}")
    k, a = (MTP_DRAFT_TOKENS, MTP_ACCEPTANCE) if point.spec else (0, 0.0)
    if point.spec:
        notes.append(f"MTP assumed {k} drafts at acceptance {a}")
    r = serve_details(ev, batch=batch, prompt_len=p, output_len=o, continuous=True, draft_tokens=k, acceptance=a)
    e2e = r.ttft + (o - 1) * r.tpot
    # The engine finishes its running batch of requests every end-to-end time, each with p + o tokens.
    tput = batch / e2e * (p + o) / point.tp
    # Requests beyond the memory limit queue for a free slot (Little's law over the closed loop).
    queued = slot_wait(concurrency=point.concurrency, slots=batch, service_time=e2e).value
    return Row(point=point, tpot=r.tpot, ttft=r.ttft + queued, prefill_only=r.prefill.total, throughput_per_gpu=tput,
               batch=batch, reason="; ".join(notes), efficiency=efficiency, slot_wait=queued)


def _decode_side(point: Point, efficiency: Efficiency) -> Row:
    """A disaggregated point's TPOT from its decode workers alone (module docstring); no TTFT, no throughput."""
    p, o = round(0.9 * point.input_len), round(0.9 * point.output_len)
    none = dict(point=point, tpot=None, ttft=None, prefill_only=None, throughput_per_gpu=None, batch=0)
    try:
        ev = make_evaluator(model=MODEL, gpu=point.gpu, tp=point.decode_tp, weights=point.weights, kv=point.kv,
                            activations=point.activations, expert_parallel=point.decode_ep,
                            dp_attention=point.decode_dp, efficiency=efficiency)
    except InputError as err:
        return Row(**none, reason=f"disaggregated; the decode workers cannot be modelled: {err}")
    mem = MemoryModel(model=ev.m, part=ev.part, tp=ev.tp, pp=1, weights=ev.weights, kv=ev.kv,
                      activations=ev.activations, context_len=point.input_len + point.output_len,
                      prompt_len=point.input_len, block_size=DEFAULT_BLOCK, reserve_fraction=DEFAULT_RESERVE,
                      dp_attention=ev.dp_attention)
    per_worker = -(-point.concurrency // point.decode_workers)
    batch = min(per_worker, max(mem.largest_batch(), 1))
    notes = [f"disaggregated: TPOT of {point.decode_workers} decode worker(s) × {per_worker} requests each, no "
             "prefill interleaved; no TTFT or throughput (prefill workers' queue and KV transfer not modelled)"]
    if batch < per_worker:
        notes.append(f"running batch {batch} (memory)")
    k, a = (MTP_DRAFT_TOKENS, MTP_ACCEPTANCE) if point.spec else (0, 0.0)
    if point.spec:
        notes.append(f"MTP assumed {k} drafts at acceptance {a}")
    r = serve_details(ev, batch=batch, prompt_len=p, output_len=o, continuous=False, draft_tokens=k, acceptance=a)
    return Row(point=point, tpot=r.tpot, ttft=None, prefill_only=None, throughput_per_gpu=None, batch=batch,
               reason="; ".join(notes), efficiency=efficiency)


def held_out(config: str) -> bool:
    """Whether a configuration is in the held-out part: every third configuration of each engine, by name."""
    return config in _holdout()


@cache
def _holdout() -> frozenset[str]:
    by_engine: dict[str, list[str]] = {}
    for p in points():
        if p.engine and not p.disaggregated and not p.spec:
            by_engine.setdefault(p.engine, [])
            if p.config not in by_engine[p.engine]:
                by_engine[p.engine].append(p.config)
    out = set()
    for configs in by_engine.values():
        out.update(c for i, c in enumerate(sorted(configs)) if i % 3 == 1)
    return frozenset(out)


def fit_points(engine: str | None = None) -> tuple[Point, ...]:
    """Single-node points without speculative decoding in the fit part (of one engine, or all)."""
    return tuple(p for p in points() if p.tier == "A" and p.engine and not held_out(p.config)
                 and (engine is None or p.engine == engine))


def holdout_points(engine: str | None = None) -> tuple[Point, ...]:
    """Single-node points without speculative decoding in the held-out part."""
    return tuple(p for p in points() if p.tier == "A" and p.engine and held_out(p.config)
                 and (engine is None or p.engine == engine))


@dataclass(frozen=True, slots=True, kw_only=True)
class Stats:
    """Errors of one metric on a set of rows: count, median |error|, median (signed), share within ±25 %."""

    n: int
    median_abs: float
    median: float
    within_25: float


def stats(rows: tuple[Row, ...] | list[Row], metric: str) -> Stats | None:
    """:class:`Stats` of ``metric`` over the rows that predict it (None when none does)."""
    from statistics import median

    errs = [e for e in (r.error(metric) for r in rows) if e is not None]
    if not errs:
        return None
    return Stats(n=len(errs), median_abs=median(abs(e) for e in errs), median=median(errs),
                 within_25=sum(abs(e) <= 0.25 for e in errs) / len(errs))


def profile_for(point: Point, profile: str) -> Efficiency:
    """The efficiency a point is predicted with: its engine's profile (``"engine"``) or a named one."""
    from .efficiency import EFFICIENCIES

    validate.text("profile", profile, choices=("engine", *EFFICIENCIES))
    name = point.engine if profile == "engine" else profile
    return EFFICIENCIES.get(name or "typical", EFFICIENCIES["typical"])


@cache
def rows(profile: str = "engine") -> tuple[Row, ...]:
    """Every point predicted under ``profile`` ("engine": each point's own engine profile)."""
    return tuple(predict(p, profile_for(p, profile)) for p in points())


def target_rows(profile: str = "engine", *, part: str = "holdout") -> tuple[Row, ...]:
    """Single-node, no-speculation rows of the ``"fit"`` or ``"holdout"`` part (or ``"all"``)."""
    keep = {"fit": lambda c: not held_out(c), "holdout": held_out, "all": lambda c: True}[part]
    return tuple(r for r in rows(profile) if r.point.tier == "A" and r.point.engine and keep(r.point.config))


def summary(profile: str = "engine", gpu: str | None = None) -> dict[str, dict[str, Stats | None]]:
    """``{part: {metric: Stats}}`` for the fit and held-out parts under ``profile`` (the Validation page),
    of every GPU or of one (``gpu="B300"``)."""
    from ..hardware import resolve
    from .efficiency import EFFICIENCIES

    validate.text("profile", profile, choices=("engine", *EFFICIENCIES))
    name = resolve(gpu).name if gpu is not None else None
    return {part: {m: stats([r for r in target_rows(profile, part=part) if name in (None, r.point.gpu)], m)
                   for m in ("tpot", "ttft", "throughput")} for part in ("fit", "holdout")}


def row(point_id: str, profile: str = "engine") -> Row:
    """One point's row, by id (``"ix0645"``)."""
    validate.text("point_id", point_id)
    from .efficiency import EFFICIENCIES

    validate.text("profile", profile, choices=("engine", *EFFICIENCIES))
    for r in rows(profile):
        if r.point.id == point_id:
            return r
    raise InputError("point_id", f"point_id={point_id!r} is not an InferenceX point id (ix0000 …)")
