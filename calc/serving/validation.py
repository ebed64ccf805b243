"""The serving model against published measurements: predicted vs measured, with and without calibration.

The points live in ``data/measured.json`` (copied, with their sources, from
the project's reference file).  Each is predicted with
:func:`calc.serving.serving_estimate` in the benchmark's own setting: a
static batch (every request prefilled together, then decoded together).
Metrics map as follows:

* ``output_tokens_per_s`` (total) = batch · output / (prefill + (output − 1) · TPOT);
  TensorRT-LLM's TP2 rows are read per GPU (the reference notes say
  "likely per-GPU"), so the prediction is halved;
* ``TTFT`` = the prefill of the batch's prompts; LMDeploy's first-token latency
  (``FTL``, timed by its ``profile_generation`` client from the streamed
  output) also contains the first decode step: TurboMind hands tokens to the
  stream from its generation loop, so the first token reaches the client
  with the first decode iteration after the prefill — the same step the
  continuous-batching TTFT model adds (its nine rows, 1 to 64 sequences and
  1 to 2,048 prompt tokens, land within 18 % with it; without it the short
  prompts ran up to 45 % fast); TensorRT-LLM's first-token rows ran with one output token,
  so they are the prefill alone;
* ``TPOT``, ``decode_ms_per_token`` = the mean decode step; ``decode_tokens_per_s`` = 1 / TPOT;
* ``prefill_ms`` = prefill of one prompt.

Error = predicted / measured − 1.  The calibration is one global set of
(η_compute, η_memory, per-layer overhead) chosen on a grid to minimise the
mean absolute log error on the even-numbered points (sorted by id) and
reported on the odd ones it never saw.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from statistics import median

from .efficiency import TYPICAL, Efficiency
from .estimate import serving_estimate
from ..core.units import MICROSECOND

#: Models the measurements name that are not presets, as config.json dicts (shapes from the entries and HF configs).
EXTRA_MODELS = {
    # GPT-J-6B: 28 layers, hidden 4096, 16 heads of 256, rotary on 64 dims, parallel attention + MLP,
    # plain 4h GELU MLP, vocab 50400 (EleutherAI/gpt-j-6b config.json).  Read as GPT-NeoX, which has
    # the same block; NeoX's attention biases add 0.1 % of parameters that GPT-J lacks.
    "GPT-J-6B": {"model_type": "gpt_neox", "hidden_size": 4096, "num_hidden_layers": 28, "num_attention_heads": 16,
                 "intermediate_size": 16384, "vocab_size": 50400, "rotary_pct": 0.25, "use_parallel_residual": True,
                 "tie_word_embeddings": False, "max_position_embeddings": 2048},
    # The FasterTransformer entry's "13B GPT-style (h=5120, 40 layers, 40 heads MHA, FFN 4h non-gated, vocab 50272)".
    "13B GPT-style": {"model_type": "gpt2", "n_embd": 5120, "n_layer": 40, "n_head": 40, "vocab_size": 50272,
                      "n_positions": 2048},
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One measurement, read into the model's terms."""

    id: str
    model: str
    gpu: str
    tp: int
    weights: str
    activations: str
    batch: int
    prompt_len: int
    output_len: int
    metric: str  # "throughput", "ttft", "tpot", "decode_rate"
    measured: float  # SI: tokens/s or seconds
    per_gpu: bool
    framework: str
    source: str
    notes: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    point: Point
    predicted: float
    error: float  # predicted / measured − 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Errors of one efficiency setting on a set of points."""

    efficiency: Efficiency
    rows: tuple[Comparison, ...]
    median_abs_error: float
    worst: Comparison


#: A measured metric's name prefix -> (what it measures, the divisor to seconds or tokens/s).
_METRICS = (("TTFT_ms", "ttft", 1e3), ("TTFT_s", "ttft", 1), ("TPOT_s", "tpot", 1),
            ("decode_ms_per_token", "tpot", 1e3), ("decode_tokens_per_s", "decode_rate", 1), ("prefill_ms", "ttft", 1e3))


def _metric(e: dict) -> tuple[str, float, bool]:
    name, v = e["metric"], float(e["value"])
    if name.startswith("output_tokens_per_s"):
        # Per GPU when the metric says so (``…_per_gpu``), or for TensorRT-LLM's ambiguous TP>1 headers.
        per_gpu = "_per_gpu" in name.split(" ")[0] or ("TP1" not in e["parallelism"] and "ambiguous" in name)
        return "throughput", v, per_gpu
    for prefix, kind, divisor in _METRICS:
        if name.startswith(prefix):
            return kind, v / divisor, False
    raise ValueError(f"unknown metric {name!r}")


