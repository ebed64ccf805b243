"""Quantization on the roofline (docs/quantization.md): formats, one matmul by hand, the measured fp4/fp8 gain."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import calc
from calc.web import widgets
from tests.conftest import assert_widget_rejects, built_chapter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import figures  # noqa: E402

K, N = 8192, 28672  # Llama-3-70B's MLP up-projection
H100 = dict(peak_bf16=989.4e12, peak_fp8=1978.9e12, fp32=67e12, bandwidth=3.35e12)


def test_formats():
    # NVFP4: 4 bits + one fp8 scale per 16 values; MXFP4: one 8-bit scale per 32; int4: + fp16 scale and
    # packed zero per 128.
    assert calc.data_format("fp4").bytes_per_element == 0.5 + 1 / 16
    assert calc.data_format("mxfp4").bytes_per_element == 0.5 + 1 / 32
    assert calc.data_format("int4", group_size=32).bytes_per_element == 0.5 + 2.5 / 32  # worked problem 1
    with pytest.raises(calc.InputError, match="only applies to int4 and int8 weights"):
        calc.data_format("fp8", group_size=128)
    assert calc.matmul_peak_dtype(weights="fp4", activations="fp4") == "fp4"
    assert calc.matmul_peak_dtype(weights="fp4", activations="bf16") == "bf16"  # weight-only fp4 widens


def test_weight_only_decode_by_hand():
    q = calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=1, weights="int4")
    weights = K * N * (0.5 + 2.5 / 128)
    assert q.bytes_moved.value == weights + K * 2 + N * 2  # bf16 input, bf16 output
    assert q.flops.value == 2 * K * N and q.dequant_ops.value == 4 * K * N  # calc.core.dtypes.DEQUANT_OPS['int4']
    assert q.bound == "memory" and q.time.value == q.bytes_moved.value / H100["bandwidth"]
    bf16 = calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=1)
    assert bf16.time.value / q.time.value == pytest.approx((2 * K * N + 2 * K + 2 * N) / (weights + 2 * K + 2 * N))


def test_weight_only_prefill_pays_the_widening_and_loses():
    # 4,096 tokens = 32 tiles of 128: each weight widened 32 times at 4 ops (DEQUANT_OPS), on the 67 TFLOP/s fp32 units.
    q = calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=4096, weights="int4")
    expected = 2 * 4096 * K * N / H100["peak_bf16"] + 4 * K * N * 32 / H100["fp32"]
    assert q.compute_time.value == pytest.approx(expected) and q.bound == "compute"
    bf16 = calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=4096)
    assert bf16.time.value / q.time.value < 1  # worked problem 3


def test_fp8_and_fp4_raise_the_peak_with_no_widening():
    fp8 = calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=4096, weights="fp8", activations="fp8")
    assert fp8.dequant_ops.value == 0 and fp8.compute_dtype == "fp8"
    assert fp8.compute_time.value == 2 * 4096 * K * N / H100["peak_fp8"]
    # Worked problem 4: 256 tokens in fp8 stay below the fp8 ridge (1978.9 / 3.35 = 590.7).
    assert calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=256, weights="fp8",
                                 activations="fp8").bound == "memory"
    fp4 = calc.quantized_matmul(gpu="B200", d_in=K, d_out=N, tokens=8192, weights="fp4", activations="fp4")
    bf16 = calc.quantized_matmul(gpu="B200", d_in=K, d_out=N, tokens=8192)
    assert bf16.time.value / fp4.time.value == pytest.approx(9000 / 2250)  # compute-bound: the peak ratio
    with pytest.raises(calc.InputError, match="has no peak for H100"):
        calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=1, weights="fp4", activations="fp4")
    with pytest.raises(calc.InputError, match="Group size: 100 does not divide the input width 8,192"):
        calc.quantized_matmul(gpu="H100-SXM5-80GB", d_in=K, d_out=N, tokens=1, weights="int4", group_size=100)


def test_fp4_model_step_attention_at_fp8():
    t = calc.forward_time(gpu="B200", model="DeepSeek-V3", batch=64, seq_len=2048, weights="fp4", activations="fp4",
                          kv="fp8")
    dtypes = {o.name: o.peak_dtype for o in t.operators}
    assert dtypes["attention (fused: QKᵀ, softmax, ·V)"] == "fp8" and dtypes["o_proj"] == "fp4"
    fp8 = calc.forward_time(gpu="B200", model="DeepSeek-V3", batch=64, seq_len=2048, weights="fp8",
                            activations="fp8", kv="fp8")
    # Memory-bound at batch 64: the ratio sits under the byte ratio 1 / 0.5625 = 1.78, far from 2.
    assert 1.6 < fp8.time.value / t.time.value < 1 / 0.5625


def test_worked_problem_5_fp8_cache_fits_twice_the_sequences():
    # Llama-3-70B, 8,192 tokens: 2 × 8 × 128 × 80 × 8,192 × 2 B = 2.68 GB in bf16, half in fp8.
    bf16 = calc.kv_cache_bytes(model="Llama-3-70B", context_len=8192).value
    assert bf16 == 2 * 8 * 128 * 80 * 8192 * 2
    assert calc.kv_cache_bytes(model="Llama-3-70B", context_len=8192, kv="fp8").value == bf16 / 2
    assert 40e9 // bf16 == 14


def test_measured_gain():
    gain = calc.fp4_fp8_gain()
    points = calc.fp4_fp8_points()
    assert all(p.spec_decoding == "mtp" for p in points if p.precision == "fp8")
    assert all(p.spec_decoding == "none" and p.run_url.startswith("https://github.com/SemiAnalysisAI/InferenceX/")
               for p in points if p.precision == "fp4")
    by_id = {p.id: p for p in points}
    # 1k/1k at concurrency 256 (worked problem 6): 1,954.88 / 1,330.04 output tokens/s per GPU.
    row = gain.equal_concurrency[2]
    assert (row.input_len, row.output_len, row.at, row.fp4_ids, row.fp8_id) == (1024, 1024, 256, ("ix0433",), "ix1191")
    assert row.ratio.value == by_id["ix0433"].output_tput_per_gpu / by_id["ix1191"].output_tput_per_gpu
    assert round(row.ratio.value, 2) == 1.47
    assert len(gain.equal_concurrency) == 10 and round(gain.median_equal_concurrency.value, 2) == 1.43
    # Equal interactivity: fp4 read log-log between the two fp4 points bracketing the fp8 point.
    first = gain.equal_interactivity[0]
    lo, hi = (by_id[i] for i in first.fp4_ids)
    f = math.log(first.at / lo.median_intvty) / math.log(hi.median_intvty / lo.median_intvty)
    assert first.fp4 == pytest.approx(lo.output_tput_per_gpu * (hi.output_tput_per_gpu / lo.output_tput_per_gpu) ** f)
    assert lo.median_intvty <= first.at <= hi.median_intvty


def test_calculator():
    values = widgets.call("quantization")["values"]
    q = calc.quantized_matmul(gpu="B200", d_in=K, d_out=N, tokens=1, weights="int4")
    assert values["time_us"] == f"{q.time.value * 1e6:,.2f}" and values["bound"] == "memory-bound"
    assert values["speedup"] == "3.85"
    assert_widget_rejects("quantization", (
        ({"gpu": "H100-SXM5-80GB", "scheme": "fp4 weights and activations"}, "scheme", "has no fp4 tensor peak"),
        ({"group_size": "100"}, "group_size", "does not divide the input width 8,192"),
        ({"tokens": "0"}, "tokens", "must be at least 1"),
    ))
    # Parts without an fp4 peak still show the other schemes, with fp4 marked unavailable.
    h100 = widgets.call("quantization", {"gpu": "H100-SXM5-80GB"})
    assert h100["ok"] and "no fp4 peak" in h100["html"]


def test_figures_plot_calcs_numbers():
    fig, data = figures.FIGURES["quant-speedup"]()
    for i in (0, len(data["tokens"]) - 1):
        t = int(data["tokens"][i])
        base = calc.quantized_matmul(gpu="B200", d_in=K, d_out=N, tokens=t).time.value
        for label, w, a in figures.QUANT_SCHEMES:
            q = calc.quantized_matmul(gpu="B200", d_in=K, d_out=N, tokens=t, weights=w, activations=a)
            assert data["speedup"][label][i] == base / q.time.value
    assert data["speedup"]["fp4 weights and activations"][-1] == pytest.approx(4.0)
    fig, data = figures.FIGURES["fp4-measured"]()
    gain = calc.fp4_fp8_gain()
    assert data["median"] == gain.median_equal_concurrency.value
    assert data["ratios"][(1024, 1024)][256] == gain.equal_concurrency[2].ratio.value
    line = [a for a in fig.findobj() if a.get_gid() == "median"][0]
    assert line.get_ydata()[0] == gain.median_equal_concurrency.value


def test_built_page(site: Path):
    article = built_chapter(site, "quantization")
    ids = [svg.find("g", id=lambda i: i and i.startswith("figure-"))["id"] for svg in article.select("figure svg")]
    assert ids == ["figure-quant-speedup", "figure-fp4-measured"]
    assert "ix0433" in article.get_text() and "1.47" in article.get_text()


def test_anatomy_reports_a_missing_peak_on_the_dtype_field():
    result = widgets.call("anatomy", {"weights": "fp4", "activations": "fp4"})  # default GPU: H100, no fp4 peak
    assert not result["ok"] and result["field"] == "activations" and "has no peak for H100" in result["message"]
    assert widgets.call("anatomy", {"weights": "fp4", "activations": "fp4", "gpu": "B200"})["ok"]
