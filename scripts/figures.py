"""Every figure of the site, drawn from ``calc``'s numbers.

One function per figure.  Each returns ``(fig, data)``: a matplotlib
``Figure`` and a dict of exactly the numbers it plotted, so tests can check a
figure against ``calc`` and notebooks can print what a reader sees.  No
formula lives here: every plotted value is a ``calc`` call (or a unit
conversion of one); the only arithmetic of our own is the geometry of the
iso-ridge lines in :func:`gpu_landscape` (``peak = ridge × bandwidth``,
which the tests check against ``calc.ridge_point``).

Figures are drawn for both of the site's palettes: the background is
transparent and every text, axis and tick is drawn in a sentinel colour that
:func:`to_svg` turns into ``currentColor``, so an SVG inlined in a page takes
the page's text colour (dark on light, light on dark).  Data colours are
mid-tone and the same for a GPU in every figure (:data:`GPU_COLOURS`).
Artists that carry a key value have a ``gid`` (it becomes the SVG element id).

The shared style lives in ``figure_style.py`` and the figures that set the bound beside time (the
roofline in time units, published measurements, a step's components) in ``figures_bounds.py``; this
module registers them all in :data:`FIGURES`.

Run ``python scripts/figures.py OUT_DIR`` to write every figure as SVG.
"""

from __future__ import annotations

import io
import re
import sys
from html import escape
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import calc  # noqa: E402
from calc.source import examples as ex  # noqa: E402
from calc.core.units import GIB, MILLISECOND, TB, TERA  # noqa: E402
from calc.core.validate import InputError  # noqa: E402

# Style and the figures that compare the bound with time live beside this file; re-exported here.
from figure_style import (  # noqa: E402,F401  (re-exported: tests and notebooks use figures.NAME)
    CONTENT_WIDTH_PX, FOREGROUND, GPU_COLOURS, GUIDE_ALPHA, MIN_LABEL_PX, MODEL_COLOURS, gpu_colour, new_figure as _new,
    log2_axis, rendered_px, short_name, style as _style,
)
from figures_bounds import roofline_time, roofline_vs_measured, time_components  # noqa: E402
from figures_serving import speculative_speedup, ttft_saturation  # noqa: E402
import figure_text  # noqa: E402

#: The three generations the source compares, as catalog names.
ROOFLINE_GPUS = ("V100-SXM2-32GB", "A100-SXM4-80GB", "H100-SXM5-80GB")


# --------------------------------------------------------------------------- 1


def _close_groups(values: dict[str, float], *, ratio: float) -> list[list[str]]:
    """Names grouped where consecutive values (sorted) are within ``ratio`` of each other."""
    groups: list[list[str]] = []
    last = None
    for name, value in sorted(values.items(), key=lambda kv: kv[1]):
        if last is not None and value < last * ratio:
            groups[-1].append(name)
        else:
            groups.append([name])
        last = value
    return groups


