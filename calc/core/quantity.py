"""The result type every formula returns: a value that can explain itself."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity:
    """A computed number with its unit, its formula and the arithmetic that produced it.

    ``value`` is always in SI base units (FLOP, byte, second, or a ratio).
    ``formula`` is the symbolic form; ``substituted`` is the same formula with
    the inputs written in, ending in ``= value unit`` so a reader can redo it.
    """

    value: float
    unit: str
    formula: str
    substituted: str

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return f"{num(self.value)} {self.unit}"


def num(x: float) -> str:
    """Compact, exact-looking text for a number inside written-out arithmetic.

    Whole numbers below 1e15 keep every digit with thousands separators (a
    FLOP count should be checkable to the last digit); other values keep six
    significant digits, in scientific notation when very large or very small.

    >>> num(215_714_732_441_600), num(1.2), num(7563.291666), num(1.5e20), num(8e-06)
    ('215,714,732,441,600', '1.2', '7,563.29', '1.5e+20', '8e-06')
    """
    if isinstance(x, bool):
        raise TypeError("num() got a bool")
    if isinstance(x, int) or (math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15):
        return f"{int(x):,}"
    if not math.isfinite(x):
        return str(x)
    magnitude = abs(x)
    if magnitude >= 1e6 or magnitude < 1e-3:
        return f"{x:.4g}"
    return f"{x:,.6g}" if magnitude < 1000 else f"{x:,.2f}"
