"""The build-time shortcodes: values come from calc, and bad shortcodes stop the build."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import docs_hook  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("OI {{ calc: llama13b_forward().intensity | ,.2f }}", "OI 7,563.29"),
        ("{{ calc: llama13b_forward().flops | TFLOP:.2f }} TFLOP", "215.71 TFLOP"),
        ("{{calc:seed_batch_limit('LLaMA-65B').batch|.2f}}", "26.88"),
        ("{{ calc: ridge_point(gpu='V100-SXM2-16GB') }}", "138.889 FLOP/byte"),
        ("{{ calc: SEED_USERS | , }}", "10,000"),
        ("{{ calc: fc_4096_on_a100().bound_at[128] }}", "memory"),
        ("{{ calc: get_accelerator('A100-SXM4-80GB').peak('fp16') | TFLOP/s:.0f }}", "312"),
        ("{{ calc: seed_batch_limit('LLaMA-13B', 'int8').batch - seed_batch_limit('LLaMA-13B').batch | .2f }}", "6.15"),
    ],
)
def test_substitution(markdown, html):
    assert docs_hook.substitute(markdown, page="t.md") == html


@pytest.mark.parametrize(
    ("markdown", "reason"),
    [
        ("{{ calc: no_such_function() }}", "unknown name 'no_such_function'"),
        ("{{ calc: ridge_point(gpu='Z9000') }}", "is not in the catalog"),
        ("{{ calc: llama13b_forward().flops | furlong:.2f }}", "Unit: 'furlong' is not a known display unit"),
        ("{{ calc: llama13b_forward().__class__ }}", "private attribute"),
        ("{{ calc: [x for x in ()] }}", "ListComp is not allowed"),
        ("{{ calc: ridge_point( }}", "not an expression"),
        ("{{ calc-table: nope }}", "table='nope' is unknown"),
    ],
)
def test_bad_shortcodes_fail_with_page_and_reason(markdown, reason):
    with pytest.raises(PluginError) as err:
        docs_hook.substitute(markdown, page="page.md")
    assert "page.md" in str(err.value) and reason in str(err.value)


def test_gpu_table_has_every_catalog_part():
    import calc

    table = docs_hook.docs_tables.render("gpu_catalog")
    for part in calc.catalog():
        assert f"**{part.name}**" in table
    # Memory 16 GB, bandwidth 900 GB/s, ridge 125 / 0.9 = 138.9 FLOP/byte (NVIDIA V100 datasheet).
    assert "| **V100-SXM2-16GB** | 16 | 900 | 138.9 |" in table