def roofline(*, gpus: Iterable[str] = ROOFLINE_GPUS, fc_batches: Iterable[int] = (1, 32, 256)) -> tuple[Figure, dict]:
    """Figure 1: the rooflines of V100, A100 and H100 with example kernels placed on them."""
    gpus, fc_batches = tuple(gpus), tuple(fc_batches)
    intensity = np.geomspace(0.25, 3e4, 300)
    llama = calc.get_model("LLaMA-13B")
    kernels: dict[str, float] = {
        **{f"FC 4096², B={b}": calc.linear_layer(d_in=4096, d_out=4096, batch=b).intensity.value for b in fc_batches},
        "attention decode": calc.attention_decode(
            context_len=ex.SEED_CONTEXT_LEN, d_model=llama.n_kv_heads * llama.head_dim, n_layers=llama.n_layers
        ).intensity.value,
        # The real intensities of the source's LLaMA-13B example (bytes moved, not its footprint; errata E6).
        "LLaMA-13B decode, B=8": calc.forward_operators(
            model="LLaMA-13B", phase="decode", batch=8, seq_len=ex.SEED_CONTEXT_LEN).intensity.value,
        "LLaMA-13B prefill, 8 × 1,024": calc.forward_operators(
            model="LLaMA-13B", phase="prefill", batch=8, seq_len=1024).intensity.value,
    }
    data: dict[str, Any] = {"intensity": intensity, "gpus": {}, "kernels": {}}
    with _style("roofline"):
        fig = _new("roofline")
        ax = fig.add_subplot()
        for gpu in gpus:
            part = calc.get_accelerator(gpu)
            roof = np.array([calc.attainable_performance(intensity=i, gpu=gpu).attainable.value for i in intensity])
            ridge = calc.ridge_point(gpu=gpu).value
            peak = part.peak("fp16")
            colour = gpu_colour(gpu)
            ax.plot(intensity, roof / TERA, color=colour, label=f"{gpu}", gid=f"roof-{gpu}")
            ax.plot([ridge], [peak / TERA], "o", color=colour, markersize=6, gid=f"ridge-{gpu}")
            ax.annotate(
                f"ridge {ridge:.0f}", (ridge, peak / TERA), xytext=(7, -4), textcoords="offset points",
                ha="left", va="top", color=colour, fontsize=9,
            )
            data["gpus"][gpu] = {"ridge": ridge, "peak": peak, "bandwidth": part.bandwidth, "roof": roof}
        for k, (label, value) in enumerate(kernels.items()):
            attained = {gpu: calc.attainable_performance(intensity=value, gpu=gpu).attainable.value for gpu in gpus}
            data["kernels"][label] = {"intensity": value, "attainable": attained}
            ax.axvline(value, color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=0.8, linestyle=":", gid=f"kernel-{k}")
            for gpu, perf in attained.items():
                ax.plot([value], [perf / TERA], "D", color=gpu_colour(gpu), markersize=4.5,
                        markeredgecolor=FOREGROUND, markeredgewidth=0.4)
        # Kernels closer than 20 % in intensity share a dotted line: one label for them, so none overlap
        # (the FC layer at B = 1 and attention over the cache both sit at I ≈ 1).
        for group in _close_groups(kernels, ratio=1.2):
            value = kernels[group[0]]
            ax.text(value * 1.12, 0.14, "\n".join(group), rotation=90, fontsize=9, ha="left", va="bottom",
                    gid=f"kernel-label-{group[0]}")
            data.setdefault("labels", []).append(group)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(intensity[0], intensity[-1])
        ax.set_ylim(0.1, 3000)
        ax.set_xlabel("Operational intensity (FLOP/byte)")
        ax.set_ylabel("Attainable fp16 performance (TFLOP/s)")
        ax.set_title("Roofline: min(peak, bandwidth × intensity)")
        ax.legend(loc="upper left")
    return fig, data


# --------------------------------------------------------------------------- 2


def fc_intensity(*, d: int = 4096, gpu: str = "A100-SXM4-80GB") -> tuple[Figure, dict]:
    """Figure 2: intensity of a d × d fp16 linear layer vs batch, against the GPU's ridge point."""
    batches = np.unique(np.geomspace(1, 8192, 240).round().astype(int))
    intensity = np.array([calc.linear_layer(d_in=d, d_out=d, batch=int(b)).intensity.value for b in batches])
    crossover = calc.linear_layer_crossover(d_in=d, d_out=d, gpu=gpu, batches=(1, 32, 64, 128, 256, 512))
    ridge, threshold = crossover.ridge.value, crossover.threshold_batch.value
    points = {b: calc.linear_layer(d_in=d, d_out=d, batch=b).intensity.value for b in crossover.bound_at}
    colour = gpu_colour(gpu)
    with _style("fc-intensity"):
        fig = _new("fc-intensity")
        ax = fig.add_subplot()
        ax.axvspan(batches[0], threshold, color=FOREGROUND, alpha=0.07, linewidth=0, gid="memory-region")
        ax.axvspan(threshold, batches[-1], color=colour, alpha=0.12, linewidth=0, gid="compute-region")
        ax.plot(batches, intensity, color=FOREGROUND, label=f"{d} × {d} layer, fp16", gid="fc-intensity")
        ax.axhline(ridge, color=colour, linestyle="--", linewidth=1.4, gid="ridge")
        ax.text(1.3, ridge * 1.12, f"{short_name(gpu)} ridge point {ridge:.1f} FLOP/byte", color=colour, fontsize=9)
        ax.axvline(threshold, color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=1, gid="crossover")
        ax.annotate(f"B* = {threshold:.1f}", (threshold, 2.2), xytext=(5, 0), textcoords="offset points", fontsize=9)
        for b, value in points.items():
            memory = crossover.bound_at[b] == "memory"
            ax.plot([b], [value], "o", markersize=6, color=FOREGROUND if memory else colour,
                    markerfacecolor="none" if memory else colour, gid=f"batch-{b}")
            ax.annotate(str(b), (b, value), xytext=(-4, 6), textcoords="offset points", ha="right", fontsize=9)
        ax.text(0.03, 0.93, "memory-bound", transform=ax.transAxes, fontsize=10, alpha=0.8)
        ax.text(0.97, 0.07, "compute-bound", transform=ax.transAxes, ha="right", color=colour, fontsize=10)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlim(batches[0], batches[-1])
        ax.set_xlabel("Batch size B (tokens sharing one weight read)")
        ax.set_ylabel("Arithmetic intensity (FLOP/byte)")
        ax.set_title(f"Linear layer {d} × {d}: intensity vs batch on {gpu}")
    data = {"batches": batches, "intensity": intensity, "ridge": ridge, "crossover_batch": threshold,
            "largest_memory_bound_batch": crossover.largest_memory_bound_batch, "points": points,
            "bound_at": dict(crossover.bound_at)}
    return fig, data


