"""Model descriptions: dense Llama-style decoders with exact parameter counts.

The presets ship in ``data/models.json`` (Hugging Face ``config.json`` field
names, with the published parameter count and its source).  The parameter
count is computed from the shapes, so it can be checked against the
published checkpoint counts: for a Llama block it is
``q, o: h·(heads·head_dim)``, ``k, v: h·(kv_heads·head_dim)``, a gated MLP of
``3·h·ffn`` and two RMSNorm vectors of ``h``; plus embeddings, the final norm
and an untied output head of ``V·h`` each.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from . import validate
from .validate import InputError
from .quantity import Quantity, num


@dataclass(frozen=True, slots=True, kw_only=True)
class DenseDecoder:
    """A dense decoder-only transformer with a gated (SwiGLU) MLP."""

    name: str
    hidden: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    tied_embeddings: bool = False
    max_context: int | None = None
    published_params: str | None = None
    exact_params: int | None = None
    source: str = "custom"

    def parameter_count(self) -> Quantity:
        """Parameters computed from the shapes (tied embeddings counted once).

        >>> get_model("LLaMA-13B").parameter_count().value
        13015864320
        """
        h, hd, f = self.hidden, self.head_dim, self.intermediate
        attention = 2 * h * self.n_heads * hd + 2 * h * self.n_kv_heads * hd
        per_layer = attention + 3 * h * f + 2 * h
        embeddings = self.vocab * h * (1 if self.tied_embeddings else 2)
        total = self.n_layers * per_layer + embeddings + h
        heads = "" if self.tied_embeddings else " (embedding + untied lm_head)"
        return Quantity(
            value=total,
            unit="parameters",
            formula="L·(2·h·H·d + 2·h·H_kv·d + 3·h·f + 2·h) + 2·V·h + h",
            substituted=(
                f"{num(self.n_layers)} × (2 × {num(h)} × {num(self.n_heads)} × {num(hd)}"
                f" + 2 × {num(h)} × {num(self.n_kv_heads)} × {num(hd)} + 3 × {num(h)} × {num(f)}"
                f" + 2 × {num(h)}) + {num(embeddings)}{heads} + {num(h)} = {num(total)}"
            ),
        )


def dense_decoder(
    *,
    name: str = "custom",
    hidden: int,
    n_layers: int,
    n_heads: int,
    intermediate: int,
    vocab: int,
    n_kv_heads: int | None = None,
    head_dim: int | None = None,
) -> DenseDecoder:
    """A custom dense decoder from plain numbers, with the shape checks a config needs."""
    h = validate.positive_int("hidden", hidden)
    heads = validate.positive_int("n_heads", n_heads)
    kv = validate.positive_int("n_kv_heads", heads if n_kv_heads is None else n_kv_heads)
    if heads % kv:
        raise InputError("n_kv_heads", f"n_heads={heads} must be a multiple of n_kv_heads={kv}")
    if head_dim is None and h % heads:
        raise InputError("hidden", f"hidden={h} is not divisible by n_heads={heads}; give head_dim explicitly")
    return DenseDecoder(
        name=name,
        hidden=h,
        n_layers=validate.positive_int("n_layers", n_layers),
        n_heads=heads,
        n_kv_heads=kv,
        head_dim=validate.positive_int("head_dim", head_dim) if head_dim else h // heads,
        intermediate=validate.positive_int("intermediate", intermediate),
        vocab=validate.positive_int("vocab", vocab),
    )


def _from_row(row: dict) -> DenseDecoder:
    c = row["config"]
    return DenseDecoder(
        name=row["name"],
        hidden=c["hidden_size"],
        n_layers=c["num_hidden_layers"],
        n_heads=c["num_attention_heads"],
        n_kv_heads=c.get("num_key_value_heads", c["num_attention_heads"]),
        head_dim=c.get("head_dim", c["hidden_size"] // c["num_attention_heads"]),
        intermediate=c["intermediate_size"],
        vocab=c["vocab_size"],
        tied_embeddings=bool(c.get("tie_word_embeddings", False)),
        max_context=c.get("max_position_embeddings"),
        published_params=row.get("published_params"),
        exact_params=row.get("exact_params"),
        source=f"{row['config_source']}; count: {row.get('exact_source') or row.get('published_source')}",
    )


@cache
def presets() -> tuple[DenseDecoder, ...]:
    """Every model preset shipped with the package."""
    text = resources.files("calc").joinpath("data/models.json").read_text(encoding="utf-8")
    return tuple(_from_row(row) for row in json.loads(text)["models"])


def get_model(name: str | DenseDecoder) -> DenseDecoder:
    """A preset by name (case-insensitive), or the model itself if one is given."""
    if isinstance(name, DenseDecoder):
        return name
    wanted = str(name).lower().replace(" ", "")
    for model in presets():
        if model.name.lower() == wanted:
            return model
    names = [m.name for m in presets()]
    close = difflib.get_close_matches(str(name), names, n=4, cutoff=0.3)
    raise InputError("model", f"model={name!r} is not a preset; did you mean: {', '.join(close or names)}?")
