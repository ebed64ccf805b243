"""The throughput–interactivity frontier, disaggregated prefill/decode, cost per million tokens, the 2026 SLO search."""

from __future__ import annotations

import contextlib
import io
import math

import pytest

import calc
from calc.__main__ import main as cli_main
from calc.core.validate import InputError
from calc.serving.disagg import Prefill, disaggregated
from calc.serving.frontier import frontier, pareto
from calc.serving.slo import plan_slo
from calc.serving.space import (SCALE_OUT_DEFAULT, Config, Space, check_options, per_million, profile_for)
from calc.hardware import resolve

PRICES = {"H200-SXM-141GB": 3.0, "B200": 5.0, "MI300X": 2.5}


@pytest.fixture(scope="module")
def r1():
    """DeepSeek-R1 (DeepSeek-V3's architecture) at 1k/1k on H200, B200 and MI300X, 50 tokens/s per user."""
    return frontier(model="DeepSeek-V3", min_interactivity=50, prices=PRICES)


def _estimate(q):
    c = q.config
    return calc.serving_estimate(model="DeepSeek-V3", gpu=c.gpu, tp=c.tp, weights=c.weights, activations=c.weights,
                                 kv=c.kv, expert_parallel=c.ep, dp_attention=c.dp_attention, batch=q.batch,
                                 prompt_len=1024, output_len=1024, draft_tokens=c.draft_tokens,
                                 acceptance=c.acceptance, efficiency=profile_for(resolve(c.gpu), "engine"))


def test_every_point_fits_memory_and_matches_the_engine(r1):
    points = [q for c in r1.curves for q in c.points]
    assert len(points) > 20
    for q in points:
        if q.mode != "aggregated":
            continue
        e = _estimate(q)
        assert e.fits, q.label()  # weights + KV + workspace + reserve within the card at this batch
        assert e.tpot.value == pytest.approx(q.tpot, rel=1e-12)
        assert e.ttft.value == pytest.approx(q.ttft, rel=1e-12)
    # The best point meets the target by the engine's own numbers.
    assert r1.best.tpot <= 1 / 50 and r1.best.interactivity >= 50
    assert r1.memory.used <= r1.memory.capacity


def test_frontier_is_pareto(r1):
    def dominated(a, b):  # b beats a on both axes, strictly on one
        return (b.interactivity >= a.interactivity and b.throughput_per_gpu >= a.throughput_per_gpu
                and (b.interactivity > a.interactivity or b.throughput_per_gpu > a.throughput_per_gpu))

    every = [q for c in r1.curves for q in c.points]
    for curve in r1.curves:
        assert [q.interactivity for q in curve.points] == sorted(q.interactivity for q in curve.points)
        for a in curve.points:
            assert not any(dominated(a, b) for b in curve.points)
    for a in r1.front:
        assert not any(dominated(a, b) for b in every)
    assert pareto(list(r1.front)) == r1.front


def test_best_is_the_cheapest_on_target(r1):
    on_target = [q for c in r1.curves for q in c.points if q.interactivity >= 50]
    assert r1.best.cost_per_m_output == min(q.cost_per_m_output for q in on_target)
    # $ per million = price per GPU-second / tokens per GPU-second × 10⁶: $5 / 3600 / 1,000 tokens/s = $1.389.
    assert per_million(5.0 / 3600, 1000.0) == pytest.approx(1.3889, rel=1e-4)
    b = r1.best
    assert b.cost_per_m_output == pytest.approx(PRICES[b.gpu] / 3600 / b.output_per_gpu * 1e6)
    assert b.cost_per_m_total == pytest.approx(PRICES[b.gpu] / 3600 / b.throughput_per_gpu * 1e6)
    assert b.cost_per_m_total < b.cost_per_m_output  # total tokens include the prompt's
    assert "beats the runner-up" in r1.reason and r1.runner_up is not None
    assert r1.decode.total.value > 0 and r1.prefill.total.value > 0


def test_best_without_prices_is_the_front_point_with_most_throughput_on_target():
    r = frontier(model="DeepSeek-V3", min_interactivity=40)
    full = frontier(model="DeepSeek-V3")  # no target: nothing pruned by the bound
    assert r.pruned_bound >= 0 and full.pruned_bound == 0
    # The most throughput at interactivity ≥ 40 is always on the Pareto front.
    assert r.best.throughput_per_gpu == pytest.approx(
        max(q.throughput_per_gpu for q in full.front if q.interactivity >= 40))


