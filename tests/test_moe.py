"""Mixture of experts (docs/moe.md): experts touched, tokens per expert, layouts per GPU, calculator, figure."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import calc
from calc.web import widgets
from tests.conftest import assert_widget_rejects, built_chapter, shown_values

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import figures  # noqa: E402

# DeepSeek-V3: 58 MoE layers of 256 routed experts (top-8), each 3 × 7168 × 2048 parameters.
EXPERT = 3 * 7168 * 2048


def test_experts_touched_by_hand():
    # Mixtral, 8 tokens, top-2 of 8: 8 · (1 − 0.75^8) = 7.199 (worked problem 1).
    assert calc.experts_touched(experts=8, top_k=2, tokens=8).value == pytest.approx(8 * (1 - 0.75**8))
    assert calc.experts_touched(experts=256, top_k=8, tokens=1).value == pytest.approx(8)
    assert calc.experts_touched(experts=256, top_k=8, tokens=0).value == 0
    # Worked problem 2: ln(0.1) / ln(1 − 8/256) = 72.52 tokens to touch 90 %.
    assert calc.tokens_to_touch(experts=256, top_k=8, share=0.9).value == pytest.approx(math.log(0.1) / math.log(0.96875))
    with pytest.raises(calc.InputError, match="Experts per token: 9 cannot exceed the 8 experts"):
        calc.experts_touched(experts=8, top_k=9, tokens=1)
    with pytest.raises(calc.InputError, match="Share of experts: 1.0 must be below 1"):
        calc.tokens_to_touch(experts=8, top_k=2, share=1.0)


def test_expert_load_at_batch_1_reads_the_active_experts():
    load = calc.expert_load(model="DeepSeek-V3", batch=1, weights="fp8")
    assert load.expert_bytes.value == pytest.approx(58 * 8 * EXPERT)  # 1 B per fp8 weight
    assert load.tokens_per_expert.value == pytest.approx(1.0)
    # 2 FLOPs per weight per token, 1 B per weight, plus a little activation traffic: just under 2 FLOP/byte.
    assert 1.99 < load.expert_intensity.value <= 2.0
    assert load.all_expert_bytes == pytest.approx(58 * 256 * EXPERT)
    assert load.total_params.value == 671_026_419_200


def test_weights_read_grow_with_batch_until_every_expert_is_loaded():
    reads = [calc.expert_load(model="DeepSeek-V3", batch=b, weights="fp8").expert_bytes.value
             for b in (1, 8, 64, 256, 1024, 4096)]
    assert reads == sorted(reads)
    assert reads[-1] == pytest.approx(58 * 256 * EXPERT, rel=1e-9)
    # Tokens per expert stays near 1 until the experts fill up, then grows as T·k/E: 4096 · 8 / 256 = 128.
    assert calc.expert_load(model="DeepSeek-V3", batch=4096).tokens_per_expert.value == pytest.approx(128)
    with pytest.raises(calc.InputError, match="is dense"):
        calc.expert_load(model="Llama-3-8B")


def test_layouts_per_gpu():
    kw = dict(model="DeepSeek-V3", gpus=8, batch=256, context_len=2048, weights="fp8", activations="fp8")
    tp, dp = calc.moe_layout(layout="tp", **kw), calc.moe_layout(layout="ep-dp", **kw)
    # MLA's latent is replicated under TP: 8 × the KV cache of EP + DP, which runs 256 / 8 = 32 sequences per GPU.
    assert tp.kv_held.value == 8 * dp.kv_held.value == 256 * 2048 * 576 * 2 * 61
    # Weights held: TP one eighth of everything; EP + DP the non-expert weights whole plus one eighth of the experts.
    total, experts = 671_026_419_200, 58 * 256 * EXPERT
    assert tp.weights_held.value == pytest.approx(total / 8)
    assert dp.weights_held.value == pytest.approx(total - experts + experts / 8)
    # TP: two all-reduces per layer of T · h · 2 B (bf16 on the links, though the matmuls are fp8); EP: two
    # all-to-alls per MoE layer of (T/N) · k · h elements, the dispatch at 1 B (fp8), the combine at 2 B: 1.5 B mean.
    assert (tp.collectives, tp.message_bytes) == (2 * 61, 256 * 7168 * 2)
    assert (dp.collectives, dp.message_bytes) == (2 * 58, 32 * 8 * 7168 * 1.5)
    # Batch 1: TP reads fewer bytes per GPU (worked problem 4); batch 256: EP + DP does (worked problem 5).
    one = {lay: calc.moe_layout(layout=lay, **{**kw, "batch": 1}) for lay in ("tp", "ep-dp")}
    assert one["tp"].weight_bytes.value < one["ep-dp"].weight_bytes.value / 3
    assert tp.weight_bytes.value + tp.kv_bytes.value > dp.weight_bytes.value + dp.kv_bytes.value
    with pytest.raises(calc.InputError, match="GPUs: 16 exceeds the 8 experts"):
        calc.moe_layout(model="Mixtral-8x7B", layout="ep-dp", gpus=16)
    with pytest.raises(calc.InputError, match="Layout: 'pp' is not allowed; give one of tp, ep-dp"):
        calc.moe_layout(model="Mixtral-8x7B", layout="pp")


def test_gqa_kv_split_under_tp():
    # Mixtral has 8 K/V heads: on 8 GPUs each keeps one; on 16, still one (heads are not split further).
    eight = calc.moe_layout(model="Mixtral-8x7B", layout="tp", gpus=8, batch=4, context_len=1000)
    one = calc.moe_layout(model="Mixtral-8x7B", layout="tp", gpus=1, batch=4, context_len=1000)
    assert eight.kv_held.value == one.kv_held.value / 8 == 4 * 1000 * 2 * 1 * 128 * 2 * 32


def test_worked_problem_3_tokens_per_expert_at_256():
    # 256 × 8 token-slots over 255.9 touched experts: 8.0 tokens each; fp8 intensity ≈ 2 × 8 = 16, against the
    # H200's fp8 ridge 1978.9 / 4.8 = 412.3.
    load = calc.expert_load(model="DeepSeek-V3", batch=256, weights="fp8")
    assert load.tokens_per_expert.value == pytest.approx(256 * 8 / (256 * (1 - (1 - 8 / 256) ** 256)))
    assert 15 < load.expert_intensity.value < 16
    assert calc.ridge_point(gpu="H200-SXM-141GB", dtype="fp8").value == pytest.approx(412.27, abs=0.01)


def test_calculator():
    values = widgets.call("moe")["values"]
    load = calc.expert_load(model="DeepSeek-V3", batch=64, weights="fp8", context_len=2048)
    assert values["touched"] == f"{load.touched.value:,.1f}" == "222.4"
    assert values["params"] == "37.6 of 671.0"
    assert widgets.call("moe", {"batch": "1"})["values"]["faster"] == "Tensor parallel (TP)"
    assert widgets.call("moe", {"batch": "256"})["values"]["faster"] == "Expert parallel + DP attention"
    assert_widget_rejects("moe", (
        ({"gpus": "300"}, "gpus", "must be at most 256"),
        ({"model": "Mixtral-8x7B", "gpus": "16"}, "gpus", "needs at least one expert per GPU"),
        ({"gpu": "V100-SXM2-32GB"}, "dtype", "has no peak for V100-SXM2-32GB"),
        ({"model": "Llama-3-8B"}, "model", "is not one of the choices"),
    ))


def test_figure_plots_calcs_numbers():
    fig, data = figures.FIGURES["moe-experts"]()
    batches = list(data["batches"])
    for model in figures.MOE_FIGURE_MODELS:
        m = calc.get_model(model)
        for i in (0, len(batches) // 2, len(batches) - 1):
            load = calc.expert_load(model=model, batch=int(batches[i]), weights="fp8")
            assert data["touched_share"][model][i] == load.touched.value / m.n_experts
            assert data["weight_bytes"][model][i] == load.weight_bytes.value
    assert data["touched_share"]["DeepSeek-V3"][0] == pytest.approx(8 / 256)
    assert data["touched_share"]["Mixtral-8x7B"][-1] == pytest.approx(1.0)
    line = [a for a in fig.findobj() if a.get_gid() == "touched-DeepSeek-V3"][0]
    assert line.get_ydata()[0] == pytest.approx(100 * 8 / 256)


def test_built_page(site: Path):
    article = built_chapter(site, "moe")
    assert article.select_one("figure svg").find("g", id="figure-moe-experts") is not None
    assert shown_values(article, "moe")["touched"] == "222.4 experts"
