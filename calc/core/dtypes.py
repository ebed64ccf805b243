"""Number formats: bytes per element, quantization overhead, and which peak a format computes at.

One place for element sizes, so memory, traffic and the docs agree.  A
grouped-quantized format (int4 with group size ``g``) stores, besides the
packed values, one scale (and usually a packed zero point) per group of
``g`` weights, so its real size is ``bits/8 + (scale + zero) / g`` bytes per
weight — 0.5 B is a lower bound, not the size of an int4 checkpoint.

Weight-only formats (int4, and int8 or fp4 weights under 16-bit
activations) are dequantized inside the kernel and multiplied at the
activation dtype's rate; a matmul only runs at the fp8, int8 or fp4 peak
when *both* operands are in that format (W8A8, W4A4).
:func:`matmul_peak_dtype` writes that rule down once.

The 4-bit floating-point formats carry their block scales in the element
size: **NVFP4** (``"fp4"``) is an e2m1 value plus one fp8 (e4m3) scale per 16
values, ``0.5 + 1/16 = 0.5625`` B; **MXFP4** (``"mxfp4"``, OCP microscaling)
is an e2m1 value plus one 8-bit power-of-two scale per 32 values,
``0.5 + 1/32 = 0.53125`` B.  Both compute at the part's ``fp4`` peak.  fp8
checkpoints with block scales (DeepSeek's 128 × 128 weight blocks, one fp32
scale each) add 4/16,384 B per weight, which is below the precision of any
figure here and is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import validate
from .validate import InputError

#: Bytes per element of each storage format (int4 and fp4 pack two per byte).
BYTES: dict[str, float] = {
    "fp32": 4, "tf32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int4": 0.5, "fp4": 0.5, "mxfp4": 0.5,
}

#: Formats a pasted config or a form may name for weights, activations or the KV cache.
STORAGE: tuple[str, ...] = ("fp32", "bf16", "fp16", "fp8", "int8", "int4", "fp4", "mxfp4")

#: Formats whose real size depends on a group size (scale and zero point per group): weight-only integers.
GROUPED: frozenset[str] = frozenset({"int4", "int8"})

#: Microscaled 4-bit floats: (block of values sharing a scale, bytes of that scale) — NVFP4 and OCP MXFP4.
MICROSCALED: dict[str, tuple[int, float]] = {"fp4": (16, 1.0), "mxfp4": (32, 1.0)}

#: The datasheet peak each format computes at (both 4-bit floats use the part's fp4 tensor rate).
PEAK_OF: dict[str, str] = {"mxfp4": "fp4"}


#: Vector operations to turn one stored weight into a multiplicand inside a weight-only kernel (an estimate:
#: int4 unpack (shift and mask in one bit-logic op), convert, subtract the zero point, multiply by the scale;
#: int8 and fp8 convert +
#: scale; fp4 a table lookup + scale).  Counted at the part's fp32 (CUDA-core) rate; see ``dequant_ops``.
DEQUANT_OPS: dict[str, float] = {"int4": 4, "int8": 2, "fp8": 2, "fp4": 3, "mxfp4": 3}


def dequant_ops(*, weights: str, activations: str) -> float:
    """Vector ops per weight a matmul spends dequantising: 0 unless the weights are narrower than the
    activations they are multiplied with (a weight-only kernel: W4A16, W8A16, fp4 weights under bf16).

    >>> dequant_ops(weights="int4", activations="bf16"), dequant_ops(weights="fp8", activations="fp8")
    (4, 0)
    """
    if matmul_peak_dtype(weights=weights, activations=activations) == peak_key(weights):
        return 0
    return DEQUANT_OPS.get(weights, 0)


def peak_key(dtype: str) -> str:
    """The key of the part's peak table a format computes at: ``mxfp4`` → ``fp4``, others themselves."""
    return PEAK_OF.get(dtype, dtype)

#: Default group size of grouped formats (GPTQ and AWQ both default to 128).
DEFAULT_GROUP_SIZE = 128