def _precision(p: str) -> tuple[str, str]:
    if p.startswith("int8"):
        return "int8", "bf16"
    if p.startswith("int4"):
        return "int4", "bf16"
    return p, p


def _length(v: object) -> int:
    return int(str(v).lstrip("~").split()[0])


@cache
def points() -> tuple[Point, ...]:
    """Every measurement in ``data/measured.json``, sorted by id."""
    text = resources.files("calc").joinpath("data/measured.json").read_text(encoding="utf-8")
    out = []
    for e in json.loads(text)["entries"]:
        metric, value, per_gpu = _metric(e)
        weights, act = _precision(e["precision"])
        model = "13B GPT-style" if e["model"].startswith("13B GPT-style") else e["model"]
        out.append(Point(
            id=e["id"], model=model, gpu=e["hardware"].split()[0], tp=int(e["num_gpus"]), weights=weights,
            activations=act, batch=int(e["batch_size"]), prompt_len=_length(e["input_len"]),
            output_len=_length(e["output_len"]), metric=metric, measured=value, per_gpu=per_gpu,
            framework=e["framework"], source=e["source"], notes=e.get("notes", "")))
    return tuple(sorted(out, key=lambda p: p.id))


def predict(point: Point, efficiency: Efficiency = TYPICAL) -> float:
    """The model's value for a point's metric, in the point's units (SI)."""
    model = EXTRA_MODELS.get(point.model, point.model)
    r = serving_estimate(model=model, gpu=point.gpu, tp=point.tp, batch=point.batch, prompt_len=point.prompt_len,
                         output_len=point.output_len, weights=point.weights, activations=point.activations,
                         kv=point.activations, batching="static", efficiency=efficiency, curve_points=1)
    if point.metric == "throughput":
        return r.throughput_total.value / (point.tp if point.per_gpu else 1)
    if point.metric == "ttft":
        # LMDeploy streams the first token with the first decode iteration (module docstring).
        first_step = r.per_token[0][1] if point.framework.startswith("LMDeploy") else 0.0
        return r.ttft.value + first_step
    if point.metric == "tpot":
        return r.tpot.value
    return 1 / r.tpot.value


def report(efficiency: Efficiency = TYPICAL, subset: tuple[Point, ...] | None = None) -> Report:
    rows = []
    for p in subset if subset is not None else points():
        pred = predict(p, efficiency)
        rows.append(Comparison(point=p, predicted=pred, error=pred / p.measured - 1))
    return Report(efficiency=efficiency, rows=tuple(rows), median_abs_error=median(abs(r.error) for r in rows),
                  worst=max(rows, key=lambda r: abs(r.error)))


def halves() -> tuple[tuple[Point, ...], tuple[Point, ...]]:
    """(fit, test): alternate points in id order."""
    ps = points()
    return ps[0::2], ps[1::2]


GRID_COMPUTE = (0.6, 0.7, 0.8, 0.9, 1.0)
GRID_MEMORY = (0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
GRID_OVERHEAD_US = (0, 5, 10, 20, 30, 45, 60)


@cache
def calibrated() -> Efficiency:
    """The grid point with the least mean |log(predicted / measured)| on the fit half."""
    fit, _ = halves()
    best = None
    for c in GRID_COMPUTE:
        for m in GRID_MEMORY:
            for o in GRID_OVERHEAD_US:
                eff = Efficiency(name="calibrated", compute=c, memory=m, link=TYPICAL.link, alpha=TYPICAL.alpha,
                                 layer_overhead=o * MICROSECOND)
                loss = sum(abs(math.log(predict(p, eff) / p.measured)) for p in fit) / len(fit)
                if best is None or loss < best[0]:
                    best = (loss, eff)
    return best[1]


@cache
def summary() -> dict[str, Report]:
    """Reports: default efficiencies on all points and on the test half; calibrated on the fit and test halves."""
    fit, test = halves()
    cal = calibrated()
    return {"default": report(TYPICAL), "default_test": report(TYPICAL, test),
            "calibrated_fit": report(cal, fit), "calibrated_test": report(cal, test),
            "calibrated_all": report(cal)}
