"""Serving-engine efficiency profiles: the achieved fractions of datasheet rates and the fixed costs."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import validate
from ..core.units import MICROSECOND
from .parallel import DEFAULT_ALPHA


@dataclass(frozen=True, slots=True, kw_only=True)
class Efficiency:
    """Achieved fractions of the datasheet rates, and the fixed costs, shown with every result.

    Defaults ("typical") and their sources:

    * ``memory`` 0.75: gpt-fast on an A100-80GB streams Llama-2-7B weights at
      1,397 GB/s of 2,039 (0.69) end to end and measured about 1,700 GB/s
      (0.83) as the achievable peak (``measured-public.json``, m138); 0.75 sits
      between the two.
    * ``compute`` 0.7: large fp16/bf16 GEMMs commonly reach 70–80 % of the
      dense tensor peak; an assumption, checked on the Validation page against
      the prefill (TTFT) measurements.
    * ``link`` 0.8: an assumption for NCCL ring bandwidth over NVLink against
      the one-way datasheet figure.
    * ``alpha`` 16 µs per collective: the source's 8 µs per hop, two hops.
    * ``layer_overhead`` 8 µs per layer per step: kernel launches of a layer
      not hidden by CUDA graphs; an assumption, checked on the Validation page.
    """

    name: str = "typical"
    compute: float = 0.7
    memory: float = 0.75
    link: float = 0.8
    alpha: float = DEFAULT_ALPHA
    layer_overhead: float = 8 * MICROSECOND

    def describe(self) -> str:
        return (f"{self.name}: η_compute {self.compute:g}, η_memory {self.memory:g}, η_link {self.link:g}, "
                f"α {self.alpha / MICROSECOND:g} µs per collective, {self.layer_overhead / MICROSECOND:g} µs per layer")


TYPICAL = Efficiency()
#: The best seen: gpt-fast's ~1,700 GB/s of 2,039 on A100 (m138 notes), 85 % of peak FLOPs, 90 % of link, no overhead.
OPTIMISTIC = Efficiency(name="optimistic", compute=0.85, memory=0.83, link=0.9, alpha=8 * MICROSECOND,
                        layer_overhead=0.0)
EFFICIENCIES = {"typical": TYPICAL, "optimistic": OPTIMISTIC}


def efficiency(*, compute: float = TYPICAL.compute, memory: float = TYPICAL.memory, link: float = TYPICAL.link,
               alpha: float = TYPICAL.alpha, layer_overhead: float = TYPICAL.layer_overhead,
               name: str = "custom") -> Efficiency:
    """A checked :class:`Efficiency`: fractions in (0, 1], times in seconds ≥ 0.

    >>> efficiency(memory=1.2)
    Traceback (most recent call last):
    ...
    calc.InputError: Memory efficiency: 1.2 is too large; give a number from 0.001 to 1
    """
    fractions = {}
    for key, value in (("compute", compute), ("memory", memory), ("link", link)):
        fractions[key] = validate.number(key, value, low=0.001, high=1.0, name=f"{key.capitalize()} efficiency")
    return Efficiency(name=validate.text("name", name), **fractions, alpha=validate.non_negative("alpha", alpha),
                      layer_overhead=validate.non_negative("layer_overhead", layer_overhead))
