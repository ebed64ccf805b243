"""Figures of the serving chapters: a client's TTFT at saturation with chunked prefill's trade, and the speed-up
of speculative decoding against batch.  Same contract as ``figures``: each function returns ``(fig, data)``
with exactly the numbers it plotted, every one a ``calc`` call.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import calc  # noqa: E402
from calc.serving.inferencex import points as inferencex_points  # noqa: E402
from figure_style import FOREGROUND, GUIDE_ALPHA, log2_axis as _log2_axis, new_figure, style  # noqa: E402

#: The published configuration whose TTFT explodes at saturation (its point at 256 clients).
SATURATION_POINT = "ix1212"
SATURATION_CONCURRENCY = (4, 8, 16, 32, 64, 128, 192, 224, 240, 248, 256, 272, 288, 320)
#: The chunked-prefill case: one long prompt joining a running batch.
CHUNK_CASE = dict(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, batch=32, prompt_len=8192, output_len=512)
CHUNKS = (64, 128, 256, 512, 1024, 2048, 4096, 8192)


def ttft_saturation() -> tuple[Figure, dict]:
    """Top: a published configuration's TTFT against client concurrency, measured and modelled (the engine's
    TTFT, then with the wait for a free slot).  Bottom: chunked prefill's trade for one long prompt."""
    base = calc.client_ttft(point_id=SATURATION_POINT)
    config = base.config
    measured = {}
    for p in inferencex_points():
        if p.config == config and (p.concurrency not in measured or p.date > measured[p.concurrency].date):
            measured[p.concurrency] = p
    curve = [calc.client_ttft(point_id=SATURATION_POINT, concurrency=c) for c in SATURATION_CONCURRENCY]
    data: dict[str, Any] = {
        "config": config, "concurrency": np.array(SATURATION_CONCURRENCY),
        "engine": np.array([r.engine.value for r in curve]), "total": np.array([r.total.value for r in curve]),
        "slots": base.slots, "measured": {c: (p.id, p.ttft) for c, p in sorted(measured.items())},
    }
    chunks = [calc.chunked_prefill(chunk=c, **CHUNK_CASE) for c in CHUNKS]
    data["chunks"] = np.array(CHUNKS)
    data["ttft_chunked"] = np.array([r.ttft_chunked.value for r in chunks])
    data["gap_chunked"] = np.array([r.gap_chunked.value for r in chunks])
    data["ttft_unchunked"] = chunks[0].ttft_unchunked.value
    data["gap_unchunked"] = chunks[0].gap_unchunked.value
    with style("ttft-saturation"):
        fig = new_figure("ttft-saturation", figsize=(7.2, 6.6))
        top, bottom = fig.subplots(2, 1)
        top.plot(data["concurrency"], data["total"], color="#e15759", linewidth=2,
                 label="model: engine TTFT + wait for a free slot", gid="ttft-total")
        top.plot(data["concurrency"], data["engine"], color="#4e79a7", linestyle="--",
                 label="model: engine TTFT, all clients running", gid="ttft-engine")
        xs = list(data["measured"])
        top.plot(xs, [data["measured"][c][1] for c in xs], "o", color=FOREGROUND, markersize=7,
                 label="measured (median)", gid="ttft-measured")
        top.axvline(data["slots"], color=FOREGROUND, alpha=GUIDE_ALPHA, linestyle=":", linewidth=1.2, gid="slots")
        top.annotate(f"memory holds {data['slots']} requests", (data["slots"], 0.15), xytext=(-4, 0),
                     textcoords="offset points", ha="right", fontsize=9)
        _log2_axis(top)
        top.set_yscale("log")
        top.set_xlim(3, 400)
        top.set_ylim(0.1, 30)
        top.set_xlabel("Client concurrency (requests in flight)")
        top.set_ylabel("TTFT (s)")
        top.set_title("DeepSeek-R1 on 8 × B200, fp8 + MTP, 8k in / 1k out")
        top.legend(loc="upper left", fontsize=9)
        ms = 1e3
        bottom.plot(data["chunks"], data["ttft_chunked"] * ms, color="#4e79a7", marker="o", markersize=4,
                    label="the new prompt's prefill (its TTFT)", gid="chunk-ttft")
        bottom.plot(data["chunks"], data["gap_chunked"] * ms, color="#f28e2b", marker="o", markersize=4,
                    label="longest gap between two tokens of the others", gid="chunk-gap")
        bottom.axhline(data["ttft_unchunked"] * ms, color="#4e79a7", alpha=0.6, linestyle=":", linewidth=1.3,
                       gid="unchunked-ttft")
        bottom.axhline(data["gap_unchunked"] * ms, color="#f28e2b", alpha=0.6, linestyle=":", linewidth=1.3,
                       gid="unchunked-gap")
        bottom.annotate("dotted: unchunked", (CHUNKS[-1], data["gap_unchunked"] * ms), xytext=(0, 5),
                        textcoords="offset points", ha="right", fontsize=9)
        _log2_axis(bottom)
        bottom.set_yscale("log")
        bottom.set_xlim(CHUNKS[0] * 0.8, CHUNKS[-1] * 1.25)
        bottom.set_xlabel("Prefill chunk (tokens)")
        bottom.set_ylabel("Time (ms)")
        bottom.set_title(f"Llama-3-70B on {CHUNK_CASE['tp']} × H100: an {CHUNK_CASE['prompt_len']:,}-token prompt joins "
                         f"{CHUNK_CASE['batch']} running requests")
        bottom.legend(loc="upper right", fontsize=9)
    return fig, data


