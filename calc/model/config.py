"""Model descriptions: any common decoder-only transformer, and its exact parameter count.

A :class:`ModelConfig` holds the shapes that decide parameters, FLOPs and
bytes: hidden size, layers, query and key/value heads with their own
``head_dim`` (Gemma-2's 256 is not hidden/heads), a gated (SwiGLU/GeGLU)
or plain MLP, biases, norms, tied embeddings, mixture-of-experts layers
(routed and shared experts, first dense layers) and DeepSeek's multi-head
latent attention (MLA).  Build one from a Hugging Face ``config.json`` dict
(:func:`calc.model.hf_config.from_hf_config`), from a preset name
(:func:`get_model`) or from plain numbers (:func:`dense_decoder`).

The presets ship in ``data/models.json`` with their published counts and
sources; the count here is computed from the shapes, so it can be checked
against checkpoint counts to the last parameter.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..core import validate
from ..core.quantity import Quantity, num
from ..core.validate import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelConfig:
    """Shapes of a decoder-only transformer (names as in the papers; HF names in the docstrings).

    ``intermediate`` is the dense MLP width; MoE layers use ``moe_intermediate``
    per expert.  MLA models (``kv_lora_rank > 0``) use the ``q_lora_rank``,
    ``qk_nope_head_dim``, ``qk_rope_head_dim`` and ``v_head_dim`` fields
    instead of ``head_dim`` and ``n_kv_heads``.
    """

    name: str
    family: str = "llama"  # HF model_type the shapes were read as
    hidden: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    gated_mlp: bool = True
    activation: str = "silu"
    norm: str = "rmsnorm"  # "layernorm" carries a bias vector too
    norms_per_layer: int = 2
    embedding_norm: bool = False  # a norm right after the embedding lookup (BLOOM's word_embeddings_layernorm)
    qk_norm: bool = False  # RMSNorm over head_dim on each query and key head (Qwen3): 2·head_dim per layer
    qkv_bias: bool = False
    o_bias: bool = False
    mlp_bias: bool = False
    tied_embeddings: bool = False
    parallel_attention: bool = False  # attention and MLP read the same input (Falcon, GPT-J/NeoX)
    position_embeddings: int = 0  # rows of a learned position table (GPT-2/OPT); 0 with rotary
    rotary_dim: int = 0  # elements per head that rotary embeddings rotate
    # Mixture of experts
    n_experts: int = 0
    experts_per_token: int = 0
    n_shared_experts: int = 0
    moe_intermediate: int = 0
    first_dense_layers: int = 0
    router_bias: bool = False  # DeepSeek-V3's e_score_correction_bias
    # Multi-head latent attention (DeepSeek-V2/V3)
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    # Attention window
    sliding_window: int | None = None
    sliding_layers: int = 0
    max_context: int | None = None
    excluded_modules: str = ""  # e.g. DeepSeek-V3's multi-token-prediction layer
    # Provenance
    published_params: str | None = None
    published_active: str | None = None
    exact_params: int | None = None
    source: str = "custom"
    notes: tuple[str, ...] = ()

    # ---- derived shapes -------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.n_experts > 0

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def moe_layers(self) -> int:
        return self.n_layers - self.first_dense_layers if self.is_moe else 0

    @property
    def dense_layers(self) -> int:
        return self.n_layers - self.moe_layers

    @property
    def qk_head_dim(self) -> int:
        """Per-head width of queries and keys (MLA: nope + rope parts)."""
        return self.qk_nope_head_dim + self.qk_rope_head_dim if self.is_mla else self.head_dim

    @property
    def value_head_dim(self) -> int:
        return self.v_head_dim if self.is_mla else self.head_dim

    @property
    def kv_elements_per_token_layer(self) -> int:
        """Elements cached per token per layer: K and V of each kv head, or MLA's latent + rope key."""
        if self.is_mla:
            return self.kv_lora_rank + self.qk_rope_head_dim
        return 2 * self.n_kv_heads * self.head_dim

    def kv_bytes_per_token(self, *, bytes_per_element: float = 2) -> Quantity:
        """KV-cache bytes per token over all layers (``n_kv_heads·head_dim``, not the hidden size).

        >>> get_model("Llama-2-70B").kv_bytes_per_token().value  # 2 × 8 × 128 × 80 layers × 2 B
        327680
        """
        e = validate.positive("bytes_per_element", bytes_per_element)
        per_layer = self.kv_elements_per_token_layer
        value = per_layer * self.n_layers * e
        value = int(value) if float(value).is_integer() else value
        if self.is_mla:
            formula, inner = "(kv_lora_rank + qk_rope_head_dim) · L · e", (
                f"({num(self.kv_lora_rank)} + {num(self.qk_rope_head_dim)})")
        else:
            formula, inner = "2 · H_kv · d_head · L · e", f"2 × {num(self.n_kv_heads)} × {num(self.head_dim)}"
        return Quantity(value=value, unit="B", formula=formula,
                        substituted=f"{inner} × {num(self.n_layers)} × {num(e)} B = {num(value)} B")

    def parameter_count(self) -> Quantity:
        """All parameters, tied embeddings counted once.

        >>> get_model("LLaMA-13B").parameter_count().value
        13015864320
        """
        return self.parameters().total

    def parameters(self) -> "ParameterCount":
        """Parameters per component, the total and the active count per token."""
        return parameter_breakdown(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterCount:
    """Parameters by component; ``active`` is what one token touches (MoE: top-k experts)."""

    model: str
    embeddings: Quantity
    attention: Quantity
    mlp: Quantity  # dense MLPs, and MoE shared experts
    experts: Quantity  # routed experts, all of them
    router: Quantity
    norms: Quantity  # per-layer norms and the final norm
    lm_head: Quantity  # 0 when tied to the embeddings
    total: Quantity
    active: Quantity


def _q(value: int, formula: str, substituted: str) -> Quantity:
    return Quantity(value=value, unit="parameters", formula=formula, substituted=f"{substituted} = {num(value)}")


def attention_params_per_layer(m: ModelConfig) -> tuple[int, str, str]:
    """(count, formula, substituted) of one layer's attention projections, biases included."""
    h, H = m.hidden, m.n_heads
    if m.is_mla:
        qk, kvr, rope, v = m.qk_head_dim, m.kv_lora_rank, m.qk_rope_head_dim, m.v_head_dim
        q = h * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * H * qk if m.q_lora_rank else h * H * qk
        kv = h * (kvr + rope) + kvr + kvr * H * (m.qk_nope_head_dim + v)
        o = H * v * h
        q_text = (f"{num(h)}·{num(m.q_lora_rank)} + {num(m.q_lora_rank)} + {num(m.q_lora_rank)}·{num(H)}·{num(qk)}"
                  if m.q_lora_rank else f"{num(h)}·{num(H)}·{num(qk)}")
        return (q + kv + o, "q (LoRA) + kv_a·(r_kv + d_rope) + norm + kv_b + o",
                f"{q_text} + {num(h)}·({num(kvr)} + {num(rope)}) + {num(kvr)}"
                f" + {num(kvr)}·{num(H)}·({num(m.qk_nope_head_dim)} + {num(v)}) + {num(H)}·{num(v)}·{num(h)}")
    d, kvh = m.head_dim, m.n_kv_heads
    weights = 2 * h * H * d + 2 * h * kvh * d
    bias = (H * d + 2 * kvh * d if m.qkv_bias else 0) + (h if m.o_bias else 0)
    text = f"2·{num(h)}·{num(H)}·{num(d)} + 2·{num(h)}·{num(kvh)}·{num(d)}"
    if bias:
        text += f" + {num(bias)} bias"
    return weights + bias, "2·h·H·d + 2·h·H_kv·d (+ biases)", text


def mlp_params(m: ModelConfig, width: int) -> int:
    """One MLP (or one expert) of intermediate ``width``: 3 matrices if gated, else 2, plus biases."""
    h = m.hidden
    if m.gated_mlp:
        return 3 * h * width + ((2 * width + h) if m.mlp_bias else 0)
    return 2 * h * width + ((width + h) if m.mlp_bias else 0)


def norm_params(m: ModelConfig, width: int) -> int:
    return width * (2 if m.norm == "layernorm" else 1)


def parameter_breakdown(m: ModelConfig) -> ParameterCount:
    """Count each component from the shapes; see :class:`ParameterCount`."""
    h, L, V = m.hidden, m.n_layers, m.vocab
    attn_layer, attn_formula, attn_text = attention_params_per_layer(m)
    attention = _q(L * attn_layer, f"L · ({attn_formula})", f"{num(L)} × ({attn_text})")

    mats = 3 if m.gated_mlp else 2
    dense = m.dense_layers * mlp_params(m, m.intermediate)
    shared = m.moe_layers * m.n_shared_experts * mlp_params(m, m.moe_intermediate)
    mlp_text = f"{num(m.dense_layers)} × {mats}·{num(h)}·{num(m.intermediate)}"
    if shared:
        mlp_text += f" + {num(m.moe_layers)} × {num(m.n_shared_experts)} shared × {mats}·{num(h)}·{num(m.moe_intermediate)}"
    if m.mlp_bias:
        mlp_text += " (+ biases)"
    mlp = _q(dense + shared, "dense layers × MLP + MoE layers × shared experts", mlp_text)

    one_expert = mlp_params(m, m.moe_intermediate) if m.is_moe else 0
    experts = _q(m.moe_layers * m.n_experts * one_expert, "MoE layers · E · expert",
                 f"{num(m.moe_layers)} × {num(m.n_experts)} × {num(one_expert)}")
    router_layer = h * m.n_experts + (m.n_experts if m.router_bias else 0)
    router = _q(m.moe_layers * router_layer, "MoE layers · h · E",
                f"{num(m.moe_layers)} × {num(router_layer)}")

    per_norm = norm_params(m, h)
    norms_value = L * m.norms_per_layer * per_norm + per_norm
    norms_formula = "L · norms/layer · norm + final norm"
    norms_text = f"{num(L)} × {num(m.norms_per_layer)} × {num(per_norm)} + {num(per_norm)}"
    if m.embedding_norm:
        norms_value += per_norm
        norms_formula += " + embedding norm"
        norms_text += f" + {num(per_norm)}"
    if m.qk_norm:
        norms_value += L * 2 * m.head_dim
        norms_formula += " + L · 2·d_head (q, k norms)"
        norms_text += f" + {num(L)} × 2·{num(m.head_dim)}"
    norms = _q(norms_value, norms_formula, norms_text)

    emb_value = V * h + m.position_embeddings * h
    emb_text = f"{num(V)}·{num(h)}" + (f" + {num(m.position_embeddings)}·{num(h)} positions"
                                       if m.position_embeddings else "")
    embeddings = _q(emb_value, "V·h (+ learned positions)", emb_text)
    head_value = 0 if m.tied_embeddings else V * h
    lm_head = _q(head_value, "V·h, 0 if tied", "tied to the embeddings: 0" if m.tied_embeddings
                 else f"{num(V)}·{num(h)}")

    parts = (embeddings, attention, mlp, experts, router, norms, lm_head)
    total_value = sum(int(p.value) for p in parts)
    total = _q(total_value, "embeddings + attention + MLP + experts + router + norms + lm_head",
               " + ".join(num(p.value) for p in parts))
    idle = m.moe_layers * (m.n_experts - m.experts_per_token) * one_expert
    active = _q(total_value - idle, "total − MoE layers · (E − k) · expert",
                f"{num(total_value)} − {num(m.moe_layers)} × ({num(m.n_experts)} − {num(m.experts_per_token)})"
                f" × {num(one_expert)}")
    return ParameterCount(model=m.name, embeddings=embeddings, attention=attention, mlp=mlp, experts=experts,
                          router=router, norms=norms, lm_head=lm_head, total=total, active=active)


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
    gated_mlp: bool = True,
    tied_embeddings: bool = False,
) -> ModelConfig:
    """A custom dense Llama-style decoder from plain numbers, with the shape checks a config needs."""
    h = validate.positive_int("hidden", hidden)
    heads = validate.positive_int("n_heads", n_heads)
    kv = validate.positive_int("n_kv_heads", heads if n_kv_heads is None else n_kv_heads)
    if heads % kv:
        raise validate.fail("n_kv_heads", kv, f"does not divide the {heads} attention heads; give a divisor of {heads}")
    if head_dim is None and h % heads:
        raise validate.fail("hidden", h, f"is not divisible by the {heads} attention heads; give the head size explicitly")
    d = validate.positive_int("head_dim", head_dim) if head_dim is not None else h // heads
    return ModelConfig(
        name=validate.text("name", name), hidden=h, n_layers=validate.positive_int("n_layers", n_layers), n_heads=heads,
        n_kv_heads=kv, head_dim=d, intermediate=validate.positive_int("intermediate", intermediate),
        vocab=validate.positive_int("vocab", vocab), gated_mlp=validate.flag("gated_mlp", gated_mlp),
        rotary_dim=d, activation="silu" if gated_mlp else "gelu",
        tied_embeddings=validate.flag("tied_embeddings", tied_embeddings),
    )