@pytest.mark.parametrize("off, on", [
    (dict(speculative=False), dict(speculative=True)),
    (dict(disaggregated=False), dict(disaggregated=True)),
    (dict(expert_parallel=False, dp_attention=False), dict(expert_parallel=True, dp_attention=True)),
    (dict(gpus=("B200",), formats=("fp8",)), dict(gpus=("B200",), formats=("fp8", "fp4"))),
    (dict(kv_formats=("16-bit",)), dict(kv_formats=("16-bit", "fp8"))),
    (dict(gpus=("H200-SXM-141GB",)), dict(gpus=("H200-SXM-141GB", "B200"))),
])
def test_enabling_an_option_never_makes_the_best_worse(off, on):
    kw = dict(model="DeepSeek-V3", min_interactivity=30, prices=PRICES)
    worse, better = frontier(**kw, **off), frontier(**kw, **on)
    assert better.best.cost_per_m_output <= worse.best.cost_per_m_output


def test_tpot_bound_is_below_every_evaluated_tpot():
    m = calc.get_model("DeepSeek-V3")
    parts = [resolve("B200")]
    opts = check_options(parts=parts, formats=None, kv_formats=("fp8",), tp_sizes=(4, 8), expert_parallel=True,
                         dp_attention=True, speculative=True, draft_tokens=3, acceptance=0.7, draft_layers=1)
    space = Space(model=m, parts=parts, options=opts, prompt_len=1024, output_len=1024, efficiency="engine")
    from calc.serving.disagg import aggregated
    for c in space.configs():
        bound = space.tpot_bound(c)
        for b in (1, 64, space.memory(c).largest_batch()):
            assert aggregated(space, c, b).tpot >= bound


def test_disaggregated_ttft_and_kv_transfer_by_hand():
    m = calc.get_model("DeepSeek-V3")
    parts = [resolve("H200")]
    opts = check_options(parts=parts, formats=("fp8",), kv_formats=("fp8",), tp_sizes=(8,), expert_parallel=True,
                         dp_attention=False, speculative=False, draft_tokens=1, acceptance=0.7, draft_layers=1)
    space = Space(model=m, parts=parts, options=opts, prompt_len=1024, output_len=1024, efficiency="sglang")
    c = next(space.configs())
    # MLA caches 512 + 64 = 576 elements per token per layer, 61 layers, fp8: 35,136 B per token; 1,024 tokens.
    assert space.kv_bytes(c, 1024) == 576 * 61 * 1 * 1024
    pre = Prefill(space, None)
    q = disaggregated(space, pre, c, 64, "scale-out")
    pc, pt = pre.best(c)
    eff = profile_for(parts[0], "sglang")
    # Scale-out: 400 Gbit/s = 50 GB/s per GPU, 8 prefill GPUs in parallel at η_link 0.8: 35.98 MB / 320 GB/s.
    assert SCALE_OUT_DEFAULT == 50e9
    transfer = 576 * 61 * 1024 / (8 * 50e9 * 0.8) + eff.alpha
    lam = q.decode_workers * 64 / (1024 * q.tpot)
    rho = lam * pt / q.prefill_workers
    assert rho <= 0.85
    assert q.ttft == pytest.approx(eff.request_overhead + rho * pt / (2 * (1 - rho)) + pt + transfer)
    assert q.link == "scale-out" and q.gpus == q.prefill_workers * pc.tp + q.decode_workers * 8
    up = disaggregated(space, pre, c, 64, "scale-up")
    assert up.link == "scale-up" and up.ttft < q.ttft  # NVLink's 450 GB/s each way beats 50 GB/s


def test_unvalidated_configurations_are_named():
    # B300 has InferenceX points in fp8 only: its fp4 frontier has no validation coverage.
    r = frontier(model="DeepSeek-V3", gpus=("B300",), formats=("fp4",), disaggregated=False, speculative=False)
    assert r.unvalidated == ("B300 fp4",) and not any(q.validated for q in r.front)
    ok = frontier(model="DeepSeek-V3", gpus=("H200",), formats=("fp8",), disaggregated=False, speculative=False)
    assert ok.unvalidated == () and all(q.validated for q in ok.front)


