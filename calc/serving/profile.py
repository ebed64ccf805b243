"""Operator work as cheap formulas in batch and context, so a search can evaluate thousands of steps.

:func:`calc.model.operators.forward_operators` builds every operator with its
arithmetic, which is right for a page and too slow for a search that
evaluates tens of thousands of steps.  A decode step's FLOPs and bytes are,
operator by operator, exactly ``q0 + q1·b + q2·b·s`` in the batch ``b`` and
the attended context ``s`` (weights are read once; activations grow with the
tokens; attention and the KV cache with tokens × context).  Three calls to
``forward_operators`` fix the three coefficients of every operator; a test
checks the fit against direct calls.  Two shapes break the form and are
evaluated directly instead: MoE layers (the experts loaded grow
non-linearly with the tokens: their weight bytes are the fit's value at one
token scaled by the expected experts loaded, ``E·(1 − (1 − k/E)^b) / k``, the
same expression the operators use) and sliding-window layers (attention stops growing at the window, so the fit in
``s`` is only used below the window).

A profile is independent of the accelerator and of the parallelism; the
serving model (:mod:`calc.serving.step`) scales it per GPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


from ..model.config import ModelConfig
from ..model.hf_config import resolve_model
from ..model.operators import forward_operators

#: Operator groups whose work tensor parallelism divides (heads, MLP columns, vocabulary rows);
#: norms and residual adds are repeated on every GPU of the group.
SPLIT_GROUPS = frozenset({"attention", "mlp", "moe", "head", "embedding"})


@dataclass(frozen=True, slots=True, kw_only=True)
class OpLine:
    """One operator's work at a fixed batch as straight lines in the context ``s``: ``const + slope·s``."""

    name: str
    group: str  # attention, moe, mlp, norm, residual, embedding, head
    dtype: str  # whose peak applies
    flops: tuple[float, float]
    weight_bytes: tuple[float, float]
    activation_bytes: tuple[float, float]
    kv_bytes: tuple[float, float]

    @property
    def split(self) -> bool:
        """Divided by tensor parallelism (heads, MLP columns, vocabulary rows)."""
        return self.group in SPLIT_GROUPS


def _raw(m: ModelConfig, phase: str, b: int, s: int, w: str, a: str, kv: str, g: int | None = None) -> tuple:
    r = forward_operators(model=m, phase=phase, batch=b, seq_len=s, weights=w, activations=a, kv=kv, group_size=g)
    return tuple((o.name, o.group, o.compute_dtype, o.flops.value, o.weight_bytes,
                  o.activation_bytes, o.kv_bytes) for o in r.operators)


@lru_cache(maxsize=4096)
def _raw_cached(m: ModelConfig, phase: str, b: int, s: int, w: str, a: str, kv: str, g: int | None = None) -> tuple:
    return _raw(m, phase, b, s, w, a, kv, g)


@lru_cache(maxsize=256)
def _affine(m: ModelConfig, w: str, a: str, kv: str, g: int | None = None) -> tuple:
    """Per operator ``(q0, q1, q2)`` of ``q0 + q1·b + q2·b·s`` for flops and the three byte kinds."""
    p11, p21, p12 = (_raw_cached(m, "decode", b, s, w, a, kv, g) for b, s in ((1, 1), (2, 1), (1, 2)))
    out = []
    for o11, o21, o12 in zip(p11, p21, p12):
        coeffs = []
        for i in range(3, 7):
            q2 = o12[i] - o11[i]
            q1 = o21[i] - o11[i] - q2
            coeffs.append((o11[i] - q1 - q2, q1, q2))
        out.append((o11[0], o11[1], o11[2], tuple(coeffs)))
    return tuple(out)


def decode_lines(m: ModelConfig, *, batch: int, weights: str, activations: str, kv: str,
                 max_context: int = 1, group_size: int | None = None) -> tuple[OpLine, ...]:
    """Every operator of a decode step at ``batch``, as lines in the context (valid up to ``max_context``)."""
    window = m.sliding_window if m.sliding_layers else None
    if window is not None and max_context > window:
        return _direct_lines(m, batch, weights, activations, kv, window if window and max_context > window else None,
                             group_size)
    return _lines_from_affine(m, batch, weights, activations, kv, group_size)


@lru_cache(maxsize=4096)
def _lines_from_affine(m: ModelConfig, b: int, w: str, a: str, kv: str, g: int | None = None) -> tuple[OpLine, ...]:
    out = []
    loaded = experts_loaded(m, b) / m.experts_per_token if m.is_moe else 1.0
    for name, group, dtype, coeffs in _affine(m, w, a, kv, g):
        lines = [(q0 + q1 * b, q2 * b) for q0, q1, q2 in coeffs]
        if name.startswith("experts "):  # routed experts: weights loaded grow non-linearly with the tokens
            q0, q1, q2 = coeffs[1]
            lines[1] = ((q0 + q1 + q2) * loaded, 0.0)
        out.append(OpLine(name=name, group=group, dtype=dtype, flops=lines[0], weight_bytes=lines[1],
                          activation_bytes=lines[2], kv_bytes=lines[3]))
    return tuple(out)


@lru_cache(maxsize=4096)
def _direct_lines(m: ModelConfig, b: int, w: str, a: str, kv: str, window: int | None,
                  g: int | None = None) -> tuple[OpLine, ...]:
    # Lines through s = 1 and 2, or, past a sliding window, through s = window and window + 1 (the flat part
    # is then exact for the windowed layers and the full layers stay linear).
    s0 = window or 1
    p0, p1 = _raw_cached(m, "decode", b, s0, w, a, kv, g), _raw_cached(m, "decode", b, s0 + 1, w, a, kv, g)
    out = []
    for o0, o1 in zip(p0, p1):
        lines = [(o0[i] - (o1[i] - o0[i]) * s0, o1[i] - o0[i]) for i in range(3, 7)]
        out.append(OpLine(name=o0[0], group=o0[1], dtype=o0[2], flops=lines[0], weight_bytes=lines[1],
                          activation_bytes=lines[2], kv_bytes=lines[3]))
    return tuple(out)


def decode_coefficients(m: ModelConfig, *, weights: str, activations: str, kv: str,
                        group_size: int | None = None) -> tuple:
    """Per operator ``(name, group, dtype, flops, weight, activation, kv)``, each ``(q0, q1, q2)`` of
    ``q0 + q1·b + q2·b·s`` (routed experts' weight bytes: the value at one token, to scale)."""
    return _affine(m, weights, activations, kv, group_size)


def experts_loaded(m: ModelConfig, tokens: int) -> float:
    from ..model.operators import _distinct_experts

    return _distinct_experts(m.n_experts, m.experts_per_token, tokens)


def prefill_ops(m: ModelConfig, *, batch: int, prompt_len: int, weights: str, activations: str,
                kv: str, group_size: int | None = None) -> tuple[OpLine, ...]:
    """Every operator of the prefill of ``batch`` prompts of ``prompt_len`` tokens (slopes are zero)."""
    out = []
    for name, group, dtype, f, wb, ab, kb in _raw_cached(m, "prefill", batch, prompt_len, weights, activations, kv,
                                                         group_size):
        out.append(OpLine(name=name, group=group, dtype=dtype, flops=(f, 0.0), weight_bytes=(wb, 0.0),
                          activation_bytes=(ab, 0.0), kv_bytes=(kb, 0.0)))
    return tuple(out)