#: Kept for callers written against the first, Llama-only model type.
DenseDecoder = ModelConfig


def _from_row(row: dict) -> ModelConfig:
    from .hf_config import from_hf_config

    return from_hf_config(
        row["config"],
        name=row["name"],
        published_params=row.get("published_params"),
        published_active=row.get("published_active"),
        exact_params=row.get("exact_params"),
        source=f"config: {row['config_source']}; count: {row.get('exact_source') or row.get('published_source')}",
    )


@cache
def _rows() -> tuple[dict, ...]:
    text = resources.files("calc").joinpath("data/models.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["models"])


@cache
def presets() -> tuple[ModelConfig, ...]:
    """Every model preset shipped with the package, in the data file's order."""
    return tuple(_from_row(row) for row in _rows())


def hf_config_of(name: str) -> dict:
    """A preset's ``config.json`` fields (a fresh copy), e.g. to start a pasted config from.

    >>> hf_config_of("Mixtral-8x7B")["num_local_experts"]
    8
    """
    model = get_model(name)
    row = next((r for r in _rows() if r["name"] == model.name), None)
    if row is None:
        raise validate.fail("model", model.name, "is not a preset; only presets come with a config.json")
    return json.loads(json.dumps(row["config"]))


def _key(name: str) -> str:
    return str(name).lower().replace(" ", "")


def get_model(name: str | ModelConfig) -> ModelConfig:
    """A preset by name or alias (case-insensitive), or the model itself if one is given."""
    if isinstance(name, ModelConfig):
        return name
    if not isinstance(name, str):
        raise validate.fail("model", name, "is not a model name; give a preset name such as 'Llama-2-7B'")
    wanted = _key(name)
    for row, model in zip(_rows(), presets()):
        if wanted in {_key(model.name), *(_key(a) for a in row.get("aliases", ()))}:
            return model
    names = [m.name for m in presets()]
    close = difflib.get_close_matches(name[:validate.MAX_TEXT], names, n=4, cutoff=0.3)
    if close:
        raise validate.fail("model", name, f"is not a preset; did you mean: {', '.join(close)}?")
    raise validate.fail("model", name, f"is not a preset; there are {len(names)}, e.g. {', '.join(names[:4])}")
