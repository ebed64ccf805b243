"""Calculators in CPython: schemas, parsing, errors, and the numbers they show."""

from __future__ import annotations

import json

import pytest

import calc
from calc.source import examples as ex
from calc.web import widgets
from calc.web.forms import Field
from calc.web.render import Row, render_rows
from calc.core.units import GIB
from tests.conftest import assert_widget_rejects, shown_values


@pytest.mark.parametrize("name", list(widgets.WIDGETS))
def test_default_result_is_ok_and_json(name):
    result = widgets.call(name)
    assert result["ok"], result
    json.dumps(result)  # what the worker sends must serialise
    assert result["values"] and "<dl" in result["html"]


@pytest.mark.parametrize("name", list(widgets.WIDGETS))
def test_defaults_parse_and_fills_are_valid(name):
    widget = widgets.WIDGETS[name]
    names = {f.name for f in widget.fields}
    for f in widget.fields:
        assert f.parse(f.default) == f.default or f.parse(f.default) == float(f.default)
        for choice, filled in f.fills.items():
            assert choice in f.choices
            assert set(filled) <= names, (f.name, choice)
            for target, value in filled.items():
                next(g for g in widget.fields if g.name == target).parse(value)  # every fill is valid input


def test_llm_default_is_physics_with_prefill_and_decode():
    # Bytes moved, fp16 weights: the source's LLaMA-13B-sized model (4h MLP), 8 × 1,024-token prompts.
    values = widgets.call("llm_arithmetic")["values"]
    model = ex.seed_style_model()
    prefill = calc.forward_operators(model=model, phase="prefill", batch=8, seq_len=1024, weights="fp16",
                                     activations="fp16", kv="fp16")
    decode = calc.forward_operators(model=model, phase="decode", batch=8, seq_len=2048, weights="fp16",
                                    activations="fp16", kv="fp16")
    assert values["intensity"] == f"{prefill.intensity.value:,.1f}" == "1,208.9"
    assert values["decode_intensity"] == f"{decode.intensity.value:,.2f}" == "5.57"
    assert values["bound"] == "compute-bound" and values["decode_bound"] == "memory-bound"
    assert "7,563" not in str(values)


def test_llm_reproduce_the_source_switch():
    values = widgets.call("llm_arithmetic", {"arithmetic": "reproduce the source (7,563 arithmetic)"})["values"]
    assert values == {"flops": "215.71", "bytes": "28.52", "intensity": "7,563.29", "ridge": "153.0",
                      "bound": "compute-bound"}  # the source's printed 215.71 TFLOPs, 28.52 GB, 7563.29


def test_kv_defaults_show_115_7_and_exact_limit():
    values = widgets.call("kv_cache")["values"]
    assert values["source_batch"] == "115.70"  # the source's (256 - 24.6) / 2
    assert values["batch"] == f"{ex.exact_batch_limit('LLaMA-13B').limit.batch.value:,.2f}" == "148.32"
    assert values["nodes"] == "200"  # 10,000 users / 50


def test_kv_65b_shows_26_88_both_ways():
    spec = calc.get_model("LLaMA-65B")
    values = widgets.call("kv_cache", {"model": "LLaMA-65B", "n_layers": 80, "kv_width": 8192,
                                       "params_billion": spec.parameter_count().value / 1e9})["values"]
    assert values["source_batch"] == "26.88" and values["batch"] == "26.88"
    assert values["kv_request"] == f"{5 * GIB / GIB:.4f}"


def test_source_row_only_for_the_source_scenario():
    assert "source_batch" not in widgets.call("kv_cache", {"context_len": 4096})["values"]


def test_decode_default_matches_calc():
    # The default is the KV-aware step at the source's 2,048 tokens; its cache-free formula is shown beside it.
    values = widgets.call("decode_latency")["values"]
    assert values["latency"] == f"{ex.llama13b_step(batch=1).latency.value * 1e3:,.3f}" == "5.129"
    assert values["source"] == f"{ex.llama13b_decode(batch=1).latency.value * 1e3:,.3f}" == "4.896"
    assert values["weight_read"] == "3.616"  # 2 × 13.016e9 B / (8 × 900 GB/s): a read, not "compute"
    assert values["knee"] == "15.5" and values["limit"] == "148.3"


def test_decode_refuses_a_batch_that_does_not_fit():
    # (8 × 32 GiB − 26.03 GB) / 1.678 GB = 148.3 sequences of 2,048 tokens.
    r = widgets.call("decode_latency", {"batch": "256"})
    assert not r["ok"] and r["field"] == "batch"
    assert "does not fit" in r["message"] and "at most 148 sequences" in r["message"] and "2,048 tokens" in r["message"]
    assert widgets.call("decode_latency", {"batch": "148"})["ok"]
    assert widgets.call("decode_latency", {"batch": "256", "context_len": "512"})["ok"]


