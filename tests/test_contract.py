"""The library's error contract, proved by attack: every public function, every argument, any value.

The contract (issue 13): a public function of ``calc`` (everything in
``calc.__all__``, ``calc.web.widgets.call`` and ``python -m calc``) either
returns a result whose numbers are finite and not negative where a negative
means nothing, or raises :class:`calc.InputError` (a ``ValueError``) whose
message names the field by its label, quotes the value short, says what is
allowed and shows no Python internals.  Never another exception type, never
a hang.

Two kinds of evidence:

- the issue's own corpus (16 hostile values in every argument of every
  public function, plus an unknown keyword), run exactly as
  ``scripts/attack_library.py`` runs it: no broken outcome at all;
- property-based tests (hypothesis) that change several arguments at once
  to arbitrary values, including each field's bounds (where products of
  inputs would overflow if the bounds were too loose) and valid names, so
  the search also explores the valid space around the edges.

Runs are derandomized (the same examples every run, so CI cannot flake);
``HYPOTHESIS_PROFILE=explore`` runs many more, fresh examples.  The deadline
is generous: it exists to turn a hang into a failure, not to time anything.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calc
from calc.__main__ import main as cli_main
from calc.core import validate
from calc.web import widgets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import attack_library  # noqa: E402  (the corpus and the valid base calls live there, once)

settings.register_profile("ci", derandomize=True, database=None, deadline=timedelta(seconds=20),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("explore", max_examples=500, database=None, deadline=timedelta(seconds=20),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"

FUNCTIONS = attack_library.public_functions()

#: Text a message must never show: Python's own words.
INTERNALS = ("sys.set_int_max_str_digits", "Traceback", "NoneType", "object has no attribute", "unhashable",
             "<class ", "got an unexpected keyword", "positional argument", "not supported between", "int()",
             "float()", "cannot convert")


# ------------------------------------------------------------------ what a good answer is

def check_error(err: calc.InputError, changed: dict) -> None:
    """An InputError that a person can act on."""
    message = str(err)
    assert isinstance(err, ValueError) and isinstance(err.field, str), repr(err)
    assert message and "\n" not in message and len(message) < 1000, message
    own = message  # the message's own words: what the reader typed may say anything
    for value in changed.values():
        own = own.replace(validate.quote(value), "")
    assert not any(bad in own for bad in INTERNALS), message
    # The value is quoted short: a long text never comes back whole.
    for value in changed.values():
        if isinstance(value, str) and len(value) > 60:
            assert value[:60] not in message, message
    # The human label, not the code name, where the field has one (config.json keys are their own label).
    if err.field and validate.label(err.field) != err.field:
        assert f"{err.field}=" not in message, message
    assert not re.search(r"(?<![\d.,])1 (tokens|bytes|layers|requests|GPUs|heads)\b", message), message


def check_result(result: object) -> None:
    """Every number finite, and not negative, except where the result type says otherwise."""
    for key, x in attack_library.numbers(result):
        assert math.isfinite(x) or key in attack_library.INFINITE, (key, x)
        assert x >= 0 or key in attack_library.SIGNED or math.isnan(x), (key, x)


def run(fn, kwargs: dict) -> None:
    try:
        result = fn(**kwargs)
    except calc.InputError as err:
        check_error(err, kwargs)
        return
    check_result(result)


# ------------------------------------------------------------------ the issue's corpus, exactly

def test_issue_corpus_has_no_broken_outcome():
    counts = attack_library.attack(timeout=30.0, verbose=False)
    broken = {kind: n for kind, n in counts.items() if kind not in ("ok", "InputError")}
    assert broken == {}
    assert counts["InputError"] > 3500  # the corpus is mostly bad values: nearly all refused


def test_issue_corpus_on_the_command_line_is_one_line_each():
    counts = attack_library.attack_cli(verbose=False)
    assert set(counts) <= {"one-line error", "answer"}, counts
    assert counts["one-line error"] > 400


# ------------------------------------------------------------------ arbitrary values, several at once

HOSTILE = st.sampled_from(attack_library.BAD)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-330, max_value=330).map(lambda k: 10.0**k if k < 309 else 10**k),
)
NAMES = st.sampled_from(
    [m.name for m in calc.presets()[::3]] + [g.name for g in calc.catalog()[::2]]
    + ["fp32", "bf16", "fp16", "fp8", "int8", "int4", "16-bit", "prefill", "decode", "static", "continuous",
       "custom", "x" * 300, "<script>", "Llama-2-7B ", "a100"]
)
ANYTHING = st.one_of(
    HOSTILE, NUMBERS, NAMES, st.none(), st.booleans(), st.text(max_size=20), st.complex_numbers(),
    st.lists(st.one_of(st.integers(-5, 100), NAMES), max_size=4).map(tuple),
    st.dictionaries(NAMES, st.one_of(st.floats(), st.integers()), max_size=2),
)


def near_bounds(arg: str) -> st.SearchStrategy:
    """The field's own bounds and just past them: where loose bounds would let a product overflow."""
    spec = validate.FIELDS.get(arg)
    if spec is None or spec.high == math.inf:
        return st.nothing()
    low = spec.low if spec.low is not None else 1
    return st.sampled_from([spec.high, spec.high * 1.5, int(spec.high), low, low / 2, spec.high / 3])