# --------------------------------------------------------------------------- 3


def decode_latency_vs_batch(*, contexts: Iterable[int] = ex.LATENCY_CONTEXTS, n_gpus: int = 8,
                            max_batch: int = 512) -> tuple[Figure, dict]:
    """Figure 3: LLaMA-13B decode-step latency vs batch on 8 V100s, one line per context length.

    Each line is ``calc.source.examples.llama13b_step`` (weights + every sequence's KV cache); its knee,
    min(ridge, e_w·P / kv(t)), is marked; batches whose caches do not fit at the longest context are
    shaded; the source's cache-free formula is drawn dashed as the short-context limit.
    """
    gpu = "V100-SXM2-32GB"
    contexts = tuple(contexts)
    batches = np.arange(1, max_batch + 1)
    source = np.array([ex.llama13b_decode(batch=int(b), n_gpus=n_gpus, gpu=gpu).latency.value for b in batches])
    data: dict[str, Any] = {"batches": batches, "source": source, "latency": {}, "knee": {}, "limit": {},
                            "bound": {}}
    with _style("decode-latency"):
        fig = _new("decode-latency")
        ax = fig.add_subplot()
        ax.plot(batches, source / MILLISECOND, "--", color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=1.4,
                label="the source's formulas (no KV cache)", gid="latency-source")
        for k, t in enumerate(contexts):
            steps = [ex.llama13b_step(batch=int(b), context_len=t, n_gpus=n_gpus, gpu=gpu) for b in batches]
            latency = np.array([s.latency.value for s in steps])
            knee = ex.llama13b_knee(context_len=t, gpu=gpu).knee.value
            limit = ex.llama13b_decode_limit(context_len=t, n_gpus=n_gpus).batch.value
            data["latency"][t], data["knee"][t], data["limit"][t] = latency, knee, limit
            data["bound"][t] = [s.bound for s in steps]
            colour = gpu_colour(gpu)
            alpha = 0.4 + 0.6 * (k + 1) / len(contexts)
            fits = batches <= limit
            ax.plot(batches[fits], latency[fits] / MILLISECOND, color=colour, alpha=alpha, linewidth=1.4 + 0.5 * k,
                    label=f"context {t:,} tokens", gid=f"latency-{t}")
            if not fits.all():
                ax.plot(batches[~fits], latency[~fits] / MILLISECOND, ":", color=colour, alpha=alpha,
                        linewidth=1.4 + 0.5 * k, gid=f"latency-{t}-nofit")
            at_knee = ex.llama13b_step(batch=max(1, round(knee)), context_len=t, n_gpus=n_gpus, gpu=gpu).latency.value
            ax.plot([knee], [at_knee / MILLISECOND], "o", color=colour, markersize=6, markeredgecolor=FOREGROUND,
                    markeredgewidth=0.5, gid=f"knee-{t}")
            ax.annotate(f"knee {knee:.0f}", (knee, at_knee / MILLISECOND), xytext=(4, 8), textcoords="offset points",
                        fontsize=9, color=FOREGROUND)
        longest = max(contexts)
        limit = data["limit"][longest]
        ax.axvspan(limit, max_batch, color=FOREGROUND, alpha=0.08, linewidth=0, gid="no-fit")
        ax.text(limit + 6, 0.97, f"does not fit at {longest:,} tokens\n(limit {limit:.0f} sequences)",
                transform=ax.get_xaxis_transform(), va="top", fontsize=9)
        ax.set_xlim(0, max_batch)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Batch size B (sequences decoded together)")
        ax.set_ylabel("Decode-step latency (ms)")
        ax.set_title(f"LLaMA-13B decode on {n_gpus} × {gpu}: the cache sets the knee")
        ax.legend(loc="center left", bbox_to_anchor=(0.0, 0.62))
    return fig, data


# --------------------------------------------------------------------------- 4