#: Speculative decoding: a dense model at several acceptance rates, and DeepSeek-V3 with its MTP layer.
SPEC_DENSE = dict(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, context_len=2048, draft_tokens=3)
SPEC_ACCEPTANCE = (0.6, 0.8, 0.9)
SPEC_MTP = dict(model="DeepSeek-V3", gpu="B200", tp=8, context_len=1536, draft_tokens=3, acceptance=0.7,
                weights="fp8", activations="fp8", kv="fp8", profile="trtllm")
SPEC_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def speculative_speedup() -> tuple[Figure, dict]:
    """TPOT speed-up of speculative decoding against batch, modelled, with the published MTP ratios."""
    data: dict[str, Any] = {"batches": np.array(SPEC_BATCHES), "dense": {}, "measured": {}}
    for a in SPEC_ACCEPTANCE:
        data["dense"][a] = np.array([calc.speculative_decode(batch=b, acceptance=a, **SPEC_DENSE).speedup.value
                                     for b in SPEC_BATCHES])
    data["mtp"] = np.array([calc.speculative_decode(batch=b, **SPEC_MTP).speedup.value for b in SPEC_BATCHES])
    for r in calc.mtp_measured():
        data["measured"][(r.input_len, r.output_len, r.concurrency)] = r.interactivity.value
    colours = dict(zip(SPEC_ACCEPTANCE, ("#59a14f", "#4e79a7", "#b07aa1")))  # mid-tones: both palettes
    with style("speculative-speedup"):
        fig = new_figure("speculative-speedup", figsize=(7.2, 4.6))
        ax = fig.add_subplot()
        for a in SPEC_ACCEPTANCE:
            ax.plot(data["batches"], data["dense"][a], color=colours[a],
                    label=f"Llama-3-70B, {SPEC_DENSE['tp']} × H100, acceptance {a:.1f}", gid=f"dense-{a:.1f}")
        ax.plot(data["batches"], data["mtp"], color="#e15759", linestyle="--",
                label=f"DeepSeek-V3, {SPEC_MTP['tp']} × B200 fp8, MTP at {SPEC_MTP['acceptance']:.1f}", gid="mtp-model")
        shapes = {(1024, 1024): "o", (8192, 1024): "s"}
        for (isl, osl, c), ratio in data["measured"].items():
            ax.plot([c], [ratio], shapes.get((isl, osl), "o"), color="#e15759", markersize=8,
                    markeredgecolor=FOREGROUND, markeredgewidth=0.5, gid=f"measured-{isl}-{osl}-{c}")
        ax.plot([], [], "o", color="#e15759", markeredgecolor=FOREGROUND, markeredgewidth=0.5,
                label="measured: B200 + MTP over B300 without")
        ax.axhline(1, color=FOREGROUND, alpha=GUIDE_ALPHA, linewidth=0.8)
        _log2_axis(ax)
        ax.set_xlim(1, SPEC_BATCHES[-1])
        ax.set_ylim(0.8, 4.5)
        ax.set_xlabel("Batch (sequences decoded together)")
        ax.set_ylabel("TPOT without / with speculation")
        ax.set_title(f"{SPEC_DENSE['draft_tokens']} drafts per step: the speed-up falls as the batch grows")
        ax.legend(loc="upper right", fontsize=9)
    return fig, data