def in_bounds(arg: str) -> st.SearchStrategy:
    """Any allowed value of a numeric field, spread over its orders of magnitude: the valid space, deep."""
    spec = validate.FIELDS.get(arg)
    if spec is None or spec.high == math.inf:
        return st.nothing()
    low = spec.low if spec.low is not None else 1e-3
    exponents = st.floats(math.log10(low), math.log10(spec.high))
    return st.one_of(exponents.map(lambda e: 10.0**e), exponents.map(lambda e: max(1, int(10.0**e))))


def changes(name: str) -> st.SearchStrategy:
    args = attack_library.arguments(name)
    if not args:
        return st.just({})
    arg = st.sampled_from(args)
    return st.dictionaries(arg, st.one_of(ANYTHING, arg.flatmap(near_bounds), arg.flatmap(in_bounds)),
                           min_size=1, max_size=min(4, len(args)))


#: Calls that take long at the edges (a search over every catalog GPU): fewer examples, same breadth.
SLOW = {"search_deployments": 8, "frontier": 10, "plan_slo": 10, "users_per_node": 20, "serving_range": 20, "serving_estimate": 20}


@pytest.mark.parametrize("name", sorted(n for n in FUNCTIONS if attack_library.arguments(n)))
def test_any_values_give_a_result_or_an_input_error(name):
    fn = FUNCTIONS[name]

    @settings(max_examples=500 if EXPLORE else SLOW.get(name, 40))
    @given(changed=changes(name))
    def attack(changed):
        run(fn, {**attack_library.BASE[name], **changed})

    attack()


# ------------------------------------------------------------------ config.json with hostile values

CONFIG_KEYS = sorted({k for n in ("Llama-2-7B", "Mixtral-8x7B", "DeepSeek-V2-Lite") for k in calc.hf_config_of(n)})


@settings(max_examples=150)
@given(preset=st.sampled_from(["Llama-2-7B", "Mixtral-8x7B", "DeepSeek-V2-Lite", "GPT-2"]),
       changed=st.dictionaries(st.sampled_from(CONFIG_KEYS), st.one_of(ANYTHING, st.sampled_from([1e30, 10**12, 0])),
                               max_size=4))
def test_config_json_with_any_values(preset, changed):
    try:
        config = {**calc.hf_config_of(preset), **changed}
    except calc.InputError:  # a preset without a config.json
        return
    try:
        model = calc.from_hf_config(config)
    except calc.InputError as err:
        check_error(err, changed)
        return
    run(calc.memory_plan, dict(model=model, gpu="H100-SXM5-80GB", batch=8, context_len=4096))
    run(calc.serving_estimate, dict(model=model, gpu="H100-SXM5-80GB", batch=8))


# ------------------------------------------------------------------ the widgets' single entry point

WIDGET_FIELDS = {name: [f.name for f in w.fields] for name, w in widgets.WIDGETS.items()}
RAW_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["1e308", "1e-320", "-1", "0", "nan", "inf", "1,5",
                                                            "10" * 200, "2**63", "1e-300", "0x10", " 7 "]), NAMES)


@settings(max_examples=120)
@given(data=st.data())
def test_widgets_answer_in_json_or_refuse_by_field(data):
    name = data.draw(st.sampled_from(sorted(widgets.WIDGETS)))
    raw = data.draw(st.dictionaries(st.sampled_from(WIDGET_FIELDS[name]), st.one_of(RAW_TEXT, ANYTHING), max_size=4))
    result = widgets.call(name, raw)
    json.dumps(result, allow_nan=False)  # the worker never receives inf or NaN
    if not result["ok"]:
        assert result["field"] in WIDGET_FIELDS[name], result
        check_error(calc.InputError(result["field"], result["message"]), raw)


def test_widget_deeply_nested_config_is_a_field_error():
    deep = "[" * 100_000 + "]" * 100_000
    result = widgets.call("anatomy", {"model": "pasted config.json", "config": deep})
    assert not result["ok"] and result["field"] == "config" and "nested too deeply" in result["message"]
    assert widgets.call("anatomy", {"model": "pasted config.json",
                                    "config": json.dumps(calc.hf_config_of("Llama-2-7B"))})["ok"]


@settings(max_examples=40)
@given(text=st.one_of(st.text(max_size=30), st.just("[" * 100_000), st.just('{"intensity": 1e999}')))
def test_widget_call_json_with_any_text(text):
    answer = json.loads(widgets.call_json("roofline", text))
    assert isinstance(answer, dict) and isinstance(answer["ok"], bool)
    json.dumps(answer, allow_nan=False)