def test_roofline_linear_layer_kernel():
    values = widgets.call("roofline", {"kernel": "linear layer", "d_model": "4096", "batch": "128"})["values"]
    assert values["intensity"] == "120.47" and values["bound"] == "memory-bound"
    assert values["crossover"] == "165.4"  # B* on the A100 80GB, as on the LLM arithmetic page


def test_roofline_custom_hardware():
    values = widgets.call("roofline", {"gpu": "custom", "peak_tflops": "125", "bandwidth_gbps": "900",
                                       "intensity": "100"})["values"]
    assert values["ridge"] == "138.9" and values["bound"] == "memory-bound"


@pytest.mark.parametrize(
    ("name", "raw", "field", "text"),
    [
        ("roofline", {"intensity": ""}, "intensity", "Operational intensity is empty"),
        ("roofline", {"intensity": "-1"}, "intensity", "must be greater than 0"),
        ("roofline", {"intensity": "nan"}, "intensity", "is not finite"),
        ("roofline", {"gpu": "V100-SXM2-16GB", "dtype": "int8"}, "dtype", "has no peak for V100-SXM2-16GB"),
        ("roofline", {"gpu": "<script>"}, "gpu", "is not one of the choices"),
        ("decode_latency", {"batch": "2.5"}, "batch", "must be a whole number"),
        ("decode_latency", {"n_gpus": "0"}, "n_gpus", "must be at least 1"),
        ("kv_cache", {"context_len": "2000000"}, "context_len", "is more than the"),
        ("kv_cache", {"n_gpus": "1", "memory_per_gpu_gib": "16"}, "n_gpus", "do not fit"),
        ("kv_cache", {"bogus": "1"}, "bogus", "is not an input of this calculator"),
        ("llm_arithmetic", {"hidden": "1e400"}, "hidden", "is not finite"),
    ],
)
def test_bad_input_names_the_field(name, raw, field, text):
    result = widgets.call(name, raw)
    assert not result["ok"]
    assert result["field"] == field and text in result["message"]


def test_unknown_widget_is_an_input_error():
    with pytest.raises(calc.InputError, match="Calculator: 'nope' is not a calculator"):
        widgets.call("nope")


def test_call_json_round_trip_and_bad_json_shape():
    assert json.loads(widgets.call_json("roofline", '{"intensity": "10"}'))["values"]["bound"] == "memory-bound"
    assert json.loads(widgets.call_json("roofline", "[1, 2]"))["ok"] is False


def test_field_parse_accepts_thousands_separators():
    f = Field(name="users", label="Users", kind="integer", default=1, minimum=1)
    assert f.parse("10,000") == 10_000
    with pytest.raises(calc.InputError, match="must be a whole number"):
        f.parse("1.5")


def test_rendered_results_escape_text():
    html = render_rows((Row(label="<b>x</b>", value="1 & 2", substituted="<script>alert(1)</script>"),))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html and "1 &amp; 2" in html


def test_widget_markup_prerendered_in_page(site):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / "memory/index.html").read_text(encoding="utf-8"), "html.parser")
    widget = soup.select_one('.calc-widget[data-widget="kv_cache"]')
    values = shown_values(soup, "kv_cache")
    assert values["source_batch"] == "115.70 requests"
    assert values["batch"] == "148.32 requests"
    # The form was generated from the schema: one control per field, defaults filled in.
    names = [el["name"] for el in widget.select(".calc-form [name]")]
    assert names == [f.name for f in widgets.WIDGETS["kv_cache"].fields]
    assert widget.select_one('input[name="context_len"]')["value"] == "2048"


def test_choosing_a_preset_fills_its_sizes_unless_given():
    # LLaMA-65B alone: its 80 layers and 8192 width, exact parameters -> the 26.88 of the source.
    assert widgets.call("kv_cache", {"model": "LLaMA-65B"})["inputs"]["n_layers"] == 80
    assert widgets.call("kv_cache", {"model": "LLaMA-65B"})["values"]["batch"] == "26.88"
    # Explicit sizes win over the preset's.
    assert widgets.call("kv_cache", {"model": "LLaMA-65B", "n_layers": "40"})["inputs"]["n_layers"] == 40


