"""Accelerators: the catalog shipped in ``data/accelerators.json`` and custom parts.

An :class:`Accelerator` holds SI values (bytes, byte/s, FLOP/s).  Peaks are
dense tensor-core figures; vendors often headline the 2:4-sparsity number,
which is exactly twice the dense one, so the catalog stores the dense value
and keeps a flag saying whether the datasheet's headline was the sparse one.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Mapping

from .core import units, validate
from .core.validate import InputError

#: Datatypes a peak can be quoted for, in the order tables show them.
DTYPES: tuple[str, ...] = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4")


@dataclass(frozen=True, slots=True, kw_only=True)
class Interconnect:
    """GPU-to-GPU link as the vendor quotes it (``direction`` says which way)."""

    kind: str
    bandwidth: float  # byte/s
    direction: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Accelerator:
    """One accelerator: capacity, bandwidth, dense peaks per dtype, provenance."""

    name: str
    memory: float  # bytes, decimal GB from the datasheet x 1e9
    bandwidth: float  # byte/s
    peaks: Mapping[str, float] = field(default_factory=dict)  # FLOP/s (OP/s for int8), dense
    headline_is_sparse: bool = False
    interconnect: Interconnect | None = None
    vendor: str = ""
    cuda_cores: int | None = None
    source: str = "custom"
    confidence: str = ""
    notes: str = ""
    aliases: tuple[str, ...] = ()

    def peak(self, dtype: str = "fp16", *, sparse: bool = False) -> float:
        """Peak FLOP/s for ``dtype``; ``sparse=True`` gives the 2:4-sparsity rate (2x dense)."""
        have = ", ".join(self.peaks) or "none"
        if validate.text("dtype", dtype) not in self.peaks:
            raise validate.fail("dtype", dtype, f"has no peak for {self.name}; this part lists: {have}")
        if validate.flag("sparse", sparse) and not self.headline_is_sparse:
            raise validate.fail("sparse", sparse, f"is not possible: {self.name} has no 2:4 sparsity support")
        return self.peaks[dtype] * (2 if sparse else 1)


def custom_accelerator(
    *,
    name: str = "custom",
    peak_flops: float,
    bandwidth: float,
    memory: float = 0.0,
    dtype: str = "fp16",
    interconnect_bandwidth: float | None = None,
) -> Accelerator:
    """An accelerator from plain numbers (SI units), usable wherever a catalog part is.

    >>> gpu = custom_accelerator(peak_flops=312e12, bandwidth=1.5e12)
    >>> gpu.peak("fp16") / gpu.bandwidth
    208.0
    """
    link = None
    if interconnect_bandwidth is not None:
        link = Interconnect(
            kind="custom",
            bandwidth=validate.positive("interconnect_bandwidth", interconnect_bandwidth),
            direction="as given",
        )
    return Accelerator(
        name=validate.text("name", name),
        memory=validate.non_negative("memory", memory),
        bandwidth=validate.positive("bandwidth", bandwidth),
        peaks=MappingProxyType({validate.text("dtype", dtype): validate.positive("peak_flops", peak_flops)}),
        interconnect=link,
    )


def _from_row(row: dict) -> Accelerator:
    link = row.get("interconnect")
    return Accelerator(
        name=row["name"],
        aliases=tuple(row.get("aliases", ())),
        vendor=row["vendor"],
        memory=float(row["memory_GB"]) * units.GB,
        bandwidth=float(row["memory_bandwidth_GBps"]) * units.GB,
        peaks=MappingProxyType(
            {k: float(v) * units.TERA for k, v in row["dense_peak_TFLOPS"].items()}
        ),
        headline_is_sparse=bool(row["datasheet_headline_is_sparse"]),
        interconnect=Interconnect(
            kind=link["type"],
            bandwidth=float(link["bandwidth_GBps"]) * units.GB,
            direction=link["direction"],
        )
        if link
        else None,
        cuda_cores=row.get("cuda_cores"),
        source=row["source"],
        confidence=row["confidence"],
        notes=row.get("notes", ""),
    )


@cache
def catalog() -> tuple[Accelerator, ...]:
    """Every accelerator in the shipped data file, in file order."""
    text = resources.files("calc").joinpath("data/accelerators.json").read_text(encoding="utf-8")
    return tuple(_from_row(row) for row in json.loads(text)["accelerators"])


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@cache
def _index() -> dict[str, Accelerator]:
    index: dict[str, Accelerator] = {}
    for part in catalog():
        for key in (part.name, *part.aliases):
            index[_normalise(key)] = part
    return index


def get_accelerator(name: str) -> Accelerator:
    """Look a part up by name or alias, ignoring case, spaces and dashes.

    >>> get_accelerator("a100-sxm4-80gb").name
    'A100-SXM4-80GB'
    """
    if not isinstance(name, str):
        raise validate.fail("gpu", name, "is not text; give a catalog name such as 'A100-SXM4-80GB'")
    if not name.strip():
        raise validate.fail("gpu", name, "is empty; give a catalog name such as 'A100-SXM4-80GB'")
    found = _index().get(_normalise(name))
    if found is not None:
        return found
    names = [p.name for p in catalog()]
    close = difflib.get_close_matches(name[:validate.MAX_TEXT], names, n=4, cutoff=0.3)
    if close:
        raise validate.fail("gpu", name, f"is not in the catalog; did you mean: {', '.join(close)}?")
    raise validate.fail("gpu", name, f"is not in the catalog; it has {len(names)} parts, e.g. {', '.join(names[:4])}")


def variants(name: str) -> tuple[str, ...]:
    """The catalog parts a short name could mean, when it could mean more than one; else ``()``.

    A family name such as "a100" is an alias of one part but the prefix of two (40 and 80 GB); the CLI asks
    which instead of choosing silently.  A part's own full name is never ambiguous ("A10" is not "A100-…").

    >>> variants("h100"), variants("A10"), variants("H200")
    (('H100-SXM5-80GB', 'H100-PCIe-80GB'), (), ())
    """
    key = _normalise(name) if isinstance(name, str) else ""
    if not key or any(_normalise(p.name) == key for p in catalog()):
        return ()
    found = tuple(p.name for p in catalog() if _normalise(p.name).startswith(key))
    return found if len(found) > 1 else ()


def resolve(gpu: str | Accelerator) -> Accelerator:
    """Accept a catalog name or an :class:`Accelerator` (e.g. from :func:`custom_accelerator`)."""
    return gpu if isinstance(gpu, Accelerator) else get_accelerator(gpu)