def token_latency(
    *, batches: Iterable[int] = (1, 16, 64, 128), prompt_len: int = 512, output_len: int = 1536, n_gpus: int = 8,
) -> tuple[Figure, dict]:
    """Figure 4: latency of each generated token as the KV cache grows (LLaMA-13B, 8 × V100)."""
    gpu = "V100-SXM2-32GB"
    model = calc.get_model("LLaMA-13B")
    params = model.parameter_count().value
    tokens = np.arange(1, output_len + 1)
    batches = tuple(batches)
    data: dict[str, Any] = {"tokens": tokens, "prompt_len": prompt_len, "latency": {}}
    with _style("token-latency"):
        fig = _new("token-latency")
        ax = fig.add_subplot()
        for k, b in enumerate(batches):
            latency = np.array([
                calc.decode_step_latency(
                    params=params, n_gpus=n_gpus, batch=b, n_layers=model.n_layers,
                    d_model=model.n_kv_heads * model.head_dim, context_len=prompt_len + int(t), gpu=gpu,
                ).latency.value
                for t in tokens
            ])
            data["latency"][b] = latency
            ax.plot(tokens, latency / MILLISECOND, color=gpu_colour(gpu), alpha=0.35 + 0.65 * (k + 1) / len(batches),
                    linewidth=1.2 + 0.5 * k, gid=f"token-latency-{b}")
            ax.annotate(f"B = {b}", (tokens[-1], latency[-1] / MILLISECOND), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=9)
        ax.set_xlim(0, tokens[-1] * 1.1)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(f"Generated token (after a {prompt_len}-token prompt)")
        ax.set_ylabel("Latency of that decode step (ms)")
        ax.set_title(f"LLaMA-13B on {n_gpus} × V100-SXM2-32GB: later tokens read a longer KV cache")
    return fig, data


# --------------------------------------------------------------------------- 5


def kv_memory(*, contexts: Iterable[int] = range(128, 4097, 32)) -> tuple[Figure, dict]:
    """Figure 5: KV cache per request and the largest batch vs context on 8 × V100-32GB."""
    contexts = np.array(tuple(contexts))
    models, dtypes = ("LLaMA-13B", "LLaMA-65B"), ("fp16", "int8")
    memory_per_gpu = 32 * GIB  # the V100's physical HBM, as calc.source.examples.exact_batch_limit takes it
    data: dict[str, Any] = {"contexts": contexts, "kv_per_request": {}, "max_batch": {}, "markers": {}}
    with _style("kv-memory"):
        fig = _new("kv-memory", figsize=(8.4, 4.2))
        left, right = fig.subplots(1, 2)
        for model in models:
            colour = MODEL_COLOURS[model]
            kv, limits = [], {dtype: [] for dtype in dtypes}
            for c in contexts:
                for dtype in dtypes:
                    try:
                        r = calc.model_batch_limit(
                            model=model, n_gpus=8, context_len=int(c), memory_per_gpu=memory_per_gpu,
                            bytes_per_param=ex.BYTES_PER_PARAM[dtype],
                        )
                        limits[dtype].append(r.limit.batch.value)
                    except InputError:  # not even one request fits
                        limits[dtype].append(np.nan)
                kv.append(r.kv_per_request.value)
            data["kv_per_request"][model] = np.array(kv)
            left.plot(contexts, np.array(kv) / GIB, color=colour, label=model, gid=f"kv-{model}")
            for dtype, style in zip(dtypes, ("-", "--")):
                curve = np.array(limits[dtype])
                data["max_batch"][(model, dtype)] = curve
                right.plot(contexts, curve, style, color=colour, label=f"{model}, {dtype} weights",
                           gid=f"batch-{model}-{dtype}")
        for model, dtype, offset in (("LLaMA-13B", "fp16", (-10, -16)), ("LLaMA-65B", "fp16", (-10, -16))):
            seed = ex.seed_batch_limit(model, dtype).batch.value
            data["markers"][(model, dtype)] = seed
            right.plot([ex.SEED_CONTEXT_LEN], [seed], "X", color=MODEL_COLOURS[model], markersize=8,
                       markeredgecolor=FOREGROUND, markeredgewidth=0.6, gid=f"seed-{model}-{dtype}")
            right.annotate(f"source: {seed:.4g}", (ex.SEED_CONTEXT_LEN, seed), xytext=offset,
                           textcoords="offset points", ha="right", fontsize=10)
        for ax in (left, right):
            ax.axvline(ex.SEED_CONTEXT_LEN, color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=0.8, linestyle=":")
            ax.set_xlabel("Context length (prompt + output tokens)")
            ax.set_xlim(0, contexts[-1])
        left.set_ylim(bottom=0)
        left.set_ylabel("KV cache per request, fp16 (GiB)")
        left.set_title("KV cache of one request")
        left.legend(loc="upper left")
        right.set_yscale("log")
        right.set_ylabel("Largest batch (requests)")
        right.set_title("Largest batch on 8 × V100 (8 × 32 GiB)")
        right.legend(loc="upper right", fontsize=10)
    return fig, data


# --------------------------------------------------------------------------- 6

#: Where a part's label sits next to its point in the landscape (offset in points, alignment);
#: the default is centred below.  Hand-placed so that neighbours do not overlap.
#: Bandwidth (TB/s) at which each iso-ridge line is labelled, clear of the parts.
RIDGE_LABEL_AT = {50: 4.0, 100: 6.5, 200: 3.0, 400: 0.35}