@settings(max_examples=40)
@given(name=ANYTHING, raw=ANYTHING)
def test_widget_call_with_any_name_or_inputs(name, raw):
    try:
        result = widgets.call(name, raw)
    except calc.InputError as err:
        check_error(err, {"name": name, "raw": raw})
        return
    json.dumps(result, allow_nan=False)


# ------------------------------------------------------------------ the command line

CLI_WORDS = st.sampled_from(["roofline", "model", "plan", "--gpu", "--dtype", "--intensity", "--model", "--prompt",
                             "--output", "--batch", "--tp", "--pp", "--weights", "--kv", "--batching", "--users",
                             "--ttft-ms", "--tpot-ms", "--price", "--top", "--json", "--efficiency",
                             "frontier", "--min-interactivity", "--format", "--csv", "--acceptance",
                             "--kv-link", "--no-spec", "--no-disagg", "--requests-per-second"])


@settings(max_examples=60)
@given(argv=st.lists(st.one_of(CLI_WORDS, RAW_TEXT, NAMES), max_size=6),
       command=st.sampled_from(["roofline", "model", "plan", "frontier"]))
def test_cli_answers_or_says_one_line(argv, command):
    argv = [a for a in argv if a not in ("roofline", "model", "plan", "frontier")]
    if command in ("plan", "frontier"):  # one GPU given first (a later --gpu adds to it): the search stays short
        argv = ["--gpu", "A100-SXM4-80GB", *argv]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main([command, *argv])
        except SystemExit as exit_:  # argparse's usage errors and --help
            code = exit_.code
    assert code in (0, 1, 2), code
    text = err.getvalue()
    assert "Traceback" not in text
    if code:
        assert text.startswith("error: ") and text.count("\n") == 1, text
        assert len(text) < 1000 and not any(bad in text for bad in INTERNALS[:3]), text


def test_cli_error_quotes_a_huge_argument_short():
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["model", "--gpu", "x" * 100_000])
    assert code == 2
    # "GPU: 'xxx…' … (100,000 characters) is not in the catalog; …" on one short line.
    assert err.getvalue().count("\n") == 1 and len(err.getvalue()) < 300 and "(100,000 characters)" in err.getvalue()


# ------------------------------------------------------------------ the message itself

def test_message_names_label_value_and_bound():
    with pytest.raises(calc.InputError) as err:
        calc.kv_cache_per_token(n_layers=1e308, d_model=4096)
    assert err.value.field == "n_layers"
    assert str(err.value) == "Layers: 1e+308 is too large; give a whole number from 1 to 100,000"


def test_unknown_keyword_is_an_input_error_listing_the_inputs():
    with pytest.raises(calc.InputError) as err:
        calc.ridge_point(gpu="A100", bandwith=1e12)
    assert err.value.field == "bandwith"
    assert str(err.value) == "'bandwith' is not an input of ridge_point; its inputs: gpu, peak_flops, bandwidth, dtype"


def test_strings_and_flags_are_not_guessed():
    with pytest.raises(calc.InputError, match="^Gated MLP: 'abc' is not True or False"):
        calc.dense_decoder(hidden=4096, n_layers=2, n_heads=32, intermediate=11008, vocab=32000, gated_mlp="abc")
    with pytest.raises(calc.InputError, match="^Causal attention: 'abc' is not True or False"):
        calc.forward_operators(model="Llama-2-7B", causal="abc")
    with pytest.raises(calc.InputError, match=r"^Number format: \[\] is not text"):
        calc.ridge_point(gpu="A100", dtype=[])


def test_loops_are_capped():
    # Was a hang: a curve of 1e308 points.
    with pytest.raises(calc.InputError, match="^Curve points: 1e\\+308 is too large; give a whole number from 1 to 1,000$"):
        calc.serving_estimate(model="Llama-2-7B", gpu="A100", curve_points=1e308)


def test_a_result_that_would_overflow_names_the_input():
    # 2e300 FLOP over 1e-10 bytes is beyond float range: the field to change is the one that divides.
    with pytest.raises(calc.InputError) as err:
        calc.operational_intensity(flops=1e300, bytes_moved=1e-10)
    assert err.value.field == "bytes_moved" and "too large to compute" in str(err.value)


def test_nothing_fits_is_an_error_not_infinite_latency():
    # Was ttft = tpot = inf with batch 0: 810 GB of fp16 weights on one 24 GB L4.
    with pytest.raises(calc.InputError, match=r"^Model: 'Llama-3.1-405B' does not fit in one replica \(1 × L4\)") as err:
        calc.users_per_node(model="Llama-3.1-405B", gpu="L4", gpus_per_node=1)
    assert err.value.field == "model"


def test_quote_cuts_long_values():
    assert validate.quote("a" * 100_000).endswith("… (100,000 characters)")
    assert len(validate.quote("a" * 100_000)) < 70
    assert validate.quote(10**400) == "a whole number of 401 digits"
    assert validate.count(1, "tokens") == "1 token" and validate.count(2, "tokens") == "2 tokens"
