"""Number formats: bytes per element, quantization overhead, and which peak a format computes at.

One place for element sizes, so memory, traffic and the docs agree.  A
grouped-quantized format (int4 with group size ``g``) stores, besides the
packed values, one scale (and usually a packed zero point) per group of
``g`` weights, so its real size is ``bits/8 + (scale + zero) / g`` bytes per
weight — 0.5 B is a lower bound, not the size of an int4 checkpoint.

Weight-only formats (int4) are dequantized inside the kernel and multiplied
at the activation dtype's rate; a matmul only runs at the fp8 or int8 peak
when *both* operands are in that format (W8A8).  :func:`matmul_peak_dtype`
writes that rule down once.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import validate
from .validate import InputError

#: Bytes per element of each storage format (int4 and fp4 pack two per byte).
BYTES: dict[str, float] = {
    "fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5, "fp4": 0.5,
}

#: Formats a pasted config or a form may name for weights, activations or the KV cache.
STORAGE: tuple[str, ...] = ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "fp4")

#: Formats whose real size depends on a group size (scale and zero point per group).
GROUPED: frozenset[str] = frozenset({"int4", "fp4"})

#: Default group size of grouped formats (GPTQ and AWQ both default to 128).
DEFAULT_GROUP_SIZE = 128

#: Per grouped format: (default group size, scale bytes, zero-point bytes) per group.  int4 as GPTQ/AWQ
#: store it (fp16 scale, packed int4 zero, 128 weights); fp4 as NVFP4 (one fp8 E4M3 scale per 16 values,
#: symmetric: no zero point; its per-tensor fp32 scale is negligible).
GROUP_LAYOUT: dict[str, tuple[int, float, float]] = {"int4": (DEFAULT_GROUP_SIZE, 2, 0.5), "fp4": (16, 1, 0)}


@dataclass(frozen=True, slots=True, kw_only=True)
class DataFormat:
    """A storage format with its quantization overhead, in bytes per element."""

    dtype: str
    group_size: int | None  # None: one scale per tensor or channel, overhead negligible
    scale_bytes: float
    zero_point_bytes: float
    bytes_per_element: float

    def describe(self) -> str:
        """Short text such as ``int4 (g=128, 2 B scale + 0.5 B zero per group)``."""
        if self.group_size is None:
            return self.dtype
        return (f"{self.dtype} (g={self.group_size}, {self.scale_bytes:g} B scale"
                f" + {self.zero_point_bytes:g} B zero per group)")


def data_format(
    dtype: str,
    *,
    field: str = "dtype",
    group_size: int | None = None,
    scale_bytes: float | None = None,
    zero_point_bytes: float | None = None,
) -> DataFormat:
    """Bytes per element of ``dtype``, with its scales (and zero points) per group.

    ``group_size`` applies to grouped formats (int4, default 128 with an fp16
    scale and a packed int4 zero per group; fp4, default 16 with one fp8
    scale) and is refused for the others, whose per-channel or per-block
    scales are negligible.

    >>> data_format("int4").bytes_per_element  # 0.5 + (2 + 0.5) / 128
    0.51953125
    >>> data_format("fp4").bytes_per_element  # NVFP4: 0.5 + 1 / 16
    0.5625
    >>> data_format("bf16").bytes_per_element
    2
    """
    validate.text("field", field)
    if validate.text(field, dtype) not in STORAGE:
        raise validate.fail(field, dtype, f"is not a storage format; use one of: {', '.join(STORAGE)}")
    if dtype not in GROUPED:
        if group_size is not None:
            raise validate.fail("group_size", group_size, f"only applies to int4 and fp4; leave it empty for {dtype}")
        return DataFormat(dtype=dtype, group_size=None, scale_bytes=0, zero_point_bytes=0,
                          bytes_per_element=BYTES[dtype])
    default_group, default_scale, default_zero = GROUP_LAYOUT[dtype]
    g = validate.positive_int("group_size", default_group if group_size is None else group_size)
    scale = validate.non_negative("scale_bytes", default_scale if scale_bytes is None else scale_bytes)
    zero = validate.non_negative("zero_point_bytes", default_zero if zero_point_bytes is None else zero_point_bytes)
    return DataFormat(dtype=dtype, group_size=g, scale_bytes=scale, zero_point_bytes=zero,
                      bytes_per_element=BYTES[dtype] + (scale + zero) / g)


def matmul_peak_dtype(*, weights: str, activations: str) -> str:
    """The peak a weight × activation matmul runs at.

    Both operands in fp8 (or int8) use that peak; int4 weights are
    dequantized to the activation dtype; fp32 activations use the fp32 rate
    (PyTorch does not use TF32 for matmuls by default).

    >>> matmul_peak_dtype(weights="int4", activations="bf16"), matmul_peak_dtype(weights="fp8", activations="fp8")
    ('bf16', 'fp8')
    """
    width = {"fp32": 3, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "fp4": 0}
    if validate.text("weights", weights) not in STORAGE:
        raise validate.fail("weights", weights, f"is not a storage format; use one of: {', '.join(STORAGE)}")
    if validate.text("activations", activations) not in width:
        raise validate.fail("activations", activations, f"is not a compute format; use one of: {', '.join(width)}")
    if weights == activations or weights == "int4":
        return activations
    # Mixed formats: the kernel upcasts the narrower operand to the wider one.
    return weights if width[weights] > width[activations] else activations
