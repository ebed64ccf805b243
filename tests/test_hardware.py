"""Catalog figures against the datasheets recorded in shared/reference/accelerators.json."""

from __future__ import annotations

import math

import pytest

import calc
from calc.hardware import DTYPES

REQUIRED = [
    "V100-SXM2-16GB", "V100-SXM2-32GB", "A100-SXM4-40GB", "A100-SXM4-80GB", "H100-SXM5-80GB",
    "H100-PCIe-80GB", "H200-SXM-141GB", "L40S", "A10", "T4", "MI300X",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_parts_present_with_provenance(name):
    part = calc.get_accelerator(name)
    assert part.source.startswith(("http", "Intel")), part.source
    assert part.memory > 0 and part.bandwidth > 0
    assert "fp16" in part.peaks and "fp32" in part.peaks
    assert set(part.peaks) <= set(DTYPES)
    assert part.interconnect is not None and part.interconnect.bandwidth > 0


@pytest.mark.parametrize(
    ("name", "memory_gb", "bandwidth_gbps", "fp16_tflops", "sparse_headline"),
    [
        ("V100-SXM2-32GB", 32, 900, 125, False),  # V100 datasheet
        ("A100-SXM4-40GB", 40, 1555, 312, True),  # A100 datasheet: FP16 312 | 624*
        ("A100-SXM4-80GB", 80, 2039, 312, True),
        ("H100-SXM5-80GB", 80, 3350, 989.4, True),  # H100 datasheet: 1979* sparse
        ("H100-PCIe-80GB", 80, 2000, 756, True),
        ("H200-SXM-141GB", 141, 4800, 989.4, True),
        ("MI300X", 192, 5300, 1307.4, False),  # AMD lists dense separately
    ],
)
def test_datasheet_figures(name, memory_gb, bandwidth_gbps, fp16_tflops, sparse_headline):
    part = calc.get_accelerator(name)
    assert part.memory == memory_gb * 1e9
    assert part.bandwidth == bandwidth_gbps * 1e9
    assert part.peak("fp16") == pytest.approx(fp16_tflops * 1e12)
    assert part.headline_is_sparse is sparse_headline


def test_sparse_peak_is_twice_dense():
    part = calc.get_accelerator("H100-SXM5-80GB")
    assert part.peak("fp16", sparse=True) == pytest.approx(1978.8e12)


def test_sparse_peak_refused_without_sparsity():
    with pytest.raises(ValueError, match="has no 2:4 sparsity"):
        calc.get_accelerator("V100-SXM2-16GB").peak("fp16", sparse=True)


def test_missing_dtype_names_what_exists():
    with pytest.raises(ValueError, match=r"Number format: 'fp8' has no peak for V100-SXM2-16GB; this part lists: fp32, fp16"):
        calc.get_accelerator("V100-SXM2-16GB").peak("fp8")


@pytest.mark.parametrize(("alias", "name"), [("a100", "A100-SXM4-80GB"), ("H100 SXM", "H100-SXM5-80GB"),
                                             ("v100-32gb", "V100-SXM2-32GB"), ("h200", "H200-SXM-141GB")])
def test_lookup_by_alias_ignores_case_and_punctuation(alias, name):
    assert calc.get_accelerator(alias).name == name


def test_unknown_gpu_lists_close_names():
    with pytest.raises(ValueError) as err:
        calc.get_accelerator("H10O-SXM")
    message = str(err.value)
    assert "GPU: 'H10O-SXM' is not in the catalog" in message
    assert "H100-SXM5-80GB" in message


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_empty_gpu_name(bad):
    with pytest.raises(calc.InputError, match="is empty|is not text") as err:
        calc.get_accelerator(bad)
    assert err.value.field == "gpu"


def test_custom_accelerator_works_where_catalog_does():
    chip = calc.custom_accelerator(peak_flops=312e12, bandwidth=2039e9, memory=80e9,
                                   interconnect_bandwidth=600e9)
    assert calc.ridge_point(gpu=chip).value == calc.ridge_point(gpu="A100-SXM4-80GB").value
    small = calc.decode_latency_small_batch(params=13e9, n_gpus=8, n_layers=40, gpu=chip)
    assert small.weight_read.value == pytest.approx(2 * 13e9 / (8 * 2039e9))


@pytest.mark.parametrize(("field", "value"), [("peak_flops", 0), ("bandwidth", -1), ("bandwidth", math.nan),
                                              ("peak_flops", math.inf)])
def test_custom_accelerator_rejects_bad_numbers(field, value):
    kwargs = {"peak_flops": 1e12, "bandwidth": 1e9, field: value}
    with pytest.raises(calc.InputError, match=r"give a number from 1 to 1e\+(19 FLOP|16 B)/s") as err:
        calc.custom_accelerator(**kwargs)
    assert err.value.field == field


# The InferenceX benchmark's hardware table (shared/reference/inferencex-public.json, "hardware"):
# usable memory GB, HBM TB/s, dense fp4 / fp8 / bf16 TFLOPS, scale-up GB/s per GPU each way.
INFERENCEX_PARTS = {
    "B300": (268, 8.0, 13500, 4500, 2250, 900),
    "GB200": (186, 8.0, 10000, 5000, 2500, 900),
    "GB300": (278, 8.0, 15000, 5000, 2500, 900),
    "MI355X": (288, 8.0, 10066, 5033, 2516, 538),
}


@pytest.mark.parametrize("name", sorted(INFERENCEX_PARTS))
def test_2025_parts_match_the_inferencex_table(name):
    memory_gb, tbps, fp4, fp8, bf16, link_each_way = INFERENCEX_PARTS[name]
    part = calc.get_accelerator(name)
    assert part.memory == memory_gb * 1e9
    assert part.bandwidth == tbps * 1e12
    assert [part.peak(d) / 1e12 for d in ("fp4", "fp8", "bf16")] == [fp4, fp8, bf16]
    assert part.interconnect.bandwidth == 2 * link_each_way * 1e9  # stored as the bidirectional total
    assert "bidirectional" in part.interconnect.direction
    assert "fp32" in part.peaks  # every part has a vector rate for norms, softmax and activations
