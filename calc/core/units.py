"""Units and conversions: the one place where scales and unit names live.

Inside ``calc`` every quantity is in SI base units: FLOP, byte, second,
FLOP/s and byte/s.  Decimal prefixes follow SI (1 GB = 1e9 bytes); binary
prefixes are spelled out (1 GiB = 2**30 bytes).  Formatting helpers turn a
base-unit number into text for people; they never change the stored value.
"""

from __future__ import annotations

import math

from .validate import fail

KILO = 1e3
MEGA = 1e6
GIGA = 1e9
TERA = 1e12
PETA = 1e15

KIB = 2**10
MIB = 2**20
GIB = 2**30

KB = KILO
MB = MEGA
GB = GIGA
TB = TERA

MILLISECOND = 1e-3
MICROSECOND = 1e-6

#: Scale of each display unit relative to its SI base unit.  Used by the docs
#: shortcodes (``{{ calc: ... | GB:.2f }}``) and by the formatters below.
UNIT_SCALES: dict[str, float] = {
    "FLOP": 1.0,
    "GFLOP": GIGA,
    "TFLOP": TERA,
    "PFLOP": PETA,
    "FLOP/s": 1.0,
    "TFLOP/s": TERA,
    "PFLOP/s": PETA,
    "B": 1.0,
    "kB": KB,
    "MB": MB,
    "GB": GB,
    "TB": TB,
    "KiB": KIB,
    "MiB": MIB,
    "GiB": GIB,
    "B/s": 1.0,
    "GB/s": GB,
    "TB/s": TB,
    "s": 1.0,
    "ms": MILLISECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,
    "FLOP/B": 1.0,
    "1": 1.0,
}


def convert(value: float, *, to: str) -> float:
    """Express ``value`` (in SI base units) in the display unit ``to``.

    >>> convert(2_039e9, to="GB/s")
    2039.0
    """
    scale = UNIT_SCALES.get(to) if isinstance(to, str) else None
    if scale is None:
        known = ", ".join(sorted(UNIT_SCALES))
        raise fail("unit", to, f"is not a known display unit; use one of: {known}")
    return value / scale


def _fmt_scaled(value: float, *, ladder: tuple[tuple[float, str], ...], digits: int | None) -> str:
    """Pick the largest unit not above ``value``; ``digits=None`` keeps 4 significant digits."""
    if not math.isfinite(value):
        return str(value)
    scale, name = next(((s, n) for s, n in ladder if abs(value) >= s), ladder[-1])
    scaled = value / scale
    return f"{scaled:.4g} {name}" if digits is None else f"{scaled:,.{digits}f} {name}"


_BYTE_LADDER = ((TB, "TB"), (GB, "GB"), (MB, "MB"), (KB, "kB"), (1.0, "B"))
_BIBYTE_LADDER = ((2**40, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB"), (1.0, "B"))
_FLOP_LADDER = ((PETA, "PFLOP"), (TERA, "TFLOP"), (GIGA, "GFLOP"), (MEGA, "MFLOP"), (1.0, "FLOP"))
_RATE_LADDER = ((PETA, "PFLOP/s"), (TERA, "TFLOP/s"), (GIGA, "GFLOP/s"), (1.0, "FLOP/s"))
_BANDWIDTH_LADDER = ((TB, "TB/s"), (GB, "GB/s"), (MB, "MB/s"), (1.0, "B/s"))
_TIME_LADDER = ((1.0, "s"), (MILLISECOND, "ms"), (MICROSECOND, "µs"), (1e-9, "ns"))


def fmt_bytes(value: float, *, binary: bool = False, digits: int = 2) -> str:
    """Human text for a byte count: decimal (GB) by default, binary (GiB) on request.

    >>> fmt_bytes(1_677_721_600)
    '1.68 GB'
    >>> fmt_bytes(1_677_721_600, binary=True)
    '1.56 GiB'
    """
    return _fmt_scaled(value, ladder=_BIBYTE_LADDER if binary else _BYTE_LADDER, digits=digits)


def fmt_flops(value: float, *, digits: int = 2) -> str:
    """Human text for a FLOP count.  ``fmt_flops(215.7e12)`` gives '215.70 TFLOP'."""
    return _fmt_scaled(value, ladder=_FLOP_LADDER, digits=digits)


def fmt_flop_rate(value: float, *, digits: int = 1) -> str:
    """Human text for a FLOP/s rate.  ``fmt_flop_rate(312e12)`` gives '312.0 TFLOP/s'."""
    return _fmt_scaled(value, ladder=_RATE_LADDER, digits=digits)


def fmt_bandwidth(value: float, *, digits: int | None = None) -> str:
    """Human text for a byte/s rate.  ``fmt_bandwidth(2039e9)`` gives '2.039 TB/s'."""
    return _fmt_scaled(value, ladder=_BANDWIDTH_LADDER, digits=digits)


def fmt_time(value: float, *, digits: int = 2) -> str:
    """Human text for a duration in seconds.  ``fmt_time(1.28e-3)`` gives '1.28 ms'."""
    return _fmt_scaled(value, ladder=_TIME_LADDER, digits=digits)


def fmt_number(value: float, *, digits: int = 2) -> str:
    """Thousands-separated number: ``fmt_number(7563.2916)`` gives '7,563.29'."""
    return f"{value:,.{digits}f}"