LABEL_PLACES: dict[str, tuple[int, int, str, str]] = {
    "V100-SXM2-16GB": (8, -2, "left", "top"),
    "RTX-4090": (0, 7, "center", "bottom"),
    "A100-SXM4-80GB": (0, 7, "center", "bottom"),
    "H100-SXM5-80GB": (-7, 0, "right", "center"),
    "MI300X": (-3, 7, "right", "bottom"),
    "MI325X": (3, 7, "left", "bottom"),
    "H200-SXM-141GB": (-6, 6, "right", "bottom"),
    # Blackwell and MI355X share 8 TB/s: B200/B300 to the left, GB200/GB300 above-left, MI355X to the right.
    "B200": (-8, -4, "right", "center"),
    "GB200": (-6, 6, "right", "bottom"),
    "MI355X": (7, 4, "left", "bottom"),
}


def _shared_label(names: list[str]) -> str:
    """One label for parts that share a point: ``V100-SXM2 16GB / 32GB``, not two full names side by side."""
    if len(names) == 1:
        return names[0]
    stem = names[0].rsplit("-", 1)[0]
    if all(n.rsplit("-", 1)[0] == stem for n in names):
        return f"{stem} ({' and '.join(n.rsplit('-', 1)[1] for n in names)})"
    return " / ".join(names)


def gpu_landscape(*, ridge_lines: Iterable[float] = (50, 100, 200, 400)) -> tuple[Figure, dict]:
    """Figure 6: dense fp16 peak vs memory bandwidth for the whole catalog, with lines of equal ridge point."""
    groups: dict[tuple[float, float], list[str]] = {}
    data: dict[str, Any] = {"parts": {}, "ridge_lines": {}}
    for part in calc.catalog():
        peak = part.peak("fp16")
        data["parts"][part.name] = {"bandwidth": part.bandwidth, "peak": peak,
                                    "ridge": calc.ridge_point(gpu=part.name).value}
        groups.setdefault((part.bandwidth, peak), []).append(part.name)
    bandwidth = np.geomspace(0.2 * TB, 16 * TB, 50)
    with _style("gpu-landscape"):
        fig = _new("gpu-landscape", figsize=(7.2, 5.0))
        ax = fig.add_subplot()
        labels = []
        for ridge in tuple(ridge_lines):
            line = ridge * bandwidth  # the set of (β, π) with π / β = ridge
            data["ridge_lines"][ridge] = (bandwidth, line)
            ax.plot(bandwidth / TB, line / TERA, color=FOREGROUND, alpha=0.3, linewidth=0.8, linestyle="--",
                    gid=f"ridge-line-{ridge:g}")
            labels.append((ridge, RIDGE_LABEL_AT.get(ridge, 1.0) * TB))
        for (bw, peak), names in groups.items():
            colour = gpu_colour(names[0])
            ax.plot([bw / TB], [peak / TERA], "o", color=colour, markersize=7, markeredgecolor=FOREGROUND,
                    markeredgewidth=0.4, gid=f"gpu-{names[0]}")
            label = _shared_label(names)
            dx, dy, ha, va = LABEL_PLACES.get(names[0], (0, -8, "center", "top"))
            ax.annotate(label, (bw / TB, peak / TERA), xytext=(dx, dy), textcoords="offset points",
                        ha=ha, va=va, fontsize=9, color=FOREGROUND)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(0.2, 16)
        ax.set_ylim(40, 4000)
        for ridge, x in labels:  # along the line: its on-screen angle is known once the limits are
            (x0, y0), (x1, y1) = ax.transData.transform([(x / TB, ridge * x / TERA), (2 * x / TB, 2 * ridge * x / TERA)])
            ax.text(x / TB, ridge * x / TERA * 0.88, f"ridge {ridge:g} FLOP/byte", fontsize=9, alpha=0.8,
                    rotation=np.degrees(np.arctan2(y1 - y0, x1 - x0)), rotation_mode="anchor", ha="left", va="top")
        ax.set_xlabel("Memory bandwidth (TB/s)")
        ax.set_ylabel("Dense fp16 tensor peak (TFLOP/s)")
        ax.set_title("The GPU landscape: each part's ridge point is peak / bandwidth")
    return fig, data


FIGURES: dict[str, Callable[[], tuple[Figure, dict]]] = {
    "roofline": roofline,
    "fc-intensity": fc_intensity,
    "decode-latency": decode_latency_vs_batch,
    "token-latency": token_latency,
    "kv-memory": kv_memory,
    "gpu-landscape": gpu_landscape,
    "roofline-time": roofline_time,
    "roofline-vs-measured": roofline_vs_measured,
    "time-components": time_components,
}


