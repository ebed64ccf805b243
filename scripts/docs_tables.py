"""Markdown tables generated from ``calc`` for the docs (``{{ calc-table: NAME }}``)."""

from __future__ import annotations

import re
from typing import Callable

import calc
from calc.core import units
from calc.source.examples import SEED_GPU_TABLE, anatomy, decode_intensity, seed_comparison, seed_table_checks
from calc.hardware import DTYPES
from calc.web import i18n


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _peak(part: calc.Accelerator, dtype: str) -> str:
    return f"{units.convert(part.peaks[dtype], to='TFLOP/s'):,.4g}" if dtype in part.peaks else "—"


def gpu_catalog() -> str:
    """Every catalog part: memory, bandwidth, dense peaks, ridge point, interconnect."""
    # The ridge point comes right after the two figures it is made of, so it is on screen without scrolling.
    header = ["GPU", "Memory (GB)", "Bandwidth (GB/s)", "Ridge fp16 (FLOP/byte)",
              *[f"{d} ({'TOPS' if d == 'int8' else 'TFLOP/s'})" for d in DTYPES], "Headline sparse?", "Interconnect (GB/s)"]
    rows = []
    for part in calc.catalog():
        ridge = f"{calc.ridge_point(gpu=part).value:,.1f}" if "fp16" in part.peaks else "—"
        link = part.interconnect
        rows.append([
            f"**{part.name}**",
            f"{units.convert(part.memory, to='GB'):g}",
            f"{units.convert(part.bandwidth, to='GB/s'):,.0f}",
            ridge,
            *[_peak(part, d) for d in DTYPES],
            "yes (halved here)" if part.headline_is_sparse else "no",
            f"{units.convert(link.bandwidth, to='GB/s'):,.0f} ({link.kind})" if link else "—",
        ])
    return _table(header, rows, align="l" + "r" * (len(header) - 1))


def gpu_sources() -> str:
    """Each part's source and confidence, as a list."""
    return "\n".join(
        f"- **{p.name}** ({p.confidence} confidence): {p.source}" + (f" — {p.notes}" if p.notes else "")
        for p in calc.catalog()
    )


def seed_gpu_table() -> str:
    """The source's GPU table next to the ratio recomputed by calc and the catalog's figures."""
    header = ["Source row", "Printed ratio", "Ratio from the row's own figures",
              "Catalog part", "Ratio from the catalog (FLOP/byte)"]
    rows = [
        [c.row, c.printed_ratio, f"{c.ratio_from_row.value:,.1f} FLOP/byte", c.catalog,
         f"{c.ratio_from_catalog.value:,.1f}"]
        for c in seed_table_checks()
    ]
    return _table(header, rows, align="llrlr")


def seed_gpu_rows() -> str:
    """The source's table transcribed, as printed."""
    header = ["Source row", "Memory", "CUDA cores", "FP16 tensor (TFLOPS)", "FP32 (TFLOPS)",
              "Bandwidth (GB/s)", "Printed ratio"]
    rows = [[r["row"], r["memory"], f"{r['cuda_cores']:,}", f"{r['fp16_tflops']:g}", f"{r['fp32_tflops']:g}",
             f"{r['bandwidth_gbps']:,}", r["printed_ratio"]] for r in SEED_GPU_TABLE]
    return _table(header, rows)


def _operator_table(phase: str) -> str:
    t = anatomy(phase)
    # The answer (time, share, bound) first; the FLOPs and bytes it comes from after it.
    header = ["Operator", "Time (µs)", "Share", "Bound", "Layers", "GFLOP", "Weights (MB)", "Activations (MB)",
              "KV cache (MB)", "Peak used"]
    rows = []
    for op, timed in zip(t.forward.operators, t.operators):
        rows.append([
            op.name, f"{timed.time.value * 1e6:,.1f}", f"{timed.share:.1%}", timed.bound, f"{op.layers}",
            f"{op.flops.value / 1e9:,.2f}", f"{op.weight_bytes / 1e6:,.1f}", f"{op.activation_bytes / 1e6:,.1f}",
            f"{op.kv_bytes / 1e6:,.1f}", timed.peak_dtype,
        ])
    f = t.forward
    rows.append(["**total**", f"**{t.time.value * 1e6:,.1f}**", "100%", "", "", f"**{f.flops.value / 1e9:,.1f}**",
                 f"**{f.weight_bytes.value / 1e6:,.1f}**", f"**{f.activation_bytes.value / 1e6:,.1f}**",
                 f"**{f.kv_bytes.value / 1e6:,.1f}**", ""])
    return _table(header, rows, align="lrrlrrrrrl")