#: Format of the hidden states that cross the links between GPUs.  vLLM, SGLang and TensorRT-LLM keep the
#: residual stream in the model's 16-bit dtype and all-reduce it (and send it between pipeline stages) in bf16
#: whatever format the weights and matmuls use: fp8 or fp4 quantizes a matmul's input inside the kernel, not
#: the tensor on the link.  Only an expert-parallel dispatch may travel quantized (DeepEP sends fp8).
COMM_DTYPE = "bf16"


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
    scale_bytes: float = 2,
    zero_point_bytes: float = 0.5,
) -> DataFormat:
    """Bytes per element of ``dtype``, with one fp16 scale (and, for int4, one packed zero) per group.

    ``group_size`` applies to the weight-only integer formats: int4 (default
    128, GPTQ/AWQ) and int8 (default: per channel, no group; with a group, one
    fp16 scale per group and no zero point).  The 4-bit floats carry their
    fixed block scales; other formats refuse a group size.

    >>> data_format("int4").bytes_per_element  # 0.5 + (2 + 0.5) / 128
    0.51953125
    >>> data_format("fp4").bytes_per_element, data_format("mxfp4").bytes_per_element  # 0.5 + 1/16, 0.5 + 1/32
    (0.5625, 0.53125)
    >>> data_format("bf16").bytes_per_element
    2
    """
    validate.text("field", field)
    if validate.text(field, dtype) not in STORAGE:
        raise validate.fail(field, dtype, f"is not a storage format; use one of: {', '.join(STORAGE)}")
    if dtype in MICROSCALED:
        if group_size is not None:
            raise validate.fail("group_size", group_size, f"does not apply: {dtype} has a fixed block of "
                                                          f"{MICROSCALED[dtype][0]}; leave it empty")
        block, scale = MICROSCALED[dtype]
        return DataFormat(dtype=dtype, group_size=block, scale_bytes=scale, zero_point_bytes=0,
                          bytes_per_element=BYTES[dtype] + scale / block)
    if dtype == "int8" and group_size is None:
        return DataFormat(dtype=dtype, group_size=None, scale_bytes=0, zero_point_bytes=0, bytes_per_element=1)
    if dtype not in GROUPED:
        if group_size is not None:
            raise validate.fail("group_size", group_size, f"only applies to int4 and int8 weights; leave it empty "
                                                          f"for {dtype}")
        return DataFormat(dtype=dtype, group_size=None, scale_bytes=0, zero_point_bytes=0,
                          bytes_per_element=BYTES[dtype])
    if dtype == "int8":
        zero_point_bytes = 0.0  # symmetric int8: a scale per group, no zero point
    g = validate.positive_int("group_size", DEFAULT_GROUP_SIZE if group_size is None else group_size)
    scale = validate.non_negative("scale_bytes", scale_bytes)
    zero = validate.non_negative("zero_point_bytes", zero_point_bytes)
    return DataFormat(dtype=dtype, group_size=g, scale_bytes=scale, zero_point_bytes=zero,
                      bytes_per_element=BYTES[dtype] + (scale + zero) / g)


def matmul_peak_dtype(*, weights: str, activations: str) -> str:
    """The peak a weight × activation matmul runs at.

    Both operands in fp8 (or int8) use that peak; int4 weights are
    dequantized to the activation dtype; fp32 activations use the fp32 rate
    (PyTorch does not use TF32 for matmuls by default).

    >>> matmul_peak_dtype(weights="int4", activations="bf16"), matmul_peak_dtype(weights="fp8", activations="fp8")
    ('bf16', 'fp8')
    >>> matmul_peak_dtype(weights="mxfp4", activations="mxfp4"), matmul_peak_dtype(weights="fp4", activations="fp8")
    ('fp4', 'fp8')
    """
    width = {"fp32": 4, "bf16": 3, "fp16": 3, "fp8": 2, "int8": 2, "fp4": 1, "mxfp4": 1}
    if validate.text("weights", weights) not in STORAGE:
        raise validate.fail("weights", weights, f"is not a storage format; use one of: {', '.join(STORAGE)}")
    if validate.text("activations", activations) not in width:
        raise validate.fail("activations", activations, f"is not a compute format; use one of: {', '.join(width)}")
    if weights == activations or weights == "int4":
        return peak_key(activations)
    # Mixed formats: the kernel upcasts the narrower operand to the wider one.
    return peak_key(weights if width[weights] > width[activations] else activations)
