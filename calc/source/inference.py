"""FLOPs, bytes and intensity of a forward pass: the source text's simplified model.

The source describes a dense decoder (hidden size ``h``, ``n`` layers, vocab
``V``) processing a batch of ``b`` prompts of ``s`` tokens that will grow to
``s + o`` tokens.  Per layer the four attention projections and a 4h MLP do
``24·b·s·h²`` FLOPs and attention scores and values add ``4·b·s²·h``; the
output projection adds ``2·b·s·h·V``.  Memory traffic is the ``12·n·h²``
weights times an overhead factor plus a KV cache of ``4·n·b·h·(s + o)`` bytes.

The weight term is kept exactly as the source writes it (parameters, not
bytes: see the errata page); ``bytes_per_weight`` lets a caller correct it.
"""

from __future__ import annotations


from ..core import validate
from ..core.quantity import Quantity, num
from ..roofline import WorkAndTraffic, operational_intensity


#: The source's FLOPs, bytes and operational intensity for one forward pass.
ForwardPass = WorkAndTraffic


def seed_forward_pass(
    *,
    hidden: int,
    batch: int,
    prompt_len: int,
    output_len: int,
    n_layers: int,
    vocab: int,
    weight_overhead: float = 1.2,
    bytes_per_weight: float = 1.0,
) -> ForwardPass:
    """``FLOPs = n(24bsh² + 4bs²h) + 2bshV`` and ``bytes = k·w·12nh² + 4nbh(s+o)``.

    ``weight_overhead`` is the source's 1.2 factor ``k``; ``bytes_per_weight``
    ``w`` is 1 in the source (it counts parameters), 2 for fp16 bytes.

    >>> r = seed_forward_pass(hidden=5120, batch=8, prompt_len=1024, output_len=1024,
    ...                       n_layers=40, vocab=32000)
    >>> round(r.intensity.value, 2)
    7563.29
    """
    h = validate.positive_int("hidden", hidden)
    b = validate.positive_int("batch", batch)
    s = validate.positive_int("prompt_len", prompt_len)
    o = validate.non_negative("output_len", output_len)
    n = validate.positive_int("n_layers", n_layers)
    v = validate.positive_int("vocab", vocab)
    k = validate.positive("weight_overhead", weight_overhead)
    w = validate.positive("bytes_per_weight", bytes_per_weight)
    o = int(o) if float(o).is_integer() else o

    flops = n * (24 * b * s * h**2 + 4 * b * s**2 * h) + 2 * b * s * h * v
    weights = k * w * 12 * n * h**2
    kv = 4 * n * b * h * (s + o)
    moved = weights + kv
    flops_q = Quantity(
        value=flops,
        unit="FLOP",
        formula="n·(24·b·s·h² + 4·b·s²·h) + 2·b·s·h·V",
        substituted=(
            f"{num(n)} × (24 × {num(b)} × {num(s)} × {num(h)}² + 4 × {num(b)} × {num(s)}² × {num(h)})"
            f" + 2 × {num(b)} × {num(s)} × {num(h)} × {num(v)} = {num(flops)} FLOP"
        ),
    )
    weight_text = f"{num(k)} × 12 × {num(n)} × {num(h)}²" if w == 1 else (
        f"{num(k)} × {num(w)} × 12 × {num(n)} × {num(h)}²"
    )
    bytes_q = Quantity(
        value=moved,
        unit="B",
        formula="k·w·12·n·h² + 4·n·b·h·(s + o)",
        substituted=(
            f"{weight_text} + 4 × {num(n)} × {num(b)} × {num(h)} × ({num(s)} + {num(o)})"
            f" = {num(moved)} B"
        ),
    )
    return ForwardPass(
        flops=flops_q,
        bytes_moved=bytes_q,
        intensity=operational_intensity(flops=flops, bytes_moved=moved),
    )