def to_svg(fig: Figure) -> str:
    """The figure as SVG text: transparent, deterministic, foreground drawn in ``currentColor``."""
    buffer = io.StringIO()
    salt = (fig.get_gid() or "figure").removeprefix("figure-")
    with matplotlib.rc_context({"svg.hashsalt": f"llm-roofline-{salt}"}):
        fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
    titles = "; ".join(ax.get_title() for ax in fig.axes if ax.get_title())
    svg = buffer.getvalue().replace(FOREGROUND, "currentColor")
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m.group(1)}\n <title>{escape(titles)}</title>", svg, count=1)
    return svg


class SVG:
    """Shows a figure as SVG in a notebook (Jupyter calls ``_repr_svg_``), its words in ``lang``."""

    def __init__(self, fig: Figure, lang: str = "en") -> None:
        missing = figure_text.localize(fig, lang)
        if missing:
            raise ValueError(f"no {lang} entry in calc/web/locale_{lang}.py for {missing}")
        with figure_text.text_as_text(lang):
            self.svg = to_svg(fig)

    def _repr_svg_(self) -> str:
        return self.svg


def render_all(out_dir: Path, lang: str = "en") -> list[Path]:
    """Write every figure, its words in ``lang``, to ``out_dir/NAME.svg``; return the paths.

    A text with no translation fails the render: a figure is never half translated.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIGURES.items():
        fig, _ = make()
        missing = figure_text.localize(fig, lang)
        if missing:
            raise SystemExit(f"figure {name}: no {lang} entry in calc/web/locale_{lang}.py for {missing}")
        path = out_dir / f"{name}.svg"
        with figure_text.text_as_text(lang):
            path.write_text(to_svg(fig), encoding="utf-8")
        written.append(path)
    return written



# --------------------------------------------------------------------------- Serving LLMs today: attention

#: The attention kinds compared on the attention page: (label, model or variant, MLA form).
ATTENTION_CASES: tuple[tuple[str, Any, str], ...] = (
    ("MHA: Llama-3-70B with 64 K/V heads", ("Llama-3-70B", 64), "auto"),
    ("GQA: Llama-3-70B as released (8)", ("Llama-3-70B", 8), "auto"),
    ("MQA: Llama-3-70B with 1 K/V head", ("Llama-3-70B", 1), "auto"),
    ("MLA: DeepSeek-V3, absorbed", "DeepSeek-V3", "absorbed"),
)
ATTENTION_RIDGE_GPUS = ("H100-SXM5-80GB", "H200-SXM-141GB", "B200")
ATTENTION_BATCH, ATTENTION_CONTEXT = 64, 4096


def attention_case_model(spec: Any) -> Any:
    """A case's model: a preset name, or (preset, K/V heads) for a variant of it."""
    if isinstance(spec, tuple):
        return calc.with_kv_heads(model=spec[0], n_kv_heads=spec[1])
    return spec


def attention_kinds(*, batch: int = ATTENTION_BATCH, context: int = ATTENTION_CONTEXT) -> tuple[Figure, dict]:
    """KV cache per token and decode-attention intensity for MHA, GQA, MQA and MLA, against three ridge points."""
    data: dict[str, Any] = {"kv_per_token": {}, "intensity": {}, "ridges": {}, "batch": batch, "context": context}
    for label, spec, form in ATTENTION_CASES:
        cost = calc.attention_cost(model=attention_case_model(spec), phase="decode", batch=batch, seq_len=context,
                                   mla_form=form)
        data["kv_per_token"][label] = cost.kv_bytes_per_token.value
        data["intensity"][label] = cost.total.intensity.value
    for gpu in ATTENTION_RIDGE_GPUS:
        data["ridges"][gpu] = calc.ridge_point(gpu=gpu, dtype="bf16").value
    labels = list(data["intensity"])
    y = np.arange(len(labels))[::-1]
    colours = ["#76b7b2", "#59a14f", "#edc948", "#af7aa1"]
    with _style("attention-kinds"):
        fig = _new("attention-kinds", figsize=(7.2, 5.4))
        top, bottom = fig.subplots(2, 1)
        kib = [data["kv_per_token"][k] / 1024 for k in labels]
        top.barh(y, kib, color=colours, gid="kv-bars")
        for yi, value in zip(y, kib):
            top.annotate(f"{value:,.0f} KiB", (value, yi), xytext=(4, 0), textcoords="offset points", va="center",
                         fontsize=9)
        top.set_yticks(y, [k.split(":")[0] for k in labels])
        top.set_xlim(0, max(kib) * 1.25)
        top.set_xlabel("KV cache per token, all layers, bf16 (KiB)")
        top.set_title("What one token leaves in memory")
        values = [data["intensity"][k] for k in labels]
        for yi, value, colour, label in zip(y, values, colours, labels):
            bottom.barh([yi], [value], color=colour, gid=f"intensity-{label.split(':')[0].replace(' ', '-')}")
            bottom.annotate(f"{value:,.1f}", (value, yi), xytext=(4, 0), textcoords="offset points", va="center",
                            fontsize=9)
        for (gpu, ridge), style in zip(data["ridges"].items(), ("--", ":", "-.")):
            bottom.axvline(ridge, color=gpu_colour(gpu), linestyle=style, linewidth=1.5, gid=f"ridge-{gpu}",
                           label=f"{short_name(gpu)} ridge {ridge:.0f}")
        bottom.legend(loc="lower right", fontsize=9)
        bottom.set_xscale("log")
        bottom.set_xlim(0.5, 3000)
        bottom.set_yticks(y, [k.split(":")[0] for k in labels])
        bottom.set_xlabel(f"Decode attention intensity, batch {batch}, {context:,} tokens (FLOP/byte)")
        bottom.set_title("FLOPs per byte of one decode step's attention")
    return fig, data


