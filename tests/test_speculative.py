"""Speculative decoding (docs/speculative.md): tokens per step, step cost and speed-up, the published MTP ratios,
the calculator, the figure, the worked problems' answers and the built page."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import calc
from calc.serving.estimate import accepted_tokens
from calc.web import widgets
from tests.conftest import assert_widget_rejects, built_chapter, shown_values

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import figures  # noqa: E402
import figures_serving  # noqa: E402

LLAMA = dict(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, context_len=2048, draft_tokens=3)


def test_tokens_per_step_by_hand():
    # 1 + a + a² + a³ at a = 0.7: 1 + 0.7 + 0.49 + 0.343 = 2.533; worked problem 1: (1 − 0.8⁵) / 0.2 = 3.3616.
    assert calc.speculative_decode(batch=1, acceptance=0.7, **LLAMA).tokens_per_step.value == pytest.approx(2.533)
    one = calc.speculative_decode(batch=1, acceptance=0.8, **{**LLAMA, "draft_tokens": 4})
    assert one.tokens_per_step.value == pytest.approx((1 - 0.8**5) / 0.2)
    assert calc.speculative_decode(batch=1, acceptance=1.0, **LLAMA).tokens_per_step.value == 4
    with pytest.raises(calc.InputError, match="Acceptance rate: 1.5 is too large"):
        calc.speculative_decode(batch=1, acceptance=1.5, **LLAMA)
    with pytest.raises(calc.InputError, match="Draft layers: 81 is too large"):
        calc.speculative_decode(batch=1, draft_layers=81, **LLAMA)


def test_step_is_the_engines():
    # The same step as serving_estimate's with drafts (output of 2 tokens: one context, prompt + 1).
    r = calc.speculative_decode(batch=8, acceptance=0.7, **{**LLAMA, "context_len": 1025})
    est = calc.serving_estimate(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, batch=8, prompt_len=1024,
                                output_len=2, draft_tokens=3, acceptance=0.7, batching="static")
    assert est.decode.total.value == pytest.approx(r.step.value)
    assert est.tpot.value == pytest.approx(r.tpot.value)
    # The draft passes: k × plain step × 1 layer / 80 layers.
    assert r.draft_time.value == pytest.approx(3 * r.plain_step.value / 80)
    assert r.speedup.value == pytest.approx(r.plain_step.value / r.tpot.value)


def test_it_pays_at_small_batch_and_stops_at_large():
    gains = [calc.speculative_decode(batch=b, acceptance=0.7, **LLAMA).speedup.value for b in (1, 8, 64, 256, 1024)]
    assert gains == sorted(gains, reverse=True)
    assert gains[0] > 2 and gains[-1] < 1.1
    costs = [calc.speculative_decode(batch=b, acceptance=0.7, **LLAMA).step_cost.value for b in (1, 1024)]
    assert costs[0] < 1.1 and costs[1] > 2  # nearly free at batch 1, up to k + 1 = 4 steps when compute-bound
    # Worked problem 3: at batch 512 and acceptance 0.6 speculation loses.
    assert calc.speculative_decode(batch=512, acceptance=0.6, **LLAMA).speedup.value < 1
    # Worked problem 4: the ridge of an H100 in bf16 is 989.4 / 3.35 = 295.3 FLOP/byte; a quarter of it is 74.
    assert calc.ridge_point(gpu="H100-SXM5-80GB", dtype="bf16").value / 4 == pytest.approx(73.8, abs=0.1)


def test_moe_verification_touches_more_experts():
    # Batch 4 with 3 drafts sends 16 tokens through the router: 102 of 256 experts against 31.
    assert calc.experts_touched(experts=256, top_k=8, tokens=16).value == pytest.approx(256 * (1 - (1 - 8 / 256) ** 16))
    assert calc.experts_touched(experts=256, top_k=8, tokens=4).value < 32


def test_mtp_measured_from_the_data():
    rows = calc.mtp_measured()
    assert [(r.input_len, r.output_len, r.concurrency) for r in rows] == [(1024, 1024, 4), (1024, 1024, 32),
                                                                        (8192, 1024, 4)]
    for r in rows:
        m, p = calc.inferencex_row(r.mtp_id).point, calc.inferencex_row(r.plain_id).point
        assert m.spec and not p.spec and m.gpu == "B200" and p.gpu == "B300"
        assert m.tp == p.tp == 8 and m.precision == p.precision == "fp8"
        assert (m.input_len, m.concurrency) == (p.input_len, p.concurrency) == (r.input_len, r.concurrency)
        assert r.interactivity.value == pytest.approx(p.tpot / m.tpot)
        assert r.throughput.value == pytest.approx(m.throughput_per_gpu / p.throughput_per_gpu)
    # The data (hand-checked): 8.3109 / 5.6687 ms = 1.466 at 1k/1k, 4 clients (ix0634 and ix1195).
    assert (rows[0].plain_id, rows[0].mtp_id) == ("ix0634", "ix1195")
    assert rows[0].interactivity.value == pytest.approx(8.3109 / 5.6687, rel=1e-4)
    # About 1.5 × at 4 clients, a little less at 32.
    assert 1.4 < rows[0].interactivity.value < 1.6 and rows[1].interactivity.value < rows[0].interactivity.value
    # The catalog gives both GPUs the same fp8 peak and bandwidth (what makes them comparable).
    b200, b300 = calc.get_accelerator("B200"), calc.get_accelerator("B300")
    assert b200.peaks["fp8"] == b300.peaks["fp8"] and b200.bandwidth == b300.bandwidth


def test_calculator():
    values = widgets.call("speculative")["values"]
    r = calc.speculative_decode(batch=8, acceptance=0.7, **LLAMA)
    assert values["speedup"] == f"{r.speedup.value:,.2f}"
    assert values["tokens"] == "2.533"
    big = widgets.call("speculative", {"batch": "200"})["values"]
    assert float(big["speedup"]) < float(values["speedup"])
    assert_widget_rejects("speculative", (
        ({"acceptance": "1.5"}, "acceptance", "must be at most 1"),
        ({"draft_layers": "100"}, "draft_layers", "give a whole number from 1 to 80"),
        ({"tp": "1"}, "tp", "is too few GPUs"),
        ({"batch": "5000"}, "batch", "is more sequences than the memory holds"),
        ({"gpu": "V100-SXM2-32GB", "weights": "fp8"}, "weights", "has no fp8 peak"),
    ))


def test_figure_plots_calcs_numbers():
    fig, data = figures.FIGURES["speculative-speedup"]()
    for a in figures_serving.SPEC_ACCEPTANCE:
        for i, b in enumerate(figures_serving.SPEC_BATCHES):
            if i in (0, 5, len(figures_serving.SPEC_BATCHES) - 1):
                r = calc.speculative_decode(batch=b, acceptance=a, **figures_serving.SPEC_DENSE)
                assert data["dense"][a][i] == r.speedup.value
    assert data["mtp"][0] == calc.speculative_decode(batch=1, **figures_serving.SPEC_MTP).speedup.value
    assert data["measured"][(1024, 1024, 4)] == calc.mtp_measured()[0].interactivity.value
    marker = [a for a in fig.findobj() if a.get_gid() == "measured-1024-1024-4"][0]
    assert marker.get_ydata()[0] == data["measured"][(1024, 1024, 4)]


def test_worked_problem_2_tpot_is_step_over_tokens():
    # The rules every worked problem follows (computed answers, no typed results): tests/test_docs_pages.py.
    # Problem 2: TPOT = step / tokens per step.
    r = calc.speculative_decode(batch=8, acceptance=0.7, **LLAMA)
    assert r.tpot.value == pytest.approx((r.verify_step.value + r.draft_time.value) / accepted_tokens(
        draft_tokens=3, acceptance=0.7))


def test_built_page(site: Path):
    for path in ("speculative", "zh/speculative"):
        article = built_chapter(site, path)
        assert article.select_one("figure svg").find("g", id="figure-speculative-speedup") is not None
        shown = shown_values(article, "speculative")
        assert shown["speedup"].startswith(widgets.call("speculative")["values"]["speedup"])
