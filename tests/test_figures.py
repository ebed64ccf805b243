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
    # The source's example with the bytes it moves (errata E6), not its 7,563: about 1,190 for the prefill,
    # about 5.6 for one decode step of the same 8 sequences at 2,048 tokens.
    prefill = calc.forward_operators(model="LLaMA-13B", phase="prefill", batch=8, seq_len=1024).intensity.value
    decode = calc.forward_operators(model="LLaMA-13B", phase="decode", batch=8, seq_len=2048).intensity.value
    assert kernels["LLaMA-13B prefill, 8 × 1,024"]["intensity"] == prefill == pytest.approx(1189.6, abs=0.1)
    assert kernels["LLaMA-13B decode, B=8"]["intensity"] == decode == pytest.approx(5.58, abs=0.01)
    assert all(k["intensity"] != pytest.approx(7563.29, abs=1) for k in kernels.values())
    # The prefill sits on the flat roof of the A100 (ridge 153), the decode step far under it: 5.58 × 2.039 TB/s.
    assert kernels["LLaMA-13B prefill, 8 × 1,024"]["attainable"]["A100-SXM4-80GB"] == 312e12
    assert kernels["LLaMA-13B decode, B=8"]["attainable"]["A100-SXM4-80GB"] == pytest.approx(decode * 2.039e12)


def test_roofline_labels_do_not_share_a_line(drawn):
    _, data = drawn["roofline"]
    # FC at B = 1 (0.9995 FLOP/byte) and attention decode (1.0) are one label; every other kernel its own.
    assert ["FC 4096², B=1", "attention decode"] in data["labels"]
    assert sum(len(group) for group in data["labels"]) == len(data["kernels"])


def test_every_label_is_readable_at_the_column_width(drawn):
    # Drawn full width in a ~700 px column, every text is at least 11 px tall (issue: 6-8 px labels).
    for name, (fig, _) in drawn.items():
        for text in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")):
            if text.get_text().strip() and text.get_visible():
                assert figures.rendered_px(fig, text.get_fontsize()) >= figures.MIN_LABEL_PX, (name, text.get_text())


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


def test_decode_latency_is_calcs_with_the_cache(drawn):
    fig, data = drawn["decode-latency"]
    # The source's formulas (dashed): 4.9 ms flat up to the ridge 138.9, then linear.
    assert data["source"][0] == ex.llama13b_decode(batch=1).latency.value == pytest.approx(4.9e-3, abs=1e-5)
    assert np.all(data["source"][:138] == data["source"][0])
    for t in (20, 512, 2048):
        latency = data["latency"][t]
        assert latency[0] == ex.llama13b_step(batch=1, context_len=t).latency.value
        assert latency[127] == ex.llama13b_step(batch=128, context_len=t).latency.value
        assert data["knee"][t] == ex.llama13b_knee(context_len=t).knee.value
        x, _ = artist(fig, f"knee-{t}").get_data()
        assert x[0] == data["knee"][t]
    # Knees: the ridge (138.9) at the source's 20-token inputs; the cache at 512 (26.03/0.42 = 62.1) and
    # 2,048 tokens (26.03 GB / 1.68 GB = 15.5).
    assert data["knee"][20] == pytest.approx(138.9, abs=0.05)
    assert data["knee"][512] == pytest.approx(62.06, abs=0.01)
    assert data["knee"][2048] == pytest.approx(15.52, abs=0.01)
    # At 2,048 tokens batch 128 takes 34.7 ms, not the source's 4.9, and the step never becomes compute-bound.
    assert data["latency"][2048][127] == pytest.approx(34.72e-3, abs=1e-5)
    assert set(data["bound"][2048]) == {"memory"}
    # Shaded from the 2,048-token limit, (8 × 32 GiB − 26.03 GB) / 1.68 GB = 148.3 (errata E19).
    assert data["limit"][2048] == ex.exact_batch_limit("LLaMA-13B").limit.batch.value == pytest.approx(148.32, abs=0.01)
    assert artist(fig, "no-fit").get_x() == pytest.approx(data["limit"][2048])
    solid = artist(fig, "latency-2048").get_xdata()
    assert solid[-1] == 148 and np.allclose(artist(fig, "latency-2048").get_ydata() * 1e-3, data["latency"][2048][:148])


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