def anatomy_prefill() -> str:
    """Per-operator FLOPs, bytes and time of the anatomy page's prefill."""
    return _operator_table("prefill")


def anatomy_decode() -> str:
    """Per-operator FLOPs, bytes and time of the anatomy page's decode step."""
    return _operator_table("decode")


def anatomy_choices() -> str:
    """The modelling choices behind the anatomy tables, as a list."""
    return "\n".join(f"- {c}" for c in anatomy("decode").forward.choices)


def model_comparison() -> str:
    """Every preset: parameters, active parameters, KV bytes per token, decode intensity at batch 1 and 64."""
    header = ["Model", "Parameters", "Active per token", "KV cache per token (fp16)",
              "Decode intensity, batch 1 (FLOP/B)", "Decode intensity, batch 64 (FLOP/B)", "Published"]
    rows = []
    for m in calc.presets():
        p = m.parameters()
        rows.append([
            f"**{m.name}**", f"{p.total.value / 1e9:,.2f} B", f"{p.active.value / 1e9:,.2f} B",
            f"{m.kv_bytes_per_token().value / 1e3:,.1f} kB",
            f"{decode_intensity(m.name, 1).value:,.2f}", f"{decode_intensity(m.name, 64).value:,.1f}",
            (m.published_params or "").split(" (")[0][:40],
        ])
    return _table(header, rows, align="lrrrrrl")


def _seed_terms(terms, unit: str, scale: float) -> str:
    header = ["Term", f"Source ({unit})", f"calc ({unit})", "calc operators"]
    return _table(header, [[t.term, f"{t.source / scale:,.2f}", f"{t.calc / scale:,.2f}", t.operators]
                           for t in terms], align="lrrl")


def seed_flop_terms() -> str:
    """The source's FLOP terms against calc's operators, configured the source's way."""
    return _seed_terms(seed_comparison().flop_terms, "TFLOP", 1e12)


def seed_byte_terms() -> str:
    """The source's byte terms against calc's operators, configured the source's way."""
    return _seed_terms(seed_comparison().byte_terms, "GB", 1e9)


def _validation_rows(key: str) -> str:
    from calc.serving import validation

    rep = validation.summary()[key]
    fit_ids = {p.id for p in validation.halves()[0]}
    units_of = {"throughput": ("tokens/s", 1, ",.1f"), "decode_rate": ("tokens/s", 1, ",.1f"),
                "ttft": ("ms", 1e3, ",.1f"), "tpot": ("ms", 1e3, ",.2f")}
    rows = []
    for r in rep.rows:
        p = r.point
        unit, scale, spec = units_of[p.metric]
        # Measured, predicted and error next to what was measured; the set-up after them.
        rows.append([p.id, p.model, f"{p.metric}{' per GPU' if p.per_gpu else ''} ({unit})",
                     format(p.measured * scale, spec), format(r.predicted * scale, spec), f"{r.error:+.1%}",
                     p.framework.split(" (")[0], f"TP{p.tp}", p.weights, str(p.batch),
                     f"{p.prompt_len} / {p.output_len}", "fit" if p.id in fit_ids else "test"])
    return _table(["id", "model", "metric", "measured", "predicted", "error", "framework", "TP", "weights", "batch",
                   "in / out", "half"], rows, align="lllrrrllllll")


def validation_default() -> str:
    """Every measured point against the model with the default (typical) efficiencies."""
    return _validation_rows("default")


def validation_calibrated() -> str:
    """Every measured point against the model with the calibration fitted on the 'fit' half."""
    return _validation_rows("calibrated_all")


def validation_summary() -> str:
    """Median and worst absolute error per setting and half."""
    from calc.serving import validation

    labels = {"default": "default efficiencies, all points", "default_test": "default efficiencies, test half",
              "calibrated_fit": "calibrated, fit half", "calibrated_test": "calibrated, test half (unseen)"}
    s = validation.summary()
    rows = [[label, f"{s[k].median_abs_error:.1%}", f"{abs(s[k].worst.error):.1%} ({s[k].worst.point.id})"]
            for k, label in labels.items()]
    return _table(["setting", "median absolute error", "worst absolute error"], rows)