@pytest.mark.parametrize("kwargs, field", [
    (dict(min_interactivity=5000), "min_interactivity"),
    (dict(gpus=("H200",), formats=("fp4",)), "formats"),
    (dict(acceptance=1.5), "acceptance"),
    (dict(prices={"B200": -1.0}), "prices"),
    (dict(gpus=("T4",)), "model"),
    (dict(kv_link="infiniband"), "kv_link"),
])
def test_bad_inputs_are_labelled(kwargs, field):
    with pytest.raises(InputError) as err:
        frontier(model="DeepSeek-V3", **kwargs)
    assert err.value.field == field and len(str(err.value)) < 300


@pytest.mark.parametrize("argv", [
    ["frontier", "--min-interactivity", "5000"], ["frontier", "--gpu", "H200", "--format", "fp4"],
    ["frontier", "--acceptance", "1.5"], ["frontier", "--price", "B200=-1"],
])
def test_cli_bad_input_is_one_line(argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(argv)
    assert code == 2 and err.getvalue().startswith("error: ") and err.getvalue().count("\n") == 1


def test_cli_csv_and_json():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["frontier", "--gpu", "H200", "--no-disagg", "--csv"]) == 0
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("gpu,mode,parallel") and all(line.count(",") == lines[0].count(",") for line in lines)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["frontier", "--gpu", "H200", "--no-disagg", "--json", "--min-interactivity", "40"]) == 0
    import json
    data = json.loads(out.getvalue())
    assert data["best"]["interactivity"] >= 40 and data["curves"][0]["gpu"] == "H200-SXM-141GB"


def test_slo_plan_by_users_and_by_rate():
    kw = dict(model="DeepSeek-V3", ttft_slo=2.0, tpot_slo=0.05, prices=PRICES)
    r = plan_slo(users=10_000, **kw)
    for p in r.plans:
        assert p.point.tpot <= 0.05 and p.point.ttft <= 2.0
        assert p.groups * p.point.batch * p.point.decode_workers >= 10_000
        if p.point.mode == "aggregated":
            assert _estimate(p.point).fits
    assert [p.gpus for p in r.plans] == sorted(p.gpus for p in r.plans)
    # Little's law: λ requests/s, each W = TTFT + (o − 1)·TPOT in the system, hold λ·W requests at once.
    lam = 20.0
    by_rate = plan_slo(requests_per_second=lam, **kw)
    w = by_rate.winner
    assert w.users == math.ceil(lam * (w.point.ttft + 1023 * w.point.tpot))
    assert w.groups * w.point.requests_per_second >= lam
    assert "Little's law" in by_rate.reason
    with pytest.raises(InputError) as err:
        plan_slo(users=10, requests_per_second=1.0, **kw)
    assert err.value.field == "users"


def test_config_notation_follows_inferencex():
    base = dict(gpu="B200", tp=8, format="fp4", weights="fp4", kv="fp8", draft_tokens=0, acceptance=0.0)
    assert Config(ep=False, dp_attention=False, **base).parallel == "TP8"
    assert Config(ep=True, dp_attention=False, **base).parallel == "TEP8"
    assert Config(ep=True, dp_attention=True, **base).parallel == "DEP8"


def test_frontier_restricted_to_a_measured_recipe_reproduces_the_validation_prediction():
    # InferenceX ix0036: H200, SGLang TP8, fp8, bf16 cache, 1k/1k nominal (0.9 × 1,024 = 922 tokens read each way),
    # concurrency 64; measured 29.7 tokens/s per user and 469 tokens/s per GPU (input + output).
    row = calc.inferencex_row(point_id="ix0036")
    f = frontier(model="DeepSeek-V3", gpus=("H200",), prompt_len=922, output_len=922, formats=("fp8",),
                 kv_formats=("16-bit",), tp_sizes=(8,), expert_parallel=False, dp_attention=False, speculative=False,
                 disaggregated=False)
    q = next(q for c in f.curves for q in c.points if q.batch == 64)
    assert q.tpot == pytest.approx(row.tpot, rel=1e-12)
    assert q.throughput_per_gpu == pytest.approx(row.throughput_per_gpu, rel=1e-12)
    assert row.point.throughput_per_gpu == pytest.approx(469, abs=1)