def test_roofline_in_time_units_is_calcs(drawn):
    fig, data = drawn["roofline-time"]
    b = data["batches"]
    # Asymptotes: bytes / β and FLOPs / π of calc.linear_layer; the bound is calc.kernel_time, their max.
    at_1 = calc.linear_layer(d_in=4096, d_out=4096, batch=1)
    assert data["memory"][0] == at_1.bytes_moved.value / 2039e9  # 2·(4096² + 2·4096) B ≈ 33.6 MB → 16.5 µs
    assert data["memory"][0] == pytest.approx(16.47e-6, abs=0.01e-6)
    assert data["compute"][0] == at_1.flops.value / 312e12
    assert np.all(data["bound"] == np.maximum(data["memory"], data["compute"]))
    # The asymptotes cross at B* = 165.4, the batch where the layer's intensity reaches the A100's ridge.
    assert data["crossover"] == ex.fc_4096_on_a100().threshold_batch.value
    below, above = b < data["crossover"], b > data["crossover"]
    assert np.all(data["memory"][below] > data["compute"][below]) and np.all(data["compute"][above] > data["memory"][above])
    assert np.allclose(artist(fig, "bound-time").get_ydata() * 1e-6, data["bound"])


def test_roofline_vs_measured_is_calcs_and_the_data(drawn):
    fig, data = drawn["roofline-vs-measured"]
    h200 = data["H200-SXM-141GB"]
    # Published: 9.73 ms per token at concurrency 4 (InferenceX ix0011); bound 2.47 ms: 25 % of the roofline.
    assert h200["measured"][0] == 0.0097299
    point = calc.measured_decode(gpu="H200-SXM-141GB", concurrency=4)
    assert h200["bound"][0] == point.bound.value == pytest.approx(2.47e-3, abs=0.01e-3)
    assert h200["efficiency"][0] == pytest.approx(0.25, abs=0.005)
    for gpu, series in data.items():
        # Every measured point is slower than its bound, and so is the engine (issue 11 gave it the fixed costs:
        # with the default profile it now lands within about 20 % of these points, on either side).
        assert np.all(series["bound"] < series["engine"]) and np.all(series["bound"] < series["measured"])
        assert np.all(np.abs(series["engine"] / series["measured"] - 1) < 0.5)
        assert [p.measured.value for p in calc.measured_decodes(gpu=gpu)] == list(series["measured"])
        assert np.allclose(artist(fig, f"bound-{gpu}").get_ydata() * 1e-3, series["bound"])
    # At small batch the servers reach 15-25 % of the roofline.
    assert data["MI300X"]["efficiency"][0] == pytest.approx(0.153, abs=0.005)


def test_time_components_add_up(drawn):
    fig, data = drawn["time-components"]
    bars = data["bars"]
    measured = bars["DeepSeek-R1, 8 × H200, 4 users:\nmeasured"]
    # The measured bar is one segment: the published 9.73 ms (InferenceX ix0011).
    assert measured == {"measured": data["measured"]} and data["measured"] == 0.0097299
    engine = calc.step_time(model="DeepSeek-V3", gpu="H200-SXM-141GB", phase="decode", batch=4, seq_len=1382, tp=8,
                            weights="fp8", kv="bf16", activations="fp8", efficiency=calc.efficiency(name="sglang"))
    assert sum(bars["DeepSeek-R1, 8 × H200, 4 users:\nserving engine"].values()) == pytest.approx(engine.total.value)
    # The roofline bar is memory at decode: the touched weights and caches over 8 × 4.8 TB/s (MLA's absorbed
    # attention over the bf16 cache runs at the bf16 peak and sits a hair past its ridge: under 1 % math).
    roofline = bars["DeepSeek-R1, 8 × H200, 4 users:\nroofline bound"]
    assert roofline["math"] < 0.01 * roofline["memory"]
    bound = calc.measured_decode(gpu="H200-SXM-141GB", concurrency=4).bound.value
    assert roofline["memory"] + roofline["math"] == pytest.approx(bound, rel=0.01)
    # The source's short-context, large-batch case is math-bound: its math segment is the largest.
    big = bars["LLaMA-13B, 8 × V100,\nB = 256, 20 tokens"]
    assert max(big, key=big.get) == "math"
    # With the profile fitted to SGLang the engine lands within 25 % of the measurement, and its fixed costs
    # (per layer, per step) are the largest part: the step is not bound by bytes.
    assert abs(engine.total.value / data["measured"] - 1) < 0.25
    parts = bars["DeepSeek-R1, 8 × H200, 4 users:\nserving engine"]
    assert max(parts, key=parts.get) == "fixed costs"
    assert artist(fig, "bar-4-measured").get_width() * 1e-3 == pytest.approx(data["measured"])


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


def test_landscape_part_labels_do_not_overlap(drawn):
    # The catalog grows (B300, GB200, MI355X crowd 8 TB/s); every part's label must stay readable.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Annotation

    fig, _ = drawn["gpu-landscape"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    boxes = [(a.get_text(), a.get_window_extent(renderer)) for a in fig.axes[0].texts if isinstance(a, Annotation)]
    assert len(boxes) >= 15
    for i, (name, box) in enumerate(boxes):
        for other, second in boxes[i + 1:]:
            assert not box.overlaps(second), (name, other)
