"""Capacity planning: how many nodes serve a number of concurrent users."""

from __future__ import annotations

import math

from ..core import validate
from ..core.quantity import Quantity, num


def nodes_for_users(*, users: int, requests_per_node: float) -> Quantity:
    """Nodes needed when each node sustains ``requests_per_node`` concurrent requests.

    >>> nodes_for_users(users=10_000, requests_per_node=50).value
    200
    """
    u = validate.positive_int("users", users)
    per_node = validate.positive("requests_per_node", requests_per_node)
    value = math.ceil(u / per_node)
    return Quantity(
        value=value,
        unit="nodes",
        formula="⌈users / requests per node⌉",
        substituted=f"⌈{num(u)} / {num(per_node)}⌉ = {num(value)} nodes",
    )
