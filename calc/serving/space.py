"""The 2026 search space: formats a part computes, EP and DP-attention, speculative decoding, memory per GPU.

One *configuration* is one replica: a GPU type, a tensor-parallel group of ``tp`` GPUs, how a MoE model
spreads its experts (``ep``: whole experts per GPU) and its attention (``dp_attention``: each GPU its own
requests), the weight/activation format, the KV-cache format and speculative decoding (``draft_tokens``
drafts per step, each accepted with probability ``acceptance``).

Formats are searched only where the part *computes* them: ``fp8`` needs an fp8 tensor peak, ``fp4`` an fp4
one (NVFP4 on NVIDIA, MXFP4 on AMD, the checkpoints the InferenceX runs served); ``16-bit`` is bf16 (fp16
where the part has no bf16).  Weights and activations share the format (a W4A16 deployment is the planner's
older search, :func:`calc.serving.search.search_deployments`).

Every configuration is checked for memory per GPU before anything is evaluated (weights + KV cache of the
requests + workspace + reserve, :class:`calc.serving.capacity.MemoryModel`); a configuration that holds no
request is never evaluated.  :meth:`Space.tpot_bound` is the ideal-roofline lower bound on TPOT (the weights
of one decode step read at the datasheet bandwidth, over the tokens a step yields): a configuration whose
bound already misses a TPOT target is never evaluated in full.

Speculative decoding defaults: 3 draft tokens (DeepSeek's MTP recipes use 1–3) each accepted with
probability 0.7 — the same assumption the InferenceX comparison makes for its MTP rows
(:data:`calc.serving.inferencex.MTP_ACCEPTANCE`); DeepSeek-V3 reports 85–90 % for the first draft
(arXiv:2412.19437 §5.4.3), later drafts accept less.  The draft costs ``draft_layers`` (1, one MTP layer) of
``n_layers`` of a decode step each.

Links (for disaggregated KV transfer): scale-up is the catalog's interconnect (``calc/data/accelerators.json``,
halved to one way); scale-out is 400 Gbit/s per GPU (800 on B300), InferenceX's hardware table in
``shared/reference/inferencex-public.json``; NVL72 parts (GB200, GB300) have a 72-GPU scale-up domain, others 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Iterator, Mapping

from ..core import validate
from ..core.dtypes import data_format
from ..hardware import Accelerator
from ..model.config import ModelConfig
from .capacity import DEFAULT_BLOCK, DEFAULT_RESERVE, MemoryModel
from .efficiency import EFFICIENCIES, Efficiency
from .estimate import accepted_tokens
from .parts import Parts
from .step import Evaluator, default_activations, link_one_way

#: Weight-and-activation formats, searched where the part computes them.
FORMATS = ("16-bit", "fp8", "fp4")
KV_FORMATS = ("16-bit", "fp8")
TP_SIZES = (1, 2, 4, 8)
#: Wide expert parallelism on an NVL72 rack: DEP over 16 to 64 GPUs of its one 72-GPU NVLink domain (each GPU its
#: own requests' attention and E/N whole experts), tried for a MoE model when EP and DP attention are; sizes that
#: divide the experts only.  Other parts stop at 8, the GPUs of one node.  Off by default (``wide_ep``): it
#: lengthens a whole-catalog search of a MoE model by about 40 % (scripts/bench_search.py), past the page's budget.
WIDE_EP_SIZES = (16, 32, 64)
DEFAULT_DRAFT_TOKENS = 3
DEFAULT_ACCEPTANCE = 0.7
#: Scale-out bandwidth per GPU, one way, bytes/s (InferenceX hardware table: 400 Gbit/s; B300 800 Gbit/s).
SCALE_OUT_DEFAULT = 400e9 / 8
SCALE_OUT = {"B300": 800e9 / 8}
#: GPUs one scale-up (NVLink / Infinity Fabric) domain holds (InferenceX hardware table: NVL72 racks 72, nodes 8).
SCALE_UP_WORLD = {"GB200": 72, "GB300": 72}
#: The serving engine measured on each GPU in the validation data (its fitted profile is the default there).
ENGINE_PROFILE = {"H200-SXM-141GB": "sglang", "B300": "sglang", "B200": "trtllm", "MI300X": "sglang-rocm",
                  "MI355X": "atom"}
#: GPUs with no measured engine that share their die with one that has: the same tensor cores, the same HBM
#: generation and the same software stack, so the same achieved fractions and fixed costs; what differs (clocks,
#: memory size, NVLink domain) is in the catalog's peaks, capacity and links.  GB200 and GB300 are the B200's
#: and B300's Blackwell dies in an NVL72 rack; H100 is the H200's GH100 die with HBM3 instead of HBM3e; MI325X is
#: the MI300X's CDNA 3 die with more HBM3e.
SAME_DIE = {"GB200": "B200", "GB300": "B300", "H100-SXM5-80GB": "H200-SXM-141GB", "H100-PCIe-80GB": "H200-SXM-141GB",
            "MI325X": "MI300X"}
#: The default (``typical``) profile's η_compute and per-layer cost were fitted on A100 measurements
#: (``measured.json``): it is the A100's own fitted profile.
FITTED_ON = {"A100-SXM4-80GB": "typical", "A100-SXM4-40GB": "typical"}


class _Evaluator(Evaluator):
    """An evaluator that remembers its decode steps: a curve's aggregated and disaggregated points at one batch
    share the same decode step, so each is computed once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._decode: dict[tuple, Parts] = {}

    def decode(self, *, batch: int, s0: float, s1: float, queries: int = 1) -> Parts:
        key = (batch, s0, s1, queries)
        out = self._decode.get(key)
        if out is None:
            out = self._decode[key] = super().decode(batch=batch, s0=s0, s1=s1, queries=queries)
        return out


