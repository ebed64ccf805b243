"""Measured: how much faster fp4 serves than fp8, from published runs of one model on one GPU.

The data (``data/inferencex_b200_fp4_fp8.json``, copied by
``scripts/extract_fp4_fp8.py`` with each point's run) are InferenceX's
DeepSeek-R1 runs on 8 × B200 with TensorRT-LLM: the best recipe per
precision, prompt/output length and client concurrency.  Two comparisons:

* **equal concurrency**: the same number of requests in flight, output
  tokens per second per GPU, fp4 over fp8;
* **equal interactivity**: at each fp8 point's tokens/s per user, the fp4
  throughput read off the fp4 curve (log-log interpolation between its two
  neighbours, only inside the measured range), over the fp8 throughput.

Every fp8 run in the public data uses MTP speculative decoding (its
throughput and interactivity count accepted draft tokens) and no fp4 run
does, so both ratios understate what fp4 alone gives over fp8 alone
wherever MTP helps.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..core.quantity import Quantity, num

DATA = "data/inferencex_b200_fp4_fp8.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasuredPoint:
    """One published run: a precision at one client concurrency."""

    id: str
    precision: str
    spec_decoding: str
    parallelism: str
    framework_version: str
    input_len: int
    output_len: int
    concurrency: int
    output_tput_per_gpu: float  # output tokens/s per GPU
    median_intvty: float  # tokens/s per user
    date: str
    run_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FormatRatio:
    """fp4 over fp8 output throughput per GPU at one matched condition."""

    input_len: int
    output_len: int
    matched_on: str  # "concurrency" or "interactivity"
    at: float  # the concurrency, or the tokens/s per user
    fp4: float  # output tokens/s per GPU (interpolated at equal interactivity)
    fp8: float
    fp4_ids: tuple[str, ...]
    fp8_id: str
    ratio: Quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class FormatGain:
    """Both comparisons and their medians."""

    equal_concurrency: tuple[FormatRatio, ...]
    equal_interactivity: tuple[FormatRatio, ...]
    median_equal_concurrency: Quantity
    median_equal_interactivity: Quantity
    source: str


@cache
def _raw() -> dict:
    return json.loads(resources.files("calc").joinpath(DATA).read_text(encoding="utf-8"))


@cache
def fp4_fp8_points() -> tuple[MeasuredPoint, ...]:
    """The published points, fp4 and fp8, in the data file's order.

    >>> sorted({p.precision for p in fp4_fp8_points()})
    ['fp4', 'fp8']
    >>> all(p.spec_decoding == "mtp" for p in fp4_fp8_points() if p.precision == "fp8")
    True
    """
    fields = MeasuredPoint.__dataclass_fields__
    return tuple(MeasuredPoint(**{k: v for k, v in row.items() if k in fields}) for row in _raw()["points"])


def _ratio(fp4: float, fp8: float, what: str) -> Quantity:
    value = fp4 / fp8
    return Quantity(value=value, unit="1", formula="fp4 / fp8 output tokens/s per GPU",
                    substituted=f"{num(fp4)} / {num(fp8)} = {num(value)} ({what})")


def _interpolate(curve: list[MeasuredPoint], intvty: float) -> tuple[float, tuple[str, ...]] | None:
    """fp4 throughput at ``intvty`` tokens/s per user, log-log between the neighbours that bracket it."""
    ordered = sorted(curve, key=lambda p: p.median_intvty)
    for lo, hi in zip(ordered, ordered[1:]):
        if lo.median_intvty <= intvty <= hi.median_intvty:
            if hi.median_intvty == lo.median_intvty:
                return max(lo.output_tput_per_gpu, hi.output_tput_per_gpu), (lo.id, hi.id)
            f = math.log(intvty / lo.median_intvty) / math.log(hi.median_intvty / lo.median_intvty)
            value = math.exp(math.log(lo.output_tput_per_gpu)
                             + f * math.log(hi.output_tput_per_gpu / lo.output_tput_per_gpu))
            return value, (lo.id, hi.id)
    return None


@cache
def fp4_fp8_gain() -> FormatGain:
    """fp4 over fp8 at equal concurrency and at equal interactivity, with medians.

    >>> gain = fp4_fp8_gain()
    >>> len(gain.equal_concurrency), round(gain.median_equal_concurrency.value, 2)
    (10, 1.43)
    """
    points = fp4_fp8_points()
    shapes = sorted({(p.input_len, p.output_len) for p in points})
    by_conc, by_intvty = [], []
    for isl, osl in shapes:
        fp4 = [p for p in points if p.precision == "fp4" and (p.input_len, p.output_len) == (isl, osl)]
        fp8 = [p for p in points if p.precision == "fp8" and (p.input_len, p.output_len) == (isl, osl)]
        four = {p.concurrency: p for p in fp4}
        for q in fp8:
            if q.concurrency in four:
                p = four[q.concurrency]
                by_conc.append(FormatRatio(
                    input_len=isl, output_len=osl, matched_on="concurrency", at=q.concurrency,
                    fp4=p.output_tput_per_gpu, fp8=q.output_tput_per_gpu, fp4_ids=(p.id,), fp8_id=q.id,
                    ratio=_ratio(p.output_tput_per_gpu, q.output_tput_per_gpu, f"concurrency {q.concurrency}")))
            found = _interpolate(fp4, q.median_intvty)
            if found:
                value, ids = found
                by_intvty.append(FormatRatio(
                    input_len=isl, output_len=osl, matched_on="interactivity", at=q.median_intvty, fp4=value,
                    fp8=q.output_tput_per_gpu, fp4_ids=ids, fp8_id=q.id,
                    ratio=_ratio(value, q.output_tput_per_gpu, f"{num(q.median_intvty)} tokens/s per user")))

    def median(rows: list[FormatRatio], what: str) -> Quantity:
        value = statistics.median(r.ratio.value for r in rows)
        return Quantity(value=value, unit="1", formula=f"median of fp4 / fp8 at equal {what}",
                        substituted=f"median of {len(rows)} ratios from {num(min(r.ratio.value for r in rows))} to "
                                    f"{num(max(r.ratio.value for r in rows))} = {num(value)}")

    return FormatGain(equal_concurrency=tuple(by_conc), equal_interactivity=tuple(by_intvty),
                      median_equal_concurrency=median(by_conc, "concurrency"),
                      median_equal_interactivity=median(by_intvty, "interactivity"), source=_raw()["source"])
