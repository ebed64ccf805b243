"""Serving-engine profiles: the achieved fractions of datasheet rates and the fixed costs the roofline does not see.

A roofline counts FLOPs and bytes.  A served step also pays costs that are
neither, and at small batch on a large MoE model they are most of the step
(a DeepSeek-R1 decode step at concurrency 1 on 8 × B300 takes about 7 ms,
while its bytes take about 1 ms at the datasheet bandwidth).  Each is one
named, global number per engine profile and its own line in a step's "why":

* ``step_overhead`` — once per step (prefill or decode): the scheduler,
  sampling, the host work between steps;
* ``layer_overhead`` — once per layer per step: kernel launches and the tails
  of the small kernels of a layer (norms, routing, quantisation of
  activations) that neither bytes nor FLOPs explain;
* ``moe_layer_overhead`` — once per MoE layer per step, on top of the
  per-layer cost: routing (router GEMM, top-k, token permutation and its
  inverse) and the grouped-GEMM launches of a MoE block are several more
  kernels than a dense MLP, each of them tiny at small batch;
* ``alpha`` — once per collective: the latency of an all-reduce or all-to-all
  (launch, synchronisation, hops), independent of its bytes;
* ``moe_tokens_half`` — the grouped MoE GEMM's efficiency as a function of the
  tokens per expert ``t``: ``t / (t + t½)``.  Equivalently each loaded expert
  costs ``t½`` rows of padding work (a tensor-core tile is 64–128 rows; a
  DeepSeek expert sees 29 of 922 prompt tokens on average), so a prefill of a
  fine-grained MoE runs far below the dense GEMM rate;
* ``request_overhead`` — once per request on the time to first token:
  admission, tokenisation and the first output's detokenisation and
  streaming, which a client-side TTFT contains and a step does not.

Two scheduler settings shape how long a new prompt waits to be admitted
(see :func:`calc.serving.estimate.serve_details`); they are launch flags of
the engine, not fitted:

* ``poll_interval`` — decode steps between the scheduler's checks for new
  requests (SGLang's ``--scheduler-recv-interval``, default 1: every step;
  its ``scheduler_recv_skipper.py`` counts one per decode step and polls
  at once after a prefill);
* ``dp_balance_timeout`` — with data-parallel attention, iterations a
  prompt may be held until every rank has one, so that no rank prefills
  while the others decode (TensorRT-LLM's ``attention_dp_config`` with
  ``enable_balance``, ``timeout_iters``; its tech blog "ADP Balance
  Strategy"); 0 turns it off.

The fractions ``compute``, ``memory`` and ``link`` scale the datasheet's
tensor peak, memory bandwidth and one-way link bandwidth.

Profiles: ``typical`` (the default), ``optimistic``, ``ideal`` (every cost 0,
every fraction 1: the pure roofline) and one per serving engine of the
public measurements (``sglang``, ``sglang-rocm``, ``trtllm``, ``atom``),
fitted by ``scripts/fit_engine.py`` on part of the data and checked on the
rest (the Validation page).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..core import validate
from ..core.units import MICROSECOND, MILLISECOND
from .parallel import DEFAULT_ALPHA


@dataclass(frozen=True, slots=True, kw_only=True)
class Efficiency:
    """Achieved fractions of the datasheet rates, and the fixed costs, shown with every result.

    Defaults ("typical") and their sources:

    * ``memory`` 0.75: gpt-fast on an A100-80GB streams Llama-2-7B weights at
      1,397 GB/s of 2,039 (0.69) end to end and measured about 1,700 GB/s
      (0.83) as the achievable peak (``measured-public.json``, m138); 0.75 sits
      between the two (the fit below keeps it).
    * ``compute`` 0.8, ``layer_overhead`` 29 µs, ``step_overhead`` 0 and
      ``request_overhead`` 5.6 ms: fitted by ``scripts/fit_engine.py`` on the
      fit half of ``measured.json`` (dense 7–70B models on A100, 28–80 layers,
      where per-layer and per-step costs can be told apart); large fp16 GEMMs
      reach 70–86 % of the dense peak there.
    * ``moe_layer_overhead`` 77 µs and ``moe_tokens_half`` 128: fitted on the
      fit part of all InferenceX DeepSeek-R1 points with the rest held (the
      dense data says nothing about MoE); t½ sits at its bound, one 128-row
      tensor-core tile per expert.
    * ``link`` 0.8: an assumption for NCCL ring bandwidth over NVLink against
      the one-way datasheet figure.
    * ``alpha`` 16 µs per collective: the source's 8 µs per hop, two hops.
    """

    name: str = "typical"
    compute: float = 0.8
    memory: float = 0.75
    link: float = 0.8
    alpha: float = DEFAULT_ALPHA
    layer_overhead: float = 29 * MICROSECOND
    moe_layer_overhead: float = 77 * MICROSECOND
    step_overhead: float = 0.0
    request_overhead: float = 5.6 * MILLISECOND
    moe_tokens_half: float = 128.0
    poll_interval: float = 1.0  # decode steps between checks for new requests (1: every step)
    dp_balance_timeout: float = 0.0  # iterations a prompt may wait for every DP-attention rank to have one

    def describe(self) -> str:
        return (f"{self.name}: η_compute {self.compute:g}, η_memory {self.memory:g}, η_link {self.link:g}, "
                f"α {self.alpha / MICROSECOND:g} µs per collective, {self.layer_overhead / MICROSECOND:g} µs per layer "
                f"(+ {self.moe_layer_overhead / MICROSECOND:g} µs per MoE layer), "
                f"{self.step_overhead / MICROSECOND:g} µs per step, {self.request_overhead / MILLISECOND:g} ms per request,"
                f" MoE GEMM half-efficiency at {self.moe_tokens_half:g} tokens per expert"
                + (f", new requests polled every {self.poll_interval:g} steps" if self.poll_interval != 1 else "")
                + (f", DP-attention prompts held up to {self.dp_balance_timeout:g} iterations for balance"
                   if self.dp_balance_timeout else ""))

    def moe_efficiency(self, tokens_per_expert: float) -> float:
        """Fraction of the compute rate a grouped MoE GEMM reaches with ``t`` tokens per expert: t / (t + t½).

        >>> Efficiency(moe_tokens_half=32).moe_efficiency(96)  # 96 / (96 + 32)
        0.75
        """
        if self.moe_tokens_half <= 0:
            return 1.0
        return tokens_per_expert / (tokens_per_expert + self.moe_tokens_half)


#: Names of the parameters a fit may move (everything but the name and the scheduler's launch settings).
PARAMETERS = tuple(f.name for f in fields(Efficiency) if f.name not in ("name", "poll_interval", "dp_balance_timeout"))

TYPICAL = Efficiency()
#: The best seen: gpt-fast's ~1,700 GB/s of 2,039 on A100 (m138 notes), 85 % of peak FLOPs, 90 % of link, no overhead.
OPTIMISTIC = Efficiency(name="optimistic", compute=0.85, memory=0.83, link=0.9, alpha=8 * MICROSECOND,
                        layer_overhead=0.0, moe_layer_overhead=0.0, request_overhead=0.0, moe_tokens_half=0.0)
#: The pure roofline: datasheet rates, nothing else.  Reproduces the bound exactly (tested).
IDEAL = Efficiency(name="ideal", compute=1.0, memory=1.0, link=1.0, alpha=0.0, layer_overhead=0.0,
                   moe_layer_overhead=0.0, step_overhead=0.0, request_overhead=0.0, moe_tokens_half=0.0)


# Serving-engine profiles: the default's per-step and per-layer costs (identified on dense models) and α, with
# η_compute, η_memory, the per-MoE-layer cost, the MoE GEMM half-efficiency and the per-request TTFT cost fitted
# by scripts/fit_engine.py on the fit part of each engine's InferenceX DeepSeek-R1 points (whole configurations
# held out; the Validation page shows both parts).  η_compute is the share of the datasheet fp8/fp4 peak the
# engine's DeepSeek-R1 prefill reaches after the MoE tile term: 12–35 %, far below a large dense GEMM.


def _engine(name: str, *, compute: float, memory: float, moe_layer_us: float, moe_tokens_half: float,
            request_ms: float) -> Efficiency:
    return Efficiency(name=name, compute=compute, memory=memory, link=TYPICAL.link, alpha=TYPICAL.alpha,
                      layer_overhead=TYPICAL.layer_overhead, moe_layer_overhead=moe_layer_us * MICROSECOND,
                      step_overhead=TYPICAL.step_overhead, request_overhead=request_ms * MILLISECOND,
                      moe_tokens_half=moe_tokens_half)


#: SGLang on NVIDIA (H200, B300), fp8.
SGLANG = _engine("sglang", compute=0.35, memory=0.83, moe_layer_us=67, moe_tokens_half=25, request_ms=55)
#: SGLang on AMD ROCm (MI300X), fp8: the same engine with ROCm kernels and RCCL, a different fixed cost.
SGLANG_ROCM = _engine("sglang-rocm", compute=0.12, memory=0.72, moe_layer_us=242, moe_tokens_half=37, request_ms=44)
#: TensorRT-LLM (PyTorch backend, trtllm-serve) on B200, NVFP4.
TRTLLM = _engine("trtllm", compute=0.20, memory=0.79, moe_layer_us=46, moe_tokens_half=85, request_ms=56)
#: AMD ATOM on MI355X, fp8.
ATOM = _engine("atom", compute=0.118, memory=0.86, moe_layer_us=82, moe_tokens_half=2, request_ms=7.2)

EFFICIENCIES = {"typical": TYPICAL, "optimistic": OPTIMISTIC, "ideal": IDEAL, "sglang": SGLANG,
                "sglang-rocm": SGLANG_ROCM, "trtllm": TRTLLM, "atom": ATOM}


def efficiency(*, name: str = "custom", compute: float | None = None, memory: float | None = None,
               link: float | None = None, alpha: float | None = None, layer_overhead: float | None = None,
               moe_layer_overhead: float | None = None, step_overhead: float | None = None,
               request_overhead: float | None = None, moe_tokens_half: float | None = None,
               poll_interval: float | None = None, dp_balance_timeout: float | None = None) -> Efficiency:
    """A checked :class:`Efficiency`: fractions in (0, 1], times in seconds ≥ 0.

    ``name`` of a profile (``typical``, ``ideal``, ``sglang``, …; see :data:`EFFICIENCIES`) starts from that
    profile, any other name from ``typical``; each value given replaces the profile's.

    >>> efficiency(name="sglang").moe_layer_overhead == EFFICIENCIES["sglang"].moe_layer_overhead
    True
    >>> efficiency(name="sglang", memory=0.8).memory, efficiency(memory=0.8).name
    (0.8, 'custom')
    >>> efficiency(memory=1.2)
    Traceback (most recent call last):
    ...
    calc.InputError: Memory efficiency: 1.2 is too large; give a number from 0.001 to 1
    """
    base = EFFICIENCIES.get(validate.text("name", name), TYPICAL)

    def pick(given: float | None, default: float) -> float:
        return default if given is None else given

    fractions = {}
    for key, value in (("compute", compute), ("memory", memory), ("link", link)):
        fractions[key] = validate.number(key, pick(value, getattr(base, key)), low=0.001, high=1.0,
                                         name=f"{key.capitalize()} efficiency")
    times = {key: validate.non_negative(key, pick(value, getattr(base, key))) for key, value in (
        ("alpha", alpha), ("layer_overhead", layer_overhead), ("moe_layer_overhead", moe_layer_overhead),
        ("step_overhead", step_overhead), ("request_overhead", request_overhead),
        ("moe_tokens_half", moe_tokens_half))}
    sched = {"poll_interval": validate.number("poll_interval", pick(poll_interval, base.poll_interval), low=1.0,
                                              high=1e4, name="Poll interval (steps)"),
             "dp_balance_timeout": validate.number("dp_balance_timeout", pick(dp_balance_timeout,
                                                                             base.dp_balance_timeout),
                                                   low=0.0, high=1e4, name="DP balance timeout (iterations)")}
    return Efficiency(name=name, **fractions, **times, **sched)