def decode_step_table() -> str:
    """LLaMA-13B decode-step latency on 8 × V100 by batch and context; batches that do not fit are marked."""
    from calc.source import examples as ex

    header = ["batch", "the source's formulas (no cache)",
              *[f"context {t:,} tokens" for t in ex.LATENCY_CONTEXTS]]
    rows = []
    for b in ex.LATENCY_BATCHES:
        cells = [str(b), f"{ex.llama13b_decode(batch=b).latency.value * 1e3:,.2f} ms"]
        for t in ex.LATENCY_CONTEXTS:
            limit = ex.llama13b_decode_limit(context_len=t)
            if b > limit.whole_batch:
                cells.append(f'<span class="calc-nofit">does not fit (limit {limit.whole_batch:,})</span>')
            else:
                step = ex.llama13b_step(batch=b, context_len=t)
                cells.append(f"{step.latency.value * 1e3:,.2f} ms ({step.bound})")
        rows.append(cells)
    return _table(header, rows)


def _stats_cells(s) -> list[str]:
    return [str(s.n), f"{s.median_abs:.0%}", f"{s.median:+.0%}", f"{s.within_25:.0%}"] if s else ["0", "—", "—", "—"]


_METRIC_LABELS = {"tpot": "TPOT", "ttft": "TTFT", "throughput": "tokens/s/GPU (in + out)"}


def inferencex_summary() -> str:
    """Per profile, part and metric: points, median |error|, median error, share within ±25 %."""
    from calc.serving import inferencex as ix

    rows = []
    for profile, label in (("engine", "each point's engine profile"), ("typical", "default (typical)"),
                           ("ideal", "ideal (pure roofline)")):
        for part in ("holdout", "fit"):
            for metric, mlabel in _METRIC_LABELS.items():
                rows.append([label, "held out" if part == "holdout" else "fit", mlabel,
                             *_stats_cells(ix.stats(ix.target_rows(profile, part=part), metric))])
    return _table(["profile", "part", "metric", "points", "median \\|error\\|", "median error", "within ±25 %"], rows,
                  align="lllrrrr")


def inferencex_groups() -> str:
    """Engine profiles, per GPU / precision / engine, part and metric."""
    from calc.serving import inferencex as ix

    rows = []
    for part in ("holdout", "fit"):
        groups: dict[str, list] = {}
        for r in ix.target_rows("engine", part=part):
            groups.setdefault(f"{r.point.gpu} · {r.point.precision} · {r.point.engine}", []).append(r)
        for key in sorted(groups):
            for metric, mlabel in _METRIC_LABELS.items():
                rows.append([key, "held out" if part == "holdout" else "fit", mlabel,
                             *_stats_cells(ix.stats(groups[key], metric))])
    return _table(["GPU · precision · engine profile", "part", "metric", "points", "median \\|error\\|",
                   "median error", "within ±25 %"], rows, align="lllrrrr")


def engine_profiles() -> str:
    """Every efficiency profile's parameters."""
    rows = []
    for name, e in calc.efficiency_profiles.items():
        rows.append([f"`{name}`", f"{e.compute:g}", f"{e.memory:g}", f"{e.link:g}", f"{e.alpha * 1e6:g}",
                     f"{e.layer_overhead * 1e6:g}", f"{e.moe_layer_overhead * 1e6:g}", f"{e.step_overhead * 1e6:g}",
                     f"{e.moe_tokens_half:g}", f"{e.request_overhead * 1e3:g}"])
    return _table(["profile", "η compute", "η memory", "η link", "α (µs)", "per layer (µs)", "per MoE layer (µs)",
                   "per step (µs)", "MoE t½ (tokens)", "per request (ms)"], rows, align="lrrrrrrrrr")


def inferencex_points() -> str:
    """Every InferenceX point with its engine profile's predictions, or why it has none."""
    from calc.serving import inferencex as ix

    def cell(r, metric, scale, spec):
        meas = {"tpot": r.point.tpot, "ttft": r.point.ttft, "throughput": r.point.throughput_per_gpu}[metric]
        pred = {"tpot": r.tpot, "ttft": r.ttft, "throughput": r.throughput_per_gpu}[metric]
        if pred is None:
            return [format(meas * scale, spec), "—", "—"]
        return [format(meas * scale, spec), format(pred * scale, spec), f"{r.error(metric):+.0%}"]

    out = []
    for r in sorted(ix.rows("engine"), key=lambda r: (r.point.tier, r.point.config, r.point.concurrency, r.point.date)):
        p = r.point
        part = ("—" if p.tier != "A" else "held out" if ix.held_out(p.config) else "fit")
        out.append([f"[{p.id}]({p.run_url})", p.config, str(p.concurrency), p.date, part,
                    *cell(r, "tpot", 1e3, ",.1f"), *cell(r, "ttft", 1e3, ",.0f"), *cell(r, "throughput", 1, ",.0f"),
                    r.reason or ""])
    return _table(["id", "configuration", "C", "date", "part", "TPOT ms", "pred.", "err.", "TTFT ms", "pred.", "err.",
                   "tok/s/GPU", "pred.", "err.", "note"], out, align="llrllrrrrrrrrrl")