def test_gqa_and_mla_presets_fill_the_cached_width():
    # Llama-2-70B: 8 kv heads x 128 = 1024 per K; DeepSeek-V3 MLA: (512 + 64) / 2 = 288 "per K or V".
    assert widgets.call("kv_cache", {"model": "Llama-2-70B"})["inputs"]["kv_width"] == 1024
    v3 = widgets.call("kv_cache", {"model": "DeepSeek-V3", "gpu": "H200-SXM-141GB", "weight_dtype": "fp8"})
    assert v3["values"]["kv_token"] == f"{calc.get_model('DeepSeek-V3').kv_bytes_per_token().value:,}"


def test_anatomy_default_matches_the_page_tables():
    values = widgets.call("anatomy")["values"]
    # Same inputs as calc.source.examples.anatomy("decode"): Llama-3-8B, batch 8, context 2048, H100 SXM, bf16.
    assert values["decode_ms"] == f"{ex.anatomy('decode').time.value * 1e3:,.3f}"
    # The prefill table under the widget is the same batch's prefill (it used batch 1 while the widget used 8).
    assert ex.ANATOMY_PREFILL["batch"] == ex.ANATOMY_DECODE["batch"] == 8
    assert values["prefill_ms"] == f"{ex.anatomy('prefill').time.value * 1e3:,.2f}"
    assert values["prefill_intensity"] == f"{ex.anatomy('prefill').forward.intensity.value:,.1f}"
    assert values["model"] == "Llama-3-8B"


def test_anatomy_pasted_config_equals_the_preset():
    from calc.model.config import hf_config_of

    pasted = widgets.call("anatomy", {"model": "pasted config.json", "config": json.dumps(hf_config_of("Mistral-7B"))})
    preset = widgets.call("anatomy", {"model": "Mistral-7B"})
    assert pasted["ok"] and preset["ok"]
    same = ("prefill_ms", "decode_ms", "weights_gb", "kv_gb")
    assert {k: pasted["values"][k] for k in same} == {k: preset["values"][k] for k in same}


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ("", "box is empty"),
        ("{oops", "not valid JSON: Expecting property name"),
        ("[1, 2]", "must be a JSON object"),
        ('{"model_type": "<b>x</b>"}', "is not a supported family"),
        ('{"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,'
         ' "num_key_value_heads": 6, "intermediate_size": 11008, "vocab_size": 32000}',
         "num_attention_heads=32 must be a multiple of num_key_value_heads=6"),
    ],
)
def test_anatomy_bad_config_is_reported_on_the_config_box(config, text):
    result = widgets.call("anatomy", {"model": "pasted config.json", "config": config})
    assert not result["ok"] and result["field"] == "config" and text in result["message"]


def test_text_field_length_limit():
    from calc.web.forms import MAX_TEXT

    result = widgets.call("anatomy", {"model": "pasted config.json", "config": " " * (MAX_TEXT + 1)})
    assert result["field"] == "config" and "the limit is" in result["message"]


def test_planner_pasted_config_and_prices():
    from calc.model.config import hf_config_of

    pasted = widgets.call("planner", {"model": "pasted config.json", "config": json.dumps(hf_config_of("Llama-2-13B")),
                                      "hardware": "A100-SXM4-80GB", "prices": "A100-SXM4-80GB=1.5"})
    preset = widgets.call("planner", {"hardware": "A100-SXM4-80GB"})  # default model is Llama-2-13B
    assert pasted["values"]["gpus"] == preset["values"]["gpus"]
    # Cost = GPUs x $1.5 per GPU-hour.
    assert pasted["values"]["cost"] == f"{int(preset['values']['gpus']) * 1.5:,.2f}"
    bad = widgets.call("planner", {"prices": "A100-SXM4-80GB=cheap"})
    assert bad["field"] == "prices" and "must be written GPU=price per GPU-hour" in bad["message"]