FIGURES["attention-kinds"] = attention_kinds


# --------------------------------------------------------------------------- Serving LLMs today: mixture of experts

MOE_FIGURE_MODELS = ("DeepSeek-V3", "Mixtral-8x7B")
MOE_FIGURE_DTYPE = "fp8"


def moe_experts(*, max_batch: int = 1024) -> tuple[Figure, dict]:
    """Experts touched per MoE layer and weights read per decode step vs batch (uniform routing)."""
    batches = np.unique(np.geomspace(1, max_batch, 60).round().astype(int))
    data: dict[str, Any] = {"batches": batches, "touched_share": {}, "weight_bytes": {}, "active": {}, "total": {}}
    colours = dict(zip(MOE_FIGURE_MODELS, ("#af7aa1", "#76b7b2")))
    with _style("moe-experts"):
        fig = _new("moe-experts", figsize=(7.2, 6.2))
        top, bottom = fig.subplots(2, 1)
        for model in MOE_FIGURE_MODELS:
            m = calc.get_model(model)
            loads = [calc.expert_load(model=model, batch=int(b), weights=MOE_FIGURE_DTYPE) for b in batches]
            share = np.array([x.touched.value / m.n_experts for x in loads])
            weights = np.array([x.weight_bytes.value for x in loads])
            data["touched_share"][model], data["weight_bytes"][model] = share, weights
            data["active"][model] = loads[0].active_params.value
            data["total"][model] = loads[0].total_params.value
            label = f"{model}: top-{m.experts_per_token} of {m.n_experts}"
            top.plot(batches, share * 100, color=colours[model], label=label, gid=f"touched-{model}")
            everything = m.parameter_count().value * calc.data_format(MOE_FIGURE_DTYPE).bytes_per_element
            data["all_weight_bytes"] = {**data.get("all_weight_bytes", {}), model: everything}
            bottom.plot(batches, weights / everything, color=colours[model],
                        label=label, gid=f"weights-{model}")
        for ax in (top, bottom):
            log2_axis(ax)
        top.set_ylim(0, 105)
        top.set_xlim(1, max_batch)
        top.set_ylabel("Experts touched (% of all)")
        top.set_title("Experts touched per MoE layer, one decode step")
        top.legend(loc="lower right", fontsize=9)
        v3 = "DeepSeek-V3"
        bottom.axhline(data["active"][v3] / data["total"][v3], color=colours[v3], linestyle=":", linewidth=1.3,
                       gid="active-share")
        bottom.annotate(f"{v3} active share {data['active'][v3] / data['total'][v3] * 100:.1f} %", (1, data["active"][v3] / data["total"][v3]),
                        xytext=(4, 6), textcoords="offset points", fontsize=9, color=colours[v3])
        bottom.set_xlim(1, max_batch)
        bottom.set_ylim(0, 1.05)
        bottom.set_xlabel("Batch (sequences decoded together)")
        bottom.set_ylabel("Weights read / all weights")
        bottom.set_title(f"Weights read per step ({MOE_FIGURE_DTYPE}), as a share of the model")
    return fig, data


FIGURES["moe-experts"] = moe_experts


# --------------------------------------------------------------------------- Serving LLMs today: quantization

QUANT_SCHEMES = (("int8 weight-only", "int8", "bf16"), ("int4 weight-only", "int4", "bf16"),
                 ("fp8 weights and activations", "fp8", "fp8"), ("fp4 weights and activations", "fp4", "fp4"))
QUANT_SHAPE = (8192, 28672)  # Llama-3-70B's MLP up/gate projection
QUANT_GPU = "B200"


