"""The calculators in Chinese: English string (or template) -> 中文.  Used through :mod:`calc.web.i18n`.

Terms follow the source article (算术强度、内存带宽受限、算力受限、预填充、解码、KV cache) and the
site's glossary (docs/glossary.zh.md).  Model, GPU and datatype names, formulas and units (GB, GiB,
ms, TFLOP/s) are the same in both languages and have no entry.  A ``{name}`` is a placeholder;
``{n}``, ``{n1}``, ``{n2}`` … capture a number exactly as calc formatted it.

The catalog is kept in parts by what the strings belong to (each module's docstring says which); a new
string goes into the part of its calculator or page.  An English key may live in one part only: merging
two parts that both define it would silently keep one translation, so the merge refuses.
"""

from __future__ import annotations

from . import chapters, errors, frame, results, tables

PARTS = (frame, results, tables, chapters, errors)


def _merge() -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in PARTS:
        twice = sorted(set(merged) & set(part.ZH))
        if twice:
            raise ValueError(f"Chinese catalog: {twice} defined again in part {part.__name__}; keep one entry")
        merged.update(part.ZH)
    return merged


ZH: dict[str, str] = _merge()
