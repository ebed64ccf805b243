"""Markdown tables generated from ``calc`` for the docs (``{{ calc-table: NAME }}``)."""

from __future__ import annotations

from typing import Callable

import calc
from calc import units
from calc.examples import SEED_GPU_TABLE, seed_table_checks
from calc.hardware import DTYPES


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
    header = ["GPU", "Memory (GB)", "Bandwidth (GB/s)", *[f"{d} (TFLOP/s)" for d in DTYPES],
              "Ridge fp16 (FLOP/byte)", "Headline sparse?", "Interconnect (GB/s)"]
    rows = []
    for part in calc.catalog():
        ridge = f"{calc.ridge_point(gpu=part).value:,.1f}" if "fp16" in part.peaks else "—"
        link = part.interconnect
        rows.append([
            f"**{part.name}**",
            f"{units.convert(part.memory, to='GB'):g}",
            f"{units.convert(part.bandwidth, to='GB/s'):,.0f}",
            *[_peak(part, d) for d in DTYPES],
            ridge,
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


TABLES: dict[str, Callable[[], str]] = {
    "gpu_catalog": gpu_catalog,
    "gpu_sources": gpu_sources,
    "seed_gpu_table": seed_gpu_table,
    "seed_gpu_rows": seed_gpu_rows,
}


def render(name: str) -> str:
    """The table called ``name``; unknown names list the known ones."""
    try:
        return TABLES[name.strip()]()
    except KeyError:
        raise ValueError(f"table={name!r} is unknown; known tables: {', '.join(TABLES)}") from None
