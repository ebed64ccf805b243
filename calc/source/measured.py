"""Where the roofline lies: published decode speeds against the roofline bound of the same step.

The source calls its latency formulas a limit that real systems never reach (errata E15: a lower
bound on time).  This module measures how far below it a modern server runs.  Each point of
``data/decode_measured.json`` (DeepSeek-R1 on one 8-GPU node, from the InferenceX benchmark, with
its source) is set beside the roofline bound of its decode step:

* the step is :func:`calc.roofline.forward_time` of the model at batch = the client concurrency
  (an upper bound on the engine's batch, so the bound is if anything too slow) and at the mean
  context of a request, ``0.9·ISL + 0.9·OSL / 2`` (lengths are uniform in [0.8 L, L], and a
  request's context grows from its prompt to prompt + output);
* every operator takes max(FLOPs / π, bytes / β) on one GPU, and ``N`` GPUs split the work
  perfectly: ``bound = forward_time / N``, with no communication, launch or scheduling cost.

``efficiency = bound / measured`` is the share of the roofline the server reaches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..core.quantity import Quantity, num
from ..core import validate
from ..core.validate import InputError
from ..roofline import ForwardTime, forward_time

#: A request's mean context over its generation, as a fraction of (ISL, OSL): 0.9·ISL + 0.9·OSL / 2.
MEAN_LENGTH = 0.9


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasuredDecode:
    """One published decode speed and the roofline bound of the same step."""

    id: str
    model: str
    gpu: str
    n_gpus: int
    concurrency: int
    context_len: int
    weights: str
    kv: str
    framework: str
    run_url: str
    measured: Quantity  # median TPOT
    step: ForwardTime  # the step on one GPU, every operator at its roof
    bound: Quantity  # step / N
    efficiency: Quantity  # bound / measured


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    text = resources.files("calc").joinpath("data/decode_measured.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["points"])


def _point(row: dict) -> MeasuredDecode:
    context = round(MEAN_LENGTH * row["input_len"] + MEAN_LENGTH * row["output_len"] / 2)
    step = forward_time(model=row["model"], gpu=row["hardware"], phase="decode", batch=row["concurrency"],
                        seq_len=context, weights=row["weights"], activations=row["activations"], kv=row["kv"])
    n = row["n_gpus"]
    bound_value = step.time.value / n
    measured = row["median_tpot_s"]
    return MeasuredDecode(
        id=row["id"], model=row["model"], gpu=row["hardware"], n_gpus=n, concurrency=row["concurrency"],
        context_len=context, weights=row["weights"], kv=row["kv"], framework=row["framework"],
        run_url=row["run_url"],
        measured=Quantity(value=measured, unit="s", formula="median TPOT (published)",
                          substituted=f"{num(measured * 1e3)} ms"),
        step=step,
        bound=Quantity(value=bound_value, unit="s", formula="Σ max(FLOPs/π, bytes/β) / N",
                       substituted=f"{num(step.time.value * 1e3)} ms / {n} = {num(bound_value * 1e3)} ms"),
        efficiency=Quantity(value=bound_value / measured, unit="", formula="bound / measured",
                            substituted=(f"{num(bound_value * 1e3)} ms / {num(measured * 1e3)} ms"
                                         f" = {bound_value / measured:.1%}")),
    )


def measured_decodes(*, gpu: str | None = None) -> tuple[MeasuredDecode, ...]:
    """Every published point (or those on ``gpu``), by GPU then concurrency.

    >>> [p.concurrency for p in measured_decodes(gpu="H200-SXM-141GB")]
    [4, 8, 16, 32, 64]
    """
    return _measured_decodes(validate.optional_text("gpu", gpu))


@lru_cache(maxsize=8)
def _measured_decodes(gpu: str | None) -> tuple[MeasuredDecode, ...]:
    points = tuple(_point(r) for r in _rows() if gpu is None or r["hardware"] == gpu)
    if not points:
        known = sorted({r["hardware"] for r in _rows()})
        raise validate.fail("gpu", gpu, f"has no published point here; choose from {', '.join(known)}")
    return points


def measured_decode(*, gpu: str, concurrency: int) -> MeasuredDecode:
    """The point on ``gpu`` at ``concurrency``.

    DeepSeek-R1 on 8 × H200 at concurrency 4: the roofline reads the touched fp8 weights and the
    bf16 caches in about 2.5 ms, the server takes 9.7 ms:

    >>> p = measured_decode(gpu="H200-SXM-141GB", concurrency=4)
    >>> round(p.bound.value * 1e3, 2), round(p.measured.value * 1e3, 2), f"{p.efficiency.value:.0%}"
    (2.47, 9.73, '25%')
    """
    gpu = validate.text("gpu", gpu)
    c = validate.positive_int("concurrency", concurrency)
    for p in measured_decodes(gpu=gpu):
        if p.concurrency == c:
            return p
    have = ", ".join(str(p.concurrency) for p in measured_decodes(gpu=gpu))
    raise validate.fail("concurrency", c, f"has no published point on {gpu}; choose from {have}")
