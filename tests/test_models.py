"""Parameter counts against the published checkpoint counts (shared/reference/models.json)."""

from __future__ import annotations

import pytest

import calc


@pytest.mark.parametrize(
    ("name", "exact"),
    [
        ("LLaMA-7B", 6_738_415_616),
        ("LLaMA-13B", 13_015_864_320),
        ("Llama-2-7B", 6_738_415_616),
        ("Llama-2-13B", 13_015_864_320),
        ("Llama-2-70B", 68_976_648_192),
        ("Mistral-7B", 7_241_732_096),
    ],
)
def test_exact_parameter_counts(name, exact):
    model = calc.get_model(name)
    assert model.parameter_count().value == exact
    assert model.exact_params == exact  # the data file agrees with the reference


@pytest.mark.parametrize(("name", "published"), [("LLaMA-33B", 32.5e9), ("LLaMA-65B", 65.2e9)])
def test_published_rounded_counts(name, published):
    # LLaMA paper Table 2 gives 32.5B and 65.2B; within 0.5 %.
    assert calc.get_model(name).parameter_count().value == pytest.approx(published, rel=0.005)


def test_unknown_model_lists_presets():
    with pytest.raises(ValueError, match=r"model='LLaMA-14B' is not a preset; did you mean: .*LLaMA-13B"):
        calc.get_model("LLaMA-14B")


def test_custom_decoder_checks_heads():
    with pytest.raises(ValueError, match="n_heads=32 must be a multiple of n_kv_heads=6"):
        calc.dense_decoder(hidden=4096, n_layers=2, n_heads=32, n_kv_heads=6, intermediate=11008, vocab=32000)
    with pytest.raises(ValueError, match="hidden=4100 is not divisible by n_heads=32"):
        calc.dense_decoder(hidden=4100, n_layers=2, n_heads=32, intermediate=11008, vocab=32000)


def test_custom_decoder_matches_preset():
    custom = calc.dense_decoder(hidden=5120, n_layers=40, n_heads=40, intermediate=13824, vocab=32000)
    assert custom.parameter_count().value == calc.get_model("LLaMA-13B").parameter_count().value
