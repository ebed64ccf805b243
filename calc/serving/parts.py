"""Where a step's time goes, and the one per-operator roofline every path of the engine uses.

:class:`Parts` holds a step's components (FLOPs, the three kinds of bytes, link bytes, per-collective
latency, per-layer and per-step fixed costs, speculative drafts, grouped MoE GEMMs' excess), each a line
of the "why".  :func:`_accumulate` adds one operator's time over a context interval.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Parts:
    """Where a step's time goes (seconds, per GPU group): the components of the 'why'."""

    compute: float = 0.0
    weights: float = 0.0
    kv: float = 0.0
    activations: float = 0.0
    comms: float = 0.0  # bytes over the links
    latency: float = 0.0  # α per collective
    overhead: float = 0.0  # per layer
    step: float = 0.0  # per step
    draft: float = 0.0  # speculative draft steps
    moe: float = 0.0  # grouped MoE GEMMs' time beyond their FLOPs at the full rate (few tokens per expert)

    @property
    def total(self) -> float:
        return (self.compute + self.weights + self.kv + self.activations + self.comms + self.latency
                + self.overhead + self.step + self.draft + self.moe)

    @property
    def memory(self) -> float:
        return self.weights + self.kv + self.activations

    @property
    def fixed(self) -> float:
        """The costs that are neither FLOPs nor bytes: per layer, per step and per collective."""
        return self.latency + self.overhead + self.step

    def scaled(self, k: float) -> Parts:
        return Parts(**{f: getattr(self, f) * k for f in _PART_FIELDS})

    def plus(self, other: Parts) -> Parts:
        return Parts(**{f: getattr(self, f) + getattr(other, f) for f in _PART_FIELDS})


_PART_FIELDS = ("compute", "weights", "kv", "activations", "comms", "latency", "overhead", "step", "draft", "moe")


def _accumulate_moe(total: list[float], *, slowdown: float, **kw: float) -> None:
    """:func:`_accumulate` for a grouped expert GEMM whose compute time is ``slowdown`` × its FLOPs' time: the
    compute-bound time it adds is split into FLOPs (``total[0]``) and the excess (``total[4]``)."""
    before = total[0]
    _accumulate(total, **kw)
    added = total[0] - before
    total[0] = before + added / slowdown
    total[4] += added * (1 - 1 / slowdown)


def _accumulate(total: list[float], *, c0: float, c1: float, w: float, a: float, k0: float, k1: float) -> None:
    """Add one operator's time, averaged over a context interval, to ``total`` = [compute, weights, activations, kv].

    The one implementation of the per-operator roofline used by every path of the engine.  Over the
    interval the operator's compute time goes linearly from ``c0`` to ``c1`` and its memory time from
    ``w + a + k0`` to ``w + a + k1`` (only the KV read grows with context); at each point it takes the
    slower of the two, so where the lines cross (the operator passes its ridge point) each side is
    integrated separately and the memory side's share is split into its three byte kinds.
    """
    d0, d1 = c0 - (w + a + k0), c1 - (w + a + k1)
    if d0 >= 0 and d1 >= 0:
        total[0] += (c0 + c1) / 2
        return
    if d0 <= 0 and d1 <= 0:
        total[1] += w
        total[2] += a
        total[3] += (k0 + k1) / 2
        return
    x = d0 / (d0 - d1)  # where compute and memory time meet, as a fraction of the interval
    cx, kx = c0 + x * (c1 - c0), k0 + x * (k1 - k0)
    if d0 > 0:  # compute-bound first, memory-bound after x
        total[0] += x * (c0 + cx) / 2
        fm, kv = 1 - x, (1 - x) * (kx + k1) / 2
    else:  # memory-bound first, compute-bound after x
        total[0] += (1 - x) * (cx + c1) / 2
        fm, kv = x, x * (k0 + kx) / 2
    total[1] += fm * w
    total[2] += fm * a
    total[3] += kv