def inferencex_disaggregated() -> str:
    """GB200 disaggregated configurations: measured TPOT against the decode workers' step (TTFT measured only)."""
    from statistics import median

    from calc.serving import inferencex as ix

    groups: dict[str, list] = {}
    for r in ix.rows("engine"):
        if r.point.disaggregated:
            groups.setdefault(r.point.config, []).append(r)
    rows = []
    for config in sorted(groups):
        rs = groups[config]
        rows.append([config, str(len(rs)), f"{median(r.point.tpot for r in rs) * 1e3:,.1f}",
                     f"{median(r.tpot for r in rs) * 1e3:,.1f}", f"{median(r.error('tpot') for r in rs):+.0%}",
                     f"{median(r.point.ttft for r in rs) * 1e3:,.0f}"])
    return _table(["configuration", "points", "TPOT ms", "pred.", "median error", "TTFT ms"], rows, align="lrrrrr")


def planner_front() -> str:
    """The front (GPUs against TPOT) of the planner's default plan, computed by the planner's own call."""
    from calc.serving.slo import front
    from calc.web.calculators import planner

    r = planner.default_plan()
    rows = [[f"{x.gpus:,}", f"{x.groups:,}", x.point.gpu, x.point.mode, f"{x.point.tpot * 1e3:,.1f}",
             f"{x.point.ttft * 1e3:,.0f}", f"{x.point.throughput_per_gpu:,.0f}", planner._label(x.point)]
            for x in front(r.plans)]
    return _table(["GPUs", "groups", "accelerator", "mode", "TPOT (ms)", "TTFT (ms)", "tokens/s/GPU", "configuration"],
                  rows, align="rrllrrrl")


TABLES: dict[str, Callable[[], str]] = {
    "validation_default": validation_default,
    "validation_calibrated": validation_calibrated,
    "validation_summary": validation_summary,
    "inferencex_summary": inferencex_summary,
    "inferencex_groups": inferencex_groups,
    "inferencex_points": inferencex_points,
    "inferencex_disaggregated": inferencex_disaggregated,
    "engine_profiles": engine_profiles,
    "planner_front": planner_front,
    "decode_step_table": decode_step_table,
    "anatomy_prefill": anatomy_prefill,
    "anatomy_decode": anatomy_decode,
    "anatomy_choices": anatomy_choices,
    "model_comparison": model_comparison,
    "seed_flop_terms": seed_flop_terms,
    "seed_byte_terms": seed_byte_terms,
    "gpu_catalog": gpu_catalog,
    "gpu_sources": gpu_sources,
    "seed_gpu_table": seed_gpu_table,
    "seed_gpu_rows": seed_gpu_rows,
}


def render(name: str, lang: str = "en") -> str:
    """The table called ``name`` in ``lang``; unknown names list the known ones.

    The numbers are formatted once, here, and only the words around them are translated
    (calc.web.i18n, the catalog the calculators use): both languages show the same digits.
    """
    try:
        table = TABLES[name.strip()]()
    except KeyError:
        raise ValueError(f"table={name!r} is unknown; known tables: {', '.join(TABLES)}") from None
    return translate(table, lang)


#: Lists whose items are citations (document titles, datasheet notes) stay as published.
_CITATIONS = re.compile(r"^- \*\*[^*]+\*\* \([\w-]+ confidence\): ")


def _cell(text: str, lang: str) -> str:
    core = text.strip()
    if "<" in core:
        return i18n.html(core, lang)
    bold = core.startswith("**") and core.endswith("**") and len(core) > 4
    inner = core[2:-2] if bold else core
    inner = i18n.t(inner, lang)
    return f"**{inner}**" if bold else inner


def translate(markdown: str, lang: str) -> str:
    """A generated Markdown table or list with its words in ``lang`` (cells and list items)."""
    if lang == "en":
        return markdown
    lines = []
    for line in markdown.split("\n"):
        if line.startswith("|") and not set(line) <= set("|:- "):
            cells = line.strip().strip("|").split(" | ")
            line = "| " + " | ".join(_cell(c, lang) for c in cells) + " |"
        elif line.startswith("- ") and not _CITATIONS.match(line):
            line = "- " + i18n.t(line[2:], lang)
        lines.append(line)
    return "\n".join(lines)
