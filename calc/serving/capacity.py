"""Memory per GPU under tensor and pipeline parallelism: does a deployment fit, by how much, how many requests.

Per GPU of a replica with TP = N and PP = S:

* **weights**: parameters × bytes per weight / (N · S) — every layer's
  matrices split N ways (embedding and lm_head by vocabulary rows), the
  layers split S ways;
* **KV cache**: per request, ``kv_bytes_per_token × context`` — the context
  rounded up to whole pages of ``block_size`` tokens when the cache is paged
  (vLLM's default block is 16 tokens) — times the share of KV heads this GPU
  holds (``⌈H_kv / N⌉ / H_kv``; MLA's one latent is copied on every rank),
  over S stages;
* **activation workspace**: the largest step's hidden states — the prompt
  being prefilled or the decode batch — about ``tokens · (4·d + 3·d_ff / N)``
  elements, plus fp32 logits of the batch over the vocabulary share; an
  estimate (frameworks size it from their maximum batched tokens);
* **runtime reserve**: a fraction of the card kept for the CUDA context,
  NCCL buffers and fragmentation; default 10 %, vLLM's default
  ``gpu_memory_utilization = 0.9``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import validate
from ..core.dtypes import data_format
from ..hardware import Accelerator, resolve
from ..model.config import ModelConfig
from .profile import resolve_model
from ..core.quantity import Quantity, num
from ..core.units import GB
from ..core.validate import InputError

DEFAULT_RESERVE = 0.10
DEFAULT_BLOCK = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryPlan:
    """Memory of one GPU of a replica, whether it fits, and the largest batch at this context."""

    gpu: str
    capacity: Quantity
    weights: Quantity
    kv_cache: Quantity
    workspace: Quantity
    reserve: Quantity
    used: Quantity
    headroom: Quantity  # capacity − used; negative when it does not fit
    fits: bool
    largest_batch: int  # 0 when not even one request fits


class MemoryModel:
    """Floats only, for the search: bytes per GPU as a function of the batch."""

    def __init__(self, *, model: ModelConfig, part: Accelerator, tp: int, pp: int, weights: str, kv: str,
                 activations: str, context_len: int, prompt_len: int, block_size: int | None,
                 reserve_fraction: float, params: float | None = None, group_size: int | None = None,
                 dp_attention: bool = False) -> None:
        m = model
        self.capacity = part.memory
        self.reserve = reserve_fraction * part.memory
        params = m.parameter_count().value if params is None else params
        self.weights = params * data_format(weights, field="weights", group_size=group_size).bytes_per_element / (tp * pp)
        # MLA's one latent is copied on every TP rank; with data-parallel attention each GPU holds only its own
        # 1/TP of the requests (the attention weights it then repeats are not counted: under 2 % of DeepSeek-V3).
        if dp_attention and tp > 1:
            kv_share = 1.0 / tp
        else:
            kv_share = 1.0 if m.is_mla else math.ceil(m.n_kv_heads / tp) / m.n_kv_heads
        tokens = context_len if not block_size else math.ceil(context_len / block_size) * block_size
        kv_e = data_format(kv, field="kv").bytes_per_element
        self.kv_per_request = m.kv_elements_per_token_layer * m.n_layers * kv_e * tokens * kv_share / pp
        a = data_format(activations, field="activations").bytes_per_element
        widest = max(m.intermediate, m.moe_intermediate * max(m.experts_per_token, 1))
        self.act_per_token = (4 * m.hidden + 3 * widest / tp) * a
        self.logits_per_seq = 4 * m.vocab / tp
        self.prompt_len = prompt_len

    def workspace(self, batch: int) -> float:
        return self.act_per_token * max(self.prompt_len, batch) + self.logits_per_seq * batch

    def used(self, batch: int) -> float:
        return self.weights + batch * self.kv_per_request + self.workspace(batch) + self.reserve

    def largest_batch(self) -> int:
        """Largest whole batch with ``used(batch) <= capacity`` (0 if none)."""
        base = self.capacity - self.weights - self.reserve
        per = self.kv_per_request + self.logits_per_seq
        b = int((base - self.act_per_token * self.prompt_len) // per)  # while the prompt sets the workspace
        if b <= self.prompt_len:
            return max(b, 0)
        return int(base // (per + self.act_per_token))  # past it, the batch does


def memory_plan(*, model: str | dict | ModelConfig, gpu: str | Accelerator, batch: int = 1, context_len: int = 2048,
                prompt_len: int | None = None, tp: int = 1, pp: int = 1, weights: str | None = None,
                kv: str | None = None, activations: str | None = None, block_size: int | None = DEFAULT_BLOCK,
                reserve_fraction: float = DEFAULT_RESERVE, group_size: int | None = None) -> MemoryPlan:
    """Memory of one GPU for ``batch`` requests of ``context_len`` tokens; fits or not, and the largest batch.

    ``block_size=None`` (or 0) turns paging off: the cache holds exactly ``context_len`` tokens.

    >>> p = memory_plan(model="LLaMA-13B", gpu="V100-SXM2-32GB", tp=8, batch=50, context_len=2048, prompt_len=512)
    >>> p.fits, p.largest_batch
    (True, 121)
    """
    from .step import default_activations

    m = resolve_model(model)
    part = resolve(gpu)
    t = validate.positive_int("tp", tp)
    p = validate.positive_int("pp", pp)
    b = validate.positive_int("batch", batch)
    ctx = validate.positive_int("context_len", context_len)
    prompt = validate.positive_int("prompt_len", ctx if prompt_len is None else prompt_len)
    if prompt > ctx:
        raise validate.fail("prompt_len", prompt, f"is longer than the context of {validate.count(ctx, 'tokens')}; "
                                                  "the context holds the prompt")
    block = validate.optional_count("block_size", block_size, zero_is_none=True)
    reserve = validate.non_negative("reserve_fraction", reserve_fraction)
    act = validate.optional_text("activations", activations) or default_activations(part)
    mm = MemoryModel(model=m, part=part, tp=t, pp=p, weights=validate.optional_text("weights", weights) or act,
                     kv=validate.optional_text("kv", kv) or act, activations=act,
                     context_len=ctx, prompt_len=prompt, block_size=block, reserve_fraction=reserve,
                     group_size=group_size)
    used = mm.used(b)

    def q(value: float, formula: str, substituted: str) -> Quantity:
        return Quantity(value=value, unit="B", formula=formula, substituted=f"{substituted} = {num(value / GB)} GB")

    pages = f"⌈{ctx}/{block}⌉·{block}" if block else f"{ctx}"
    return MemoryPlan(
        gpu=part.name,
        capacity=q(part.memory, "datasheet memory", f"{num(part.memory / GB)} GB"),
        weights=q(mm.weights, "P · e_w / (TP · PP)", f"{num(m.parameter_count().value)} × "
                  f"{num(data_format(weights or act, field='weights', group_size=group_size).bytes_per_element)} B"
                  f" / ({t} × {p})"),
        kv_cache=q(b * mm.kv_per_request, "B · kv_per_token · ⌈ctx/block⌉·block · share / PP",
                   f"{b} × {num(mm.kv_per_request)} B ({pages} tokens)"),
        workspace=q(mm.workspace(b), "max(prompt, B) · (4d + 3d_ff/TP) · e_a + B · 4 · vocab / TP",
                    f"max({prompt}, {b}) × {num(mm.act_per_token)} B + {b} × {num(mm.logits_per_seq)} B"),
        reserve=q(mm.reserve, "reserve fraction · capacity", f"{num(reserve)} × {num(part.memory / GB)} GB"),
        used=q(used, "weights + KV + workspace + reserve", "sum"),
        headroom=q(part.memory - used, "capacity − used", f"{num(part.memory / GB)} GB − {num(used / GB)} GB"),
        fits=used <= part.memory,
        largest_batch=mm.largest_batch(),
    )
