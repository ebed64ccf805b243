"""Each figure plots calc's numbers: check the key plotted values against calc, on the artists themselves."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import calc
from calc.source import examples as ex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import figures  # noqa: E402


def artist(fig, gid: str):
    """The one artist of ``fig`` with this gid (the id it gets in the SVG)."""
    found = [a for a in fig.findobj() if a.get_gid() == gid]
    assert len(found) == 1, (gid, len(found))
    return found[0]


@pytest.fixture(scope="module")
def drawn():
    return {name: make() for name, make in figures.FIGURES.items()}


def test_roofline_ridge_points_are_calcs(drawn):
    fig, data = drawn["roofline"]
    # Ridge points: 125/0.9 = 138.9, 312/2.039 = 153.0, 989.4/3.35 = 295.3 FLOP/byte (docs/roofline.md).
    expected = {"V100-SXM2-32GB": 138.9, "A100-SXM4-80GB": 153.0, "H100-SXM5-80GB": 295.3}
    for gpu, ridge in expected.items():
        assert data["gpus"][gpu]["ridge"] == calc.ridge_point(gpu=gpu).value == pytest.approx(ridge, abs=0.05)
        x, y = artist(fig, f"ridge-{gpu}").get_data()
        assert (x[0], y[0] * 1e12) == (calc.ridge_point(gpu=gpu).value, calc.get_accelerator(gpu).peak("fp16"))
        roof = artist(fig, f"roof-{gpu}").get_ydata() * 1e12
        assert roof.max() == pytest.approx(calc.get_accelerator(gpu).peak("fp16"))


def test_roofline_kernels_are_calcs(drawn):
    _, data = drawn["roofline"]
    kernels = data["kernels"]
    assert kernels["FC 4096², B=1"]["intensity"] == calc.linear_layer(d_in=4096, d_out=4096, batch=1).intensity.value
    assert kernels["FC 4096², B=256"]["intensity"] == calc.linear_layer(d_in=4096, d_out=4096, batch=256).intensity.value
    assert kernels["attention decode"]["intensity"] == 1.0  # 2 FLOPs per fp16 byte of KV cache
    assert kernels["LLaMA-13B prefill"]["intensity"] == pytest.approx(7563.29, abs=0.01)  # docs/llm-arithmetic.md
    # The prefill sits on the flat roof of every GPU: 312 TFLOP/s on the A100.
    assert kernels["LLaMA-13B prefill"]["attainable"]["A100-SXM4-80GB"] == 312e12


def test_fc_crossover_is_calcs(drawn):
    fig, data = drawn["fc-intensity"]
    crossover = ex.fc_4096_on_a100()
    assert data["crossover_batch"] == crossover.threshold_batch.value == pytest.approx(165.4, abs=0.05)
    assert data["ridge"] == calc.ridge_point(gpu="A100-SXM4-80GB").value
    assert data["largest_memory_bound_batch"] == 165
    # The shaded regions meet at B* and the dashed line sits at the ridge.
    memory, compute = artist(fig, "memory-region"), artist(fig, "compute-region")
    assert memory.get_x() + memory.get_width() == pytest.approx(crossover.threshold_batch.value)
    assert compute.get_x() == crossover.threshold_batch.value
    assert artist(fig, "ridge").get_ydata()[0] == pytest.approx(153.016, abs=1e-3)
    # The source's batches: <= 128 memory-bound (hollow), 256 and 512 compute-bound.
    assert data["bound_at"] == crossover.bound_at
    assert artist(fig, "batch-128").get_markerfacecolor() == "none"
    assert artist(fig, "batch-256").get_markerfacecolor() != "none"


def test_decode_latency_is_calcs_flat_then_linear(drawn):
    fig, data = drawn["decode-latency"]
    for n in (4, 8):
        latency = data["latency"][n]
        assert latency[0] == ex.llama13b_decode(batch=1, n_gpus=n).latency.value
        assert latency[255] == ex.llama13b_decode(batch=256, n_gpus=n).latency.value
        assert np.all(latency[:138] == latency[0])  # flat up to the knee at 138.9
        assert latency[-1] > 3 * latency[0]
        # The regime switch happens at the V100's ridge point, rounded up.
        assert data["first_compute_bound_batch"][n] == 139
        assert np.allclose(artist(fig, f"latency-{n}").get_ydata() * 1e-3, latency)
    assert data["knee"] == calc.ridge_point(gpu="V100-SXM2-32GB").value


def test_token_latency_is_calcs_and_grows(drawn):
    _, data = drawn["token-latency"]
    model = calc.get_model("LLaMA-13B")
    for batch, latency in data["latency"].items():
        last = calc.decode_step_latency(
            params=model.parameter_count().value, n_gpus=8, batch=batch, n_layers=40, d_model=5120,
            context_len=512 + 1536, gpu="V100-SXM2-32GB",
        )
        assert latency[-1] == last.latency.value
        assert np.all(np.diff(latency) >= 0)
    # At batch 1 the cache barely matters; at 128 the last token is much slower than the first.
    assert data["latency"][1][-1] / data["latency"][1][0] < 1.05
    assert data["latency"][128][-1] / data["latency"][128][0] > 2


def test_kv_memory_markers_are_the_sources_numbers(drawn):
    fig, data = drawn["kv-memory"]
    assert data["markers"][("LLaMA-13B", "fp16")] == ex.seed_batch_limit("LLaMA-13B").batch.value == 115.7
    assert data["markers"][("LLaMA-65B", "fp16")] == ex.seed_batch_limit("LLaMA-65B").batch.value
    assert round(data["markers"][("LLaMA-65B", "fp16")], 2) == 26.88
    assert artist(fig, "seed-LLaMA-13B-fp16").get_ydata()[0] == 115.7
    # The curves at 2,048 tokens are the exact limits (148.32 and 26.88 on docs/memory.md).
    at = int(np.flatnonzero(data["contexts"] == 2048)[0])
    for model in ("LLaMA-13B", "LLaMA-65B"):
        for dtype in ("fp16", "int8"):
            assert data["max_batch"][(model, dtype)][at] == ex.exact_batch_limit(model, dtype).limit.batch.value
        assert data["kv_per_request"][model][at] == ex.exact_batch_limit(model).kv_per_request.value
    assert round(data["max_batch"][("LLaMA-13B", "fp16")][at], 2) == 148.32


def test_landscape_plots_the_whole_catalog(drawn):
    fig, data = drawn["gpu-landscape"]
    assert set(data["parts"]) == {part.name for part in calc.catalog()}
    for name, part in data["parts"].items():
        assert part["ridge"] == calc.ridge_point(gpu=name).value
    # Every point of an iso-ridge line has that ridge point, by calc's definition.
    for ridge, (bandwidth, peak) in data["ridge_lines"].items():
        for b, p in zip(bandwidth[::10], peak[::10]):
            assert calc.ridge_point(peak_flops=p, bandwidth=b).value == pytest.approx(ridge)
    x, y = artist(fig, "gpu-H100-SXM5-80GB").get_data()
    assert (x[0], y[0]) == pytest.approx((3.35, 989.4))


def test_gpu_colours_are_consistent():
    assert figures.gpu_colour("V100-SXM2-16GB") == figures.gpu_colour("V100-SXM2-32GB")
    assert len({figures.gpu_colour(g) for g in figures.ROOFLINE_GPUS}) == 3
    assert not set(figures.MODEL_COLOURS.values()) & {c for _, c in figures.GPU_COLOURS}


def test_svg_is_transparent_and_themable(drawn):
    fig, _ = drawn["roofline"]
    svg = figures.to_svg(fig)
    assert svg.startswith("<?xml") and "<svg" in svg
    assert figures.FOREGROUND not in svg and "currentColor" in svg
    assert "#ffffff" not in svg.lower()  # no opaque white background
    assert 'id="ridge-A100-SXM4-80GB"' in svg
    assert svg == figures.to_svg(fig)  # deterministic: no date, stable ids
