"""Figures that set the roofline's bound beside time: the roofline in time units, the published
measurements against the bound, and the components of a step's time (the source's two figures that had
not been redrawn, and the "where the roofline lies" comparison).  Same contract as ``figures``: each
function returns ``(fig, data)`` with exactly the numbers it plotted, every one a ``calc`` call.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import calc  # noqa: E402
from calc.source import examples as ex  # noqa: E402
from calc.core.units import MILLISECOND  # noqa: E402
from figure_style import FOREGROUND, GUIDE_ALPHA, gpu_colour, new_figure, short_name, style  # noqa: E402


# --------------------------------------------------------------------------- 7


def roofline_time(*, d: int = 4096, gpu: str = "A100-SXM4-80GB") -> tuple[Figure, dict]:
    """Figure 7: the roofline in time units — a d × d fp16 linear layer's time against batch, with both asymptotes.

    Memory time bytes / β is nearly flat while the weights dominate the bytes; compute time FLOPs / π grows
    linearly; the bound is the larger, and the two cross at the batch where intensity reaches the ridge.
    """
    batches = np.unique(np.geomspace(1, 8192, 200).round().astype(int))
    layers = [calc.linear_layer(d_in=d, d_out=d, batch=int(b)) for b in batches]
    part = calc.get_accelerator(gpu)
    memory = np.array([layer.bytes_moved.value / part.bandwidth for layer in layers])
    compute = np.array([layer.flops.value / part.peak("fp16") for layer in layers])
    bound = np.array([calc.kernel_time(flops=layer.flops.value, bytes_moved=layer.bytes_moved.value, gpu=gpu).time.value
                      for layer in layers])
    crossover = calc.linear_layer_crossover(d_in=d, d_out=d, gpu=gpu).threshold_batch.value
    colour = gpu_colour(gpu)
    us = 1e-6
    with style("roofline-time"):
        fig = new_figure("roofline-time")
        ax = fig.add_subplot()
        ax.plot(batches, memory / us, "--", color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=1.4,
                label="memory time: bytes / β", gid="memory-time")
        ax.plot(batches, compute / us, ":", color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=1.6,
                label="math time: FLOPs / π", gid="compute-time")
        ax.plot(batches, bound / us, color=colour, linewidth=2.4, label="bound: the larger of the two", gid="bound-time")
        ax.axvline(crossover, color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=0.8, gid="crossover")
        ax.annotate(f"B* = {crossover:.0f}: intensity = ridge", (crossover, 0.96), xycoords=("data", "axes fraction"),
                    xytext=(6, 0), textcoords="offset points", va="top", fontsize=9)
        ax.text(0.03, 0.55, "memory-bound:\nmore tokens cost\nalmost nothing", transform=ax.transAxes, fontsize=9)
        ax.text(0.97, 0.3, "compute-bound:\ntime grows with\nthe batch", transform=ax.transAxes, fontsize=9,
                ha="right", color=colour)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlim(batches[0], batches[-1])
        ax.set_xlabel("Batch size B (tokens through the layer)")
        ax.set_ylabel("Time of the layer (µs)")
        ax.set_title(f"The roofline in time: a {d} × {d} fp16 layer on {gpu}")
        ax.legend(loc="upper left")
    data = {"batches": batches, "memory": memory, "compute": compute, "bound": bound, "crossover": crossover}
    return fig, data


# --------------------------------------------------------------------------- 8


#: The engine profile fitted to the servers behind the measured points (both SGLang; see the Validation page).
ENGINE_PROFILE = {"H200-SXM-141GB": "sglang", "MI300X": "sglang-rocm"}


def _engine_step(point: calc.MeasuredDecode) -> Any:
    """The serving engine's estimate of a measured point's step (tensor parallel over its GPUs), with the
    profile fitted to that server."""
    return calc.step_time(model=point.model, gpu=point.gpu, phase="decode", batch=point.concurrency,
                          seq_len=point.context_len, tp=point.n_gpus, weights=point.weights, kv=point.kv,
                          activations=point.weights, efficiency=calc.efficiency(name=ENGINE_PROFILE[point.gpu]))


def roofline_vs_measured() -> tuple[Figure, dict]:
    """Figure 8: published decode times of DeepSeek-R1 on 8 × H200 and 8 × MI300X against the roofline bound."""
    gpus = ("H200-SXM-141GB", "MI300X")
    data: dict[str, Any] = {}
    with style("roofline-vs-measured"):
        fig = new_figure("roofline-vs-measured")
        ax = fig.add_subplot()
        for gpu, marker in zip(gpus, ("o", "s")):
            points = calc.measured_decodes(gpu=gpu)
            conc = np.array([p.concurrency for p in points])
            measured = np.array([p.measured.value for p in points])
            bound = np.array([p.bound.value for p in points])
            engine = np.array([_engine_step(p).total.value for p in points])
            data[gpu] = {"concurrency": conc, "measured": measured, "bound": bound, "engine": engine,
                         "efficiency": bound / measured}
            colour = gpu_colour(gpu)
            ax.plot(conc, measured / MILLISECOND, marker, color=colour, markersize=7, markeredgecolor=FOREGROUND,
                    markeredgewidth=0.5, label=f"{short_name(gpu)}: measured (InferenceX)", gid=f"measured-{gpu}")
            ax.plot(conc, bound / MILLISECOND, color=colour, linewidth=2, label=f"{short_name(gpu)}: roofline bound",
                    gid=f"bound-{gpu}")
            ax.plot(conc, engine / MILLISECOND, "--", color=colour, linewidth=1.2, alpha=0.8,
                    label=f"{short_name(gpu)}: serving engine ({ENGINE_PROFILE[gpu]})", gid=f"engine-{gpu}")
            for c, m, e in zip(conc[:1], measured[:1], (bound / measured)[:1]):
                ax.annotate(f"{e:.0%} of the roofline", (c, m / MILLISECOND), xytext=(8, 2 if gpu == gpus[0] else -12),
                            textcoords="offset points", fontsize=9, color=FOREGROUND)
        ax.set_xscale("log", base=2)
        ax.set_xticks(conc, [str(c) for c in conc])  # after the scale, which would reset them
        ax.minorticks_off()
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Client concurrency (requests in flight; the engine's batch is at most this)")
        ax.set_ylabel("Time per output token (ms)")
        ax.set_title("DeepSeek-R1 decode, 8 GPUs, fp8: measured vs the roofline")
        ax.legend(loc="upper left", fontsize=9)
    return fig, data


# --------------------------------------------------------------------------- 9

#: The parts of a step's time, in the order they are stacked.
COMPONENTS = ("math", "MoE GEMMs below rate", "memory", "communication", "fixed costs", "measured")
COMPONENT_COLOURS = {"math": "#4e79a7", "MoE GEMMs below rate": "#76b7b2", "memory": "#f28e2b",
                     "communication": "#59a14f", "fixed costs": "#b07aa1", "measured": "#9d9d9d"}


def _roofline_parts(step: Any, n_gpus: int) -> dict[str, float]:
    """A ForwardTime split into compute-bound and memory-bound operators' time, per GPU of ``n_gpus``."""
    memory = step.time.value * step.memory_bound_share / n_gpus
    return {"math": step.time.value / n_gpus - memory, "memory": memory}


