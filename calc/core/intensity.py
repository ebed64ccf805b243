"""Operational intensity: FLOPs per byte of memory traffic (the roofline's x axis).

It lives in ``core`` because both the model layer (a forward pass's totals)
and the roofline layer (bounds on a part) need it, and neither may import
the other's results.
"""

from __future__ import annotations

from . import validate
from .quantity import Quantity, num


def operational_intensity(*, flops: float, bytes_moved: float) -> Quantity:
    """FLOPs per byte of memory traffic.

    >>> operational_intensity(flops=2e9, bytes_moved=1e9).value
    2.0
    """
    f = validate.non_negative("flops", flops)
    q = validate.positive("bytes_moved", bytes_moved)
    value = validate.finite("bytes_moved", f / q, "the intensity")
    return Quantity(
        value=value,
        unit="FLOP/byte",
        formula="I = FLOPs / bytes",
        substituted=f"{num(f)} FLOP / {num(q)} B = {num(value)} FLOP/byte",
    )