@pytest.mark.parametrize(
    ("name", "raw", "field", "text"),
    [
        # Beyond a plausible bound, refused before any arithmetic could overflow (hidden = 1e308 -> inf FLOPs).
        ("llm_arithmetic", {"hidden": "1e308"}, "hidden", "Hidden size h: '1e308' must be at most 1,000,000"),
        ("decode_latency", {"params_billion": "1e308"}, "params_billion", "must be at most 1,000,000 billion"),
        ("llm_arithmetic", {"hidden": "1e400"}, "hidden", "is not finite"),
        # 1e-320 GB/s would make the ridge point infinite (and the answer unreadable JSON).
        ("roofline", {"gpu": "custom", "bandwidth_gbps": "1e-320"}, "bandwidth_gbps",
         "Custom bandwidth: '1e-320' must be at least 1 GB/s"),
        # 1e-320 GiB per GPU would make every division overflow: below the 0.1 GiB bound.
        ("kv_cache", {"memory_per_gpu_gib": "1e-320"}, "memory_per_gpu_gib", "must be at least 0.1 GiB"),
        # A 40-model menu is not repeated in full: 8 names and the count.
        ("decode_latency", {"model": "abc"}, "model", "choices)"),
        # A 100,000-digit number in a pasted config (Python refuses to read one past 4,300 digits).
        ("anatomy", {"model": "pasted config.json", "config": '{"hidden_size": ' + "9" * 100_000 + "}"}, "config",
         "has a number of 100,000 digits"),
        # The matmuls run at the activations' dtype: V100 has no bf16 peak, so that is an Activations error.
        ("anatomy", {"gpu": "V100-SXM2-16GB"}, "activations", "Activations dtype: 'bf16' has no peak for V100"),
        # A decimal comma is refused rather than read as thousands: "1,5" is not 15.
        ("llm_arithmetic", {"batch": "1,5"}, "batch", "use '.' for decimals"),
    ],
)
def test_hostile_numbers_are_reported_on_their_field(name, raw, field, text):
    assert_widget_rejects(name, ((raw, field, text),))


def test_thousands_separator_still_accepted():
    assert widgets.call("llm_arithmetic", {"batch": "1,024"})["inputs"]["batch"] == 1024


@pytest.mark.parametrize(("name", "field"), [("roofline", "intensity"), ("planner", "prices"),
                                             ("anatomy", "config"), ("llm_arithmetic", "hidden")])
def test_a_long_input_is_quoted_short(name, field):
    # A 100 kB paste: the message quotes its first 40 characters and says how long it was.
    raw = {"model": "pasted config.json"} if name == "anatomy" else {}
    result = widgets.call(name, {**raw, field: "x" * 100_000})
    assert not result["ok"] and result["field"] == field
    assert len(result["message"]) < 400, result["message"]


def test_deeply_nested_config_is_refused_before_parsing():
    from calc.web.calculators.base import MAX_NESTING, nesting_depth

    deep = "[" * 100_000 + "]" * 100_000  # would exhaust a recursive parser's stack
    result = widgets.call("anatomy", {"model": "pasted config.json", "config": deep})
    assert result["field"] == "config" and f"more than {MAX_NESTING} levels" in result["message"]
    # Brackets inside strings do not count; a Hugging Face config nests 2 levels (rope_scaling).
    assert nesting_depth('{"a": "[[[[", "b": {"c": [1]}}') == 3


def test_results_are_strict_json():
    # Python's json writes Infinity and NaN, which the browser's JSON.parse refuses: never sent.
    assert widgets._finite({"a": [1.0, "2.5 ms"]}) and not widgets._finite({"a": [float("inf")]})
    assert not widgets._finite({"html": "inf ms"})
    json.loads(widgets.call_json("roofline", json.dumps({"gpu": "custom", "bandwidth_gbps": "1"})))


def test_moe_preset_says_all_experts_are_read_in_decode_latency():
    # DeepSeek-V3: 671B parameters, 37B active per token (published_active in calc/data/models.json, from its
    # technical report arXiv:2412.19437). The calculator's P must hold every expert (the memory check), so
    # the note says plainly that the step reads them all and what one sequence would read.
    v3 = calc.get_model("DeepSeek-V3").parameters()
    result = widgets.call("decode_latency", {"model": "DeepSeek-V3", "gpu": "H200-SXM-141GB", "n_gpus": "16"})
    assert result["ok"] and result["inputs"]["params_billion"] == pytest.approx(v3.total.value / 1e9)
    assert "P counts all its experts" in result["html"]
    assert f"{v3.active.value / 1e9:,.1f} billion active parameters" in result["html"]
    assert 36 < v3.active.value / 1e9 < 39 and v3.total.value > 600e9
    assert "mixture of experts" not in widgets.call("decode_latency")["html"]  # LLaMA-13B is dense


def test_a_former_input_name_fills_todays_field():
    # The planner's load was "users" before requests/s came (Field.formerly): an old link's value still counts,
    # and when a link carries both names the current one wins.
    today = widgets.call("planner", {"load": "500"})
    assert widgets.call("planner", {"users": "500"})["values"] == today["values"]
    assert widgets.call("planner", {"users": "7", "load": "500"})["values"] == today["values"]
    assert widgets.call("planner", {"users": "7"})["values"] != today["values"]  # 7 users need a different plan