def compute_format(choice: str, part: Accelerator) -> str | None:
    """The format name a choice computes in on ``part`` (None when the part has no peak for it)."""
    if choice == "16-bit":
        return default_activations(part)
    if choice == "fp8":
        return "fp8" if "fp8" in part.peaks else None
    if choice == "fp4":
        return None if "fp4" not in part.peaks else ("mxfp4" if part.vendor == "AMD" else "fp4")
    return None


def kv_format(choice: str, part: Accelerator) -> str:
    return default_activations(part) if choice == "16-bit" else choice


def engine_profile(part: Accelerator) -> str:
    """The fitted profile ``"engine"`` means on ``part``, by this rule (never a profile fitted on nothing):

    1. the engine measured on this GPU (:data:`ENGINE_PROFILE`), or the profile fitted on it (:data:`FITTED_ON`);
    2. else the engine measured on a GPU of the same die (:data:`SAME_DIE`: GB200 → B200's, GB300 → B300's,
       H100 → H200's, MI325X → MI300X's);
    3. else the most conservative engine profile measured on the same vendor's GPUs: the lowest η_memory, then
       the lowest η_compute (TensorRT-LLM's on NVIDIA: 0.79 and 0.18 against SGLang's 0.91 and 0.29).

    ``typical`` is never the fallback: its η_compute 0.8 comes from large dense GEMMs, four times what the
    engines reach on a MoE prefill, so a GPU without a fit would rank far better than the measured ones.  Rules 2
    and 3 are still extrapolations: such a GPU stays "not validated" (:func:`calc.serving.frontier.coverage`).
    """
    name = ENGINE_PROFILE.get(part.name) or FITTED_ON.get(part.name)
    if name is None and part.name in SAME_DIE:
        name = ENGINE_PROFILE[SAME_DIE[part.name]]
    if name is None:
        name = _conservative(part.vendor)
    return name


@cache
def _conservative(vendor: str) -> str:
    from ..hardware import get_accelerator

    same = {p for g, p in ENGINE_PROFILE.items() if get_accelerator(g).vendor == vendor} or set(ENGINE_PROFILE.values())
    return min(sorted(same), key=lambda n: (EFFICIENCIES[n].memory, EFFICIENCIES[n].compute))