def quant_speedup(*, gpu: str = QUANT_GPU, max_tokens: int = 8192) -> tuple[Figure, dict]:
    """Speed-up over bf16 of one linear layer in each format, against the tokens sharing the weights."""
    tokens = np.unique(np.geomspace(1, max_tokens, 80).round().astype(int))
    d_in, d_out = QUANT_SHAPE
    data: dict[str, Any] = {"tokens": tokens, "speedup": {}, "gpu": gpu}
    base = np.array([calc.quantized_matmul(gpu=gpu, d_in=d_in, d_out=d_out, tokens=int(t)).time.value
                     for t in tokens])
    colours = ("#59a14f", "#edc948", "#4e79a7", "#e15759")
    styles = ("--", "--", "-", "-")
    with _style("quant-speedup"):
        fig = _new("quant-speedup")
        ax = fig.add_subplot()
        for (label, w, a), colour, style in zip(QUANT_SCHEMES, colours, styles):
            times = np.array([calc.quantized_matmul(gpu=gpu, d_in=d_in, d_out=d_out, tokens=int(t), weights=w,
                                                    activations=a).time.value for t in tokens])
            data["speedup"][label] = base / times
            ax.plot(tokens, base / times, style, color=colour, label=label, gid=f"speedup-{w}-{a}")
        ax.axhline(1, color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=0.8)
        log2_axis(ax)
        ax.set_xlim(1, max_tokens)
        ax.set_ylim(0, 4.4)
        ax.set_xlabel("Tokens sharing each weight read (batch, or batch × prompt)")
        ax.set_ylabel("Speed-up over bf16")
        ax.set_title(f"{d_in:,} × {d_out:,} linear layer on {gpu}: roofline bound per format")
        ax.legend(loc="upper right", fontsize=9)
    return fig, data


def fp4_measured(*, gpu: str = QUANT_GPU, batch: int = 64) -> tuple[Figure, dict]:
    """Measured fp4 / fp8 throughput of DeepSeek-R1 on 8 × B200 against the naive 2× and the roofline's ratio."""
    gain = calc.fp4_fp8_gain()
    kw = dict(gpu=gpu, model="DeepSeek-V3", phase="decode", batch=batch, seq_len=2048, kv="fp8")
    predicted = (calc.forward_time(weights="fp8", activations="fp8", **kw).time.value
                 / calc.forward_time(weights="fp4", activations="fp4", **kw).time.value)
    data: dict[str, Any] = {"ratios": {}, "predicted": predicted, "median": gain.median_equal_concurrency.value}
    colours = {(1024, 1024): "#4e79a7", (1024, 8192): "#59a14f", (8192, 1024): "#e15759"}
    with _style("fp4-measured"):
        fig = _new("fp4-measured")
        ax = fig.add_subplot()
        for shape, colour in colours.items():
            rows = [r for r in gain.equal_concurrency if (r.input_len, r.output_len) == shape]
            data["ratios"][shape] = {r.at: r.ratio.value for r in rows}
            ax.plot([r.at for r in rows], [r.ratio.value for r in rows], "o", color=colour, markersize=7,
                    markeredgecolor=FOREGROUND, markeredgewidth=0.4, label=f"{shape[0]:,} in / {shape[1]:,} out",
                    gid=f"measured-{shape[0]}-{shape[1]}")
        ax.axhline(2, color=FOREGROUND, alpha=GUIDE_ALPHA, linestyle=":", linewidth=1.2, gid="naive")
        ax.annotate("naive: twice the peak, half the bytes", (4, 2), xytext=(0, 4), textcoords="offset points",
                    fontsize=9)
        ax.axhline(predicted, color="#b07aa1", linestyle="--", linewidth=1.5, gid="predicted")
        ax.annotate(f"roofline, scales included: {predicted:.2f}", (4, predicted), xytext=(0, -12),
                    textcoords="offset points", fontsize=9, color="#b07aa1")
        ax.axhline(data["median"], color=FOREGROUND, linewidth=1.2, gid="median")
        ax.annotate(f"measured median {data['median']:.2f}", (300, data["median"]), xytext=(0, 4),
                    textcoords="offset points", ha="right", fontsize=9)
        ax.axhline(1, color=FOREGROUND, alpha=0.3, linewidth=0.8)
        log2_axis(ax)
        ax.set_xlim(3, 320)
        ax.set_ylim(0, 2.8)
        ax.set_xlabel("Client concurrency (requests in flight)")
        ax.set_ylabel("fp4 / fp8+MTP output tokens/s per GPU")
        ax.set_title("DeepSeek-R1 on 8 × B200, TensorRT-LLM: fp4 over fp8 at equal concurrency")
        ax.legend(loc="lower right", fontsize=9)
    return fig, data


FIGURES["quant-speedup"] = quant_speedup
FIGURES["fp4-measured"] = fp4_measured
FIGURES["ttft-saturation"] = ttft_saturation
FIGURES["speculative-speedup"] = speculative_speedup

if __name__ == "__main__":
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--lang"):
        sys.exit("usage: python scripts/figures.py OUT_DIR [--lang zh]")
    for path in render_all(Path(sys.argv[1]), sys.argv[3] if len(sys.argv) == 4 else "en"):
        print(path)
