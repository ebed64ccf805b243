"""Attention on the roofline (docs/attention.md): counts by hand, the MLA forms, windows, the calculator, the figure."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import calc
from calc.web import widgets
from tests.conftest import assert_widget_rejects, built_chapter, shown_values

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import figures  # noqa: E402

H100_BW = 3.35e12


def test_gqa_decode_core_by_hand():
    # Llama-3-70B, one sequence, 4,096 cached positions: per layer and head, each pair costs
    # 2·128 (QKᵀ) + 5 (softmax) + 2·128 (·V) = 517 FLOPs; 64 heads, 80 layers.
    c = calc.attention_cost(model="Llama-3-70B", batch=1, seq_len=4096)
    assert c.core.flops.value == 80 * 64 * 4096 * 517
    # Bytes: K and V of 8 kv heads × 128 × 2 B per position, plus the query and output rows (64 × 128 × 2 B each).
    assert c.core.bytes_moved.value == 80 * (4096 * 2 * 8 * 128 * 2 + 2 * 64 * 128 * 2)
    assert c.kv_read.value == 80 * 4096 * 2 * 8 * 128 * 2
    assert c.kind == "GQA" and c.form == "" and c.form_work.flops.value == 0


def test_decode_intensity_is_the_group_size_whatever_the_batch():
    one = calc.attention_cost(model="Llama-3-70B", batch=1, seq_len=4096).total.intensity.value
    many = calc.attention_cost(model="Llama-3-70B", batch=64, seq_len=4096).total.intensity.value
    assert one == pytest.approx(many, rel=1e-12)
    # 64/8 heads per K/V head × (4·128 + 5)/(4·128) ≈ 8.08, less the query/output rows' bytes.
    assert 8.0 < many < 8 * 517 / 512
    mha = calc.attention_cost(model=calc.with_kv_heads(model="Llama-3-70B", n_kv_heads=64), batch=64, seq_len=4096)
    assert 1.0 < mha.total.intensity.value < 517 / 512 and mha.kind == "MHA"


def test_fp8_cache_doubles_decode_intensity_and_halves_time():
    bf16 = calc.attention_cost(model="Llama-3-70B", batch=64, seq_len=4096)
    fp8 = calc.attention_cost(model="Llama-3-70B", batch=64, seq_len=4096, kv="fp8")
    assert fp8.kv_read.value == bf16.kv_read.value / 2
    assert fp8.total.intensity.value == pytest.approx(2 * bf16.total.intensity.value, rel=0.01)
    t_bf16 = calc.attention_time(gpu="H100-SXM5-80GB", model="Llama-3-70B", batch=64, seq_len=4096)
    t_fp8 = calc.attention_time(gpu="H100-SXM5-80GB", model="Llama-3-70B", batch=64, seq_len=4096, kv="fp8")
    assert t_bf16.bound == t_fp8.bound == "memory"
    assert t_bf16.time.value == bf16.total.bytes_moved.value / H100_BW


def test_flashattention_changes_bytes_not_flops():
    # Prefill of 100 tokens: causal pairs 100·101/2 = 5050 per head; unfused writes scores (2 B), softmax reads
    # and writes them (4 B), ·V reads them (2 B): 8 B more per pair and head, 64 heads, 80 layers.
    kw = dict(model="Llama-3-70B", phase="prefill", seq_len=100)
    fused, unfused = calc.attention_cost(**kw), calc.attention_cost(**kw, fused_attention=False)
    assert fused.total.flops.value == unfused.total.flops.value == 80 * 64 * 5050 * 517
    assert unfused.total.bytes_moved.value - fused.total.bytes_moved.value == 80 * 64 * 5050 * 8
    long = dict(model="Llama-3-70B", phase="prefill", seq_len=4096)
    assert calc.attention_time(gpu="H100-SXM5-80GB", **long).bound == "compute"
    assert calc.attention_time(gpu="H100-SXM5-80GB", **long, fused_attention=False).bound == "memory"


def test_mla_absorbed_decode_by_hand():
    # DeepSeek-V3: 128 heads, latent 512 + rope 64, 61 layers. Core per pair and head: 2·576 + 5 + 2·512.
    c = calc.attention_cost(model="DeepSeek-V3", batch=1, seq_len=1000, mla_form="absorbed")
    assert c.core.flops.value == 61 * 128 * 1000 * (2 * 576 + 5 + 2 * 512)
    # The absorptions: 128 heads × (2·128·512) for W_UK and (2·512·128) for W_UV, per layer.
    assert c.form_work.flops.value == 61 * 2 * (2 * 128 * 128 * 512)
    assert c.kv_read.value == 61 * 1000 * 576 * 2 and c.form == "absorbed"


def test_mla_expanded_decode_decompresses_the_whole_cache():
    # kv_b_proj on every cached latent: 2 · 1000 positions · 512 · 128 heads · (128 nope + 128 v) per layer.
    c = calc.attention_cost(model="DeepSeek-V3", batch=1, seq_len=1000, mla_form="expanded")
    assert c.form_work.flops.value == 61 * 2 * 1000 * 512 * 128 * (128 + 128)
    assert c.core.flops.value == 61 * 128 * 1000 * (2 * 192 + 5 + 2 * 128)
    assert c.kv_read.value == 61 * 1000 * 512 * 2  # the latents read by kv_b_proj
    absorbed = calc.attention_cost(model="DeepSeek-V3", batch=1, seq_len=1000, mla_form="absorbed")
    assert c.total.flops.value > 50 * absorbed.total.flops.value


def test_mla_forms_swap_at_prefill_and_auto_picks_the_cheaper():
    kw = dict(model="DeepSeek-V3", seq_len=4096)
    for phase, cheaper in (("decode", "absorbed"), ("prefill", "expanded")):
        costs = {f: calc.attention_cost(**kw, phase=phase, mla_form=f).total.flops.value for f in ("absorbed", "expanded")}
        assert min(costs, key=costs.get) == cheaper
        assert calc.attention_cost(**kw, phase=phase).form == cheaper
    fwd = calc.forward_operators(model="DeepSeek-V3", phase="decode", seq_len=64, mla_form="expanded")
    assert any("expanded form" in c for c in fwd.choices)


def test_sliding_window_cache():
    # Gemma-2-9B: 8 kv heads × 256 × 2 (K, V) × 2 B = 8,192 B per token and layer; 21 global layers keep
    # every position, 21 windowed layers keep 4,096.
    assert calc.kv_cache_bytes(model="Gemma-2-9B", context_len=32768).value == 8192 * (21 * 32768 + 21 * 4096)
    # Mistral-7B windows every layer: 32,768 tokens keep what 4,096 keep (worked problem 6).
    assert calc.kv_cache_bytes(model="Mistral-7B", context_len=32768).value == \
        calc.kv_cache_bytes(model="Mistral-7B", context_len=4096).value == 32 * 4096 * 2 * 8 * 128 * 2
    # Decode reads at most the window in the windowed layers.
    long = calc.attention_cost(model="Mistral-7B", seq_len=32768).kv_read.value
    assert long == calc.attention_cost(model="Mistral-7B", seq_len=4096).kv_read.value


def test_kv_heads_variants_and_refusals():
    mqa = calc.with_kv_heads(model="Llama-3-70B", n_kv_heads=1)
    assert calc.attention_kind(model=mqa) == "MQA" and mqa.kv_bytes_per_token().value == 2 * 128 * 80 * 2
    # MHA adds 2 · 8192 · (64 − 8) · 128 parameters per layer (the k and v projections grow).
    mha = calc.with_kv_heads(model="Llama-3-70B", n_kv_heads=64)
    grown = mha.parameter_count().value - calc.get_model("Llama-3-70B").parameter_count().value
    assert grown == 80 * 2 * 8192 * 56 * 128
    with pytest.raises(calc.InputError, match="KV heads: 3 must divide the 64"):
        calc.with_kv_heads(model="Llama-3-70B", n_kv_heads=3)
    with pytest.raises(calc.InputError, match="latent attention"):
        calc.with_kv_heads(model="DeepSeek-V3", n_kv_heads=1)
    with pytest.raises(calc.InputError, match="MLA form: 'both' is not allowed; give one of auto, absorbed, expanded"):
        calc.attention_cost(model="DeepSeek-V3", mla_form="both")


def test_worked_problems():
    # 1. Llama-3-8B, 32 × 8,192 on an H100: memory-bound, time = bytes / 3.35 TB/s.
    t = calc.attention_time(gpu="H100-SXM5-80GB", model="Llama-3-8B", batch=32, seq_len=8192)
    c = calc.attention_cost(model="Llama-3-8B", batch=32, seq_len=8192)
    assert t.bound == "memory" and t.time.value == c.total.bytes_moved.value / H100_BW
    assert c.kv_read.value == 32 * 8192 * 32 * 2 * 8 * 128 * 2  # 34.36 GB
    # 2. The group size that reaches the ridge: 989.4 / 3.35 = 295.3 heads per K/V head.
    assert calc.ridge_point(gpu="H100-SXM5-80GB", dtype="bf16").value == pytest.approx(295.34, abs=0.01)
    # 4. Expanded vs absorbed DeepSeek-V3 at 4,096 tokens: more than a hundred times the FLOPs.
    ratio = (calc.attention_cost(model="DeepSeek-V3", seq_len=4096, mla_form="expanded").total.flops.value
             / calc.attention_cost(model="DeepSeek-V3", seq_len=4096, mla_form="absorbed").total.flops.value)
    assert 100 < ratio < 130


def test_calculator_defaults_and_errors():
    values = widgets.call("attention")["values"]
    c = calc.attention_cost(model="Llama-3-70B", batch=64, seq_len=4096)
    assert values["kind"] == "GQA" and values["intensity"] == f"{c.total.intensity.value:,.2f}" == "8.06"
    assert values["bound"] == "memory-bound"
    mla = widgets.call("attention", {"model": "DeepSeek-V3", "mla_form": "expanded", "batch": "1"})["values"]
    assert mla["kind"] == "MLA (expanded form)" and "form_flops" in mla
    assert_widget_rejects("attention", (
        ({"model": "DeepSeek-V3", "n_kv_heads": "1"}, "n_kv_heads", "leave K/V heads at 0"),
        ({"n_kv_heads": "3"}, "n_kv_heads", "must divide the 64 query heads"),
        ({"batch": "0"}, "batch", "must be at least 1"),
        ({"mla_form": "both"}, "mla_form", "is not one of the choices"),
    ))


def test_figure_plots_calcs_numbers():
    fig, data = figures.FIGURES["attention-kinds"]()
    for label, spec, form in figures.ATTENTION_CASES:
        cost = calc.attention_cost(model=figures.attention_case_model(spec), batch=64, seq_len=4096, mla_form=form)
        assert data["intensity"][label] == cost.total.intensity.value
        assert data["kv_per_token"][label] == cost.kv_bytes_per_token.value
    # MHA 2,560 KiB per token (2 × 64 × 128 × 80 × 2 B), GQA 320 KiB, MQA 40 KiB.
    assert [v / 1024 for v in list(data["kv_per_token"].values())[:3]] == [2560, 320, 40]
    assert data["ridges"]["H200-SXM-141GB"] == calc.ridge_point(gpu="H200-SXM-141GB", dtype="bf16").value
    ridge = [a for a in fig.findobj() if a.get_gid() == "ridge-H100-SXM5-80GB"][0]
    assert ridge.get_xdata()[0] == pytest.approx(295.34, abs=0.01)


def test_built_page(site: Path):
    article = built_chapter(site, "attention")
    svg = article.select_one("figure svg")
    assert svg.find("g", id="figure-attention-kinds") is not None and "currentColor" in str(svg)
    shown = shown_values(article, "attention")
    assert shown["intensity"] == widgets.call("attention")["values"]["intensity"] + " FLOP/byte"
    nav = [a.get_text(strip=True) for a in article.find_parent("html").select("nav.md-nav--primary a")]
    assert "Attention on the roofline" in nav