def profile_for(part: Accelerator, efficiency: str | Efficiency) -> Efficiency:
    """``"engine"``: the fitted profile :func:`engine_profile` picks for this GPU; or a named profile."""
    if isinstance(efficiency, Efficiency):
        return efficiency
    if efficiency == "engine":
        return EFFICIENCIES[engine_profile(part)]
    return EFFICIENCIES[efficiency]


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """One replica configuration of the search space."""

    gpu: str
    tp: int
    ep: bool
    dp_attention: bool
    format: str  # the choice: "16-bit", "fp8" or "fp4"
    weights: str  # the format name computed in (bf16, fp8, fp4, mxfp4)
    kv: str
    draft_tokens: int
    acceptance: float

    @property
    def parallel(self) -> str:
        """InferenceX's notation: TPn (experts sharded), TEPn (attention TP + EP), DEPn (DP attention + EP)."""
        return f"{'DEP' if self.dp_attention else 'TEP' if self.ep else 'TP'}{self.tp}"

    def label(self) -> str:
        spec = f", MTP {self.draft_tokens}@{self.acceptance:g}" if self.draft_tokens else ""
        return f"{self.tp} × {self.gpu} {self.parallel}, {self.weights} (KV {self.kv}){spec}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """What the search may try (each an on/off or a list), checked once."""

    formats: tuple[str, ...] | None  # None: every format each part computes
    kv_formats: tuple[str, ...]
    tp_sizes: tuple[int, ...]
    expert_parallel: bool  # try EP (MoE only)
    dp_attention: bool  # try DP attention (MoE only, TP > 1)
    speculative: bool  # try speculative decoding besides plain decoding
    draft_tokens: int
    acceptance: float
    draft_layers: int
    wide_ep: bool = False  # DEP beyond 8 GPUs inside an NVL72 domain (MoE, with EP and DP attention)


def check_options(*, parts: list[Accelerator], formats: tuple[str, ...] | None, kv_formats: Any, tp_sizes: Any,
                  expert_parallel: Any, dp_attention: Any, speculative: Any, draft_tokens: Any, acceptance: Any,
                  draft_layers: Any, wide_ep: Any = False) -> Options:
    """Labelled errors for every option; a format asked for explicitly must be computed by every part."""
    fmts = None
    if formats is not None:
        fmts = tuple(validate.text("formats", f, choices=FORMATS) for f in validate.sequence("formats", formats))
        if not fmts:
            raise validate.fail("formats", formats, f"is empty; give some of {', '.join(FORMATS)} or leave it out")
        for f in fmts:
            for part in parts:
                if compute_format(f, part) is None:
                    peak = "fp4" if f == "fp4" else "fp8"
                    raise validate.fail("formats", f, f"is not computed by {part.name}: it has no {peak} peak (it "
                                                      f"lists {', '.join(part.peaks)}); drop {f} or that GPU")
    kvs = tuple(validate.text("kv_formats", k, choices=KV_FORMATS) for k in validate.sequence("kv_formats", kv_formats))
    if not kvs:
        raise validate.fail("kv_formats", kv_formats, f"is empty; give some of {', '.join(KV_FORMATS)}")
    tps = tuple(sorted({validate.positive_int("tp", t) for t in validate.sequence("tp_sizes", tp_sizes)}))
    if not tps or tps[-1] > 72:
        raise validate.fail("tp_sizes", tp_sizes, "must be sizes from 1 to 72 (a scale-up domain)")
    k = int(validate.number("draft_tokens", draft_tokens, integer=True, low=1, high=16, name="Draft tokens"))
    a = validate.number("acceptance", acceptance, low=0.0, high=1.0, name="Acceptance rate")
    return Options(formats=fmts, kv_formats=kvs, tp_sizes=tps, expert_parallel=validate.flag("expert_parallel",
                   expert_parallel), dp_attention=validate.flag("dp_attention", dp_attention),
                   speculative=validate.flag("speculative", speculative), draft_tokens=k, acceptance=a,
                   draft_layers=validate.positive_int("draft_layers", draft_layers),
                   wide_ep=validate.flag("wide_ep", wide_ep))


class Space:
    """The configurations of one model and workload on some parts: evaluators, memory models, bounds (cached)."""

    def __init__(self, *, model: ModelConfig, parts: list[Accelerator], options: Options, prompt_len: int,
                 output_len: int, efficiency: str | Efficiency) -> None:
        self.m, self.parts, self.o = model, parts, options
        self.p, self.out = prompt_len, output_len
        self.efficiency = efficiency
        self.params = model.parameter_count().value
        self.pruned_memory = 0
        self._ev: dict[tuple, Evaluator] = {}
        self._mem: dict[tuple, MemoryModel] = {}

    def _splits(self, part: Accelerator) -> Iterator[tuple[int, bool, bool]]:
        """(tp, ep, dp_attention) for the part; TP must divide the heads unless attention is data-parallel."""
        m, o = self.m, self.o
        world = SCALE_UP_WORLD.get(part.name, 8)
        for tp in o.tp_sizes:
            if tp > world or (tp > 1 and part.interconnect is None):
                continue
            heads_ok = m.n_heads % tp == 0
            modes = [(False, False)]
            if m.is_moe and tp > 1:
                modes = ([(False, False)] if heads_ok else []) + ([(True, False)] if o.expert_parallel and heads_ok
                                                                   else [])
                if o.dp_attention:
                    modes.append((o.expert_parallel, True))
            elif not heads_ok:
                continue
            if m.is_moe and tp > m.n_experts and any(ep for ep, _ in modes):
                modes = [(ep, dp) for ep, dp in modes if not ep]
            for ep, dp in modes:
                yield tp, ep, dp
        if o.wide_ep and world > 8 and m.is_moe and o.expert_parallel and o.dp_attention:
            for tp in WIDE_EP_SIZES:
                if tp not in o.tp_sizes and tp <= world and m.n_experts % tp == 0 and part.interconnect is not None:
                    yield tp, True, True

    def configs(self) -> Iterator[Config]:
        """Every configuration whose weights and one request fit each GPU (others counted in ``pruned_memory``)."""
        o = self.o
        for part in self.parts:
            choices = o.formats or tuple(f for f in FORMATS if compute_format(f, part) is not None)
            for tp, ep, dp in self._splits(part):
                for f in choices:
                    w = compute_format(f, part)
                    if w is None:
                        continue
                    for kc in o.kv_formats:
                        base = Config(gpu=part.name, tp=tp, ep=ep, dp_attention=dp, format=f, weights=w,
                                      kv=kv_format(kc, part), draft_tokens=0, acceptance=0.0)
                        if self.memory(base, part).largest_batch() < 1:
                            self.pruned_memory += 1 + o.speculative
                            continue
                        yield base
                        if o.speculative:
                            yield Config(gpu=part.name, tp=tp, ep=ep, dp_attention=dp, format=f, weights=w,
                                         kv=base.kv, draft_tokens=o.draft_tokens, acceptance=o.acceptance)

    def part(self, c: Config) -> Accelerator:
        return next(p for p in self.parts if p.name == c.gpu)

    def memory(self, c: Config, part: Accelerator | None = None) -> MemoryModel:
        key = (c.gpu, c.tp, c.dp_attention, c.weights, c.kv)
        mm = self._mem.get(key)
        if mm is None:
            part = part or self.part(c)
            mm = self._mem[key] = MemoryModel(
                model=self.m, part=part, tp=c.tp, pp=1, weights=c.weights, kv=c.kv, activations=c.weights,
                context_len=self.p + self.out, prompt_len=self.p, block_size=DEFAULT_BLOCK,
                reserve_fraction=DEFAULT_RESERVE, params=self.params, dp_attention=c.dp_attention)
        return mm

    def evaluator(self, c: Config) -> Evaluator:
        key = (c.gpu, c.tp, c.ep, c.dp_attention, c.weights, c.kv)
        ev = self._ev.get(key)
        if ev is None:
            part = self.part(c)
            ev = self._ev[key] = _Evaluator(model=self.m, part=part, tp=c.tp, pp=1, weights=c.weights, kv=c.kv,
                                           activations=c.weights, expert_parallel=c.ep, dp_attention=c.dp_attention,
                                           eff=profile_for(part, self.efficiency))
        return ev

    def accepted(self, c: Config) -> float:
        return accepted_tokens(draft_tokens=c.draft_tokens, acceptance=c.acceptance) if c.draft_tokens else 1.0

    def tpot_bound(self, c: Config) -> float:
        """Ideal-roofline lower bound on TPOT at any batch: one step's weight bytes at the datasheet bandwidth
        (the evaluator's weights time at batch 1 times its η_memory), over the tokens a step yields."""
        ev = self.evaluator(c)
        s = self.p + 1
        return ev.decode(batch=1, s0=s, s1=s).weights * ev.eff.memory / self.accepted(c)

    def kv_bytes(self, c: Config, tokens: int) -> float:
        """KV cache of ``tokens`` positions of one request, all layers (what a prefill worker hands over)."""
        e = data_format(c.kv, field="kv").bytes_per_element
        return self.m.kv_elements_per_token_layer * self.m.n_layers * e * tokens

    def link(self, c: Config, gpus: int, choice: str) -> tuple[str, float]:
        """(which link, one-way bytes/s per GPU) for a transfer inside a group of ``gpus`` GPUs."""
        part = self.part(c)
        world = SCALE_UP_WORLD.get(part.name, 8)
        if part.interconnect is not None and (choice == "scale-up" or (choice == "auto" and gpus <= world)):
            return "scale-up", link_one_way(part)
        return "scale-out", SCALE_OUT.get(part.name, SCALE_OUT_DEFAULT)


def batch_grid(cap: int) -> list[int]:
    """The batches a curve is drawn at: powers of two up to the memory limit, and the limit itself."""
    out, b = [], 1
    while b < cap:
        out.append(b)
        b *= 2
    out.append(cap)
    return out


def prices_per_second(prices: Mapping[str, float] | None) -> dict[str, float]:
    """$/GPU-hour by GPU (names resolved) as $/GPU-second; a negative or non-number price is an error."""
    from ..hardware import resolve
    from ..core.validate import InputError

    if prices is None:
        return {}
    if not isinstance(prices, Mapping):
        raise validate.fail("prices", prices, "is not a table of prices; give {GPU name: dollars per GPU-hour}")
    out = {}
    for name, value in prices.items():
        try:
            part_name = resolve(name).name
        except InputError as err:
            raise InputError("prices", str(err)) from None
        out[part_name] = validate.number("prices", value, high=1e6, name=f"Price of {part_name}") / 3600
    return out


def per_million(price_per_second: float | None, tokens_per_second_per_gpu: float) -> float | None:
    """$ per million tokens: $/GPU-s ÷ tokens/s/GPU × 10⁶ (None without a price)."""
    if price_per_second is None or tokens_per_second_per_gpu <= 0:
        return None
    return price_per_second / tokens_per_second_per_gpu * 1e6