def time_components() -> tuple[Figure, dict]:
    """Figure 9: many components contribute to a step's time — the roofline's, the engine's, and the measured."""
    point = calc.measured_decode(gpu="H200-SXM-141GB", concurrency=4)
    engine = _engine_step(point)

    def llama(batch: int, context: int) -> Any:  # the source's model and node, through the serving engine
        return calc.step_time(model="LLaMA-13B", gpu="V100-SXM2-32GB", phase="decode", batch=batch, seq_len=context,
                              tp=8, weights="fp16", kv="fp16", activations="fp16")

    def engine_parts(step: Any) -> dict[str, float]:
        return {"math": step.parts.compute, "MoE GEMMs below rate": step.parts.moe, "memory": step.memory.value,
                "communication": step.comms.value, "fixed costs": step.overhead.value}

    bars = {
        "LLaMA-13B, 8 × V100,\nB = 1, 2,048 tokens": engine_parts(llama(1, ex.SEED_CONTEXT_LEN)),
        "LLaMA-13B, 8 × V100,\nB = 256, 20 tokens": engine_parts(llama(256, 20)),
        "DeepSeek-R1, 8 × H200, 4 users:\nroofline bound": _roofline_parts(point.step, point.n_gpus),
        "DeepSeek-R1, 8 × H200, 4 users:\nserving engine": engine_parts(engine),
        "DeepSeek-R1, 8 × H200, 4 users:\nmeasured": {"measured": point.measured.value},
    }
    data: dict[str, Any] = {"bars": bars, "measured": point.measured.value, "point": point.id}
    with style("time-components"):
        fig = new_figure("time-components", figsize=(7.2, 4.6))
        ax = fig.add_subplot()
        labels = list(bars)
        for k, label in enumerate(reversed(labels)):
            left = 0.0
            for part in COMPONENTS:
                width = bars[label].get(part, 0.0)
                if width <= 0:
                    continue
                ax.barh(k, width / MILLISECOND, left=left / MILLISECOND, color=COMPONENT_COLOURS[part],
                        edgecolor=FOREGROUND, linewidth=0.4, label=part if part not in ax.get_legend_handles_labels()[1] else None,
                        gid=f"bar-{len(labels) - 1 - k}-{part.replace(' ', '-')}")
                left += width
            ax.text(left / MILLISECOND, k, f" {left / MILLISECOND:.1f} ms", va="center", fontsize=9)
        ax.set_yticks(range(len(labels)), list(reversed(labels)), fontsize=9)
        ax.set_xlabel("Time of one decode step (ms)")
        ax.set_title("Many components contribute to the time of a step")
        ax.legend(loc="lower right", fontsize=9)
        ax.grid(axis="y", visible=False)
    return fig, data


#: Every figure, by the file name it is published under (``figures/NAME.svg``).
