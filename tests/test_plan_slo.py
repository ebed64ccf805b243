"""The SLO search over the 2026 space (calc.serving.slo.plan_slo): users or requests/s, the winner explained, the
page's cache and warm state, the command line, and the fitted profile a GPU without a measured engine takes."""

from __future__ import annotations

import contextlib
import io
import math
import pickle

import pytest

from calc.__main__ import main as cli_main
from calc.core.validate import InputError
from calc.hardware import catalog, resolve
from calc.serving.disagg import aggregated
from calc.serving.efficiency import EFFICIENCIES
from calc.serving.slo import front, plan_slo
from calc.serving.space import Config, Space, check_options, engine_profile
from calc.web import widgets
from calc.web.calculators import planner

#: Llama-2-7B, 512 + 256 tokens, on one H100 and one B200: small enough to search in a fraction of a second.
KW = dict(model="Llama-2-7B", prompt_len=512, output_len=256, ttft_slo=1.0, tpot_slo=0.03,
          gpus=("H100-SXM5-80GB", "B200"))


@pytest.fixture(scope="module")
def by_users():
    return plan_slo(users=2000, prices={"H100-SXM5-80GB": 2.5, "B200": 5.0}, **KW)


def test_every_plan_meets_the_slo_and_serves_the_load(by_users):
    assert by_users.plans and by_users.winner is by_users.plans[0]
    for p in by_users.plans:
        q = p.point
        assert q.tpot <= 0.03 and q.ttft <= 1.0
        assert p.groups * q.batch * q.decode_workers >= 2000  # every user holds a slot
        assert p.gpus == p.groups * q.gpus
    assert [p.gpus for p in by_users.plans] == sorted(p.gpus for p in by_users.plans)
    # The chart's front: no plan on it is beaten on both GPUs and TPOT by another plan.
    for a in front(by_users.plans):
        assert not any(b.gpus <= a.gpus and b.point.tpot < a.point.tpot for b in by_users.plans if b is not a)


def test_little_law_links_users_and_rate(by_users):
    w = by_users.winner
    # Closed loop of N users, each W = TTFT + (o − 1)·TPOT in the system: λ = N / W.
    assert w.e2e == pytest.approx(w.point.ttft + 255 * w.point.tpot, rel=1e-12)
    assert w.requests_per_second == pytest.approx(2000 / w.e2e, rel=1e-12)
    lam = 40.0
    r = plan_slo(requests_per_second=lam, **KW)
    v = r.winner
    assert v.users == math.ceil(lam * v.e2e)  # N = λ · W requests in flight
    assert v.groups * v.point.requests_per_second >= lam
    assert "Little's law" in r.reason


def test_cost_per_million_tokens_by_hand(by_users):
    w = by_users.winner
    price = {"H100-SXM5-80GB": 2.5, "B200": 5.0}[w.point.gpu]
    assert w.cost_per_hour == pytest.approx(price * w.gpus)
    # $/h ÷ 3600 ÷ (requests/s × output tokens) × 10⁶.
    assert w.cost_per_m_output == pytest.approx(price * w.gpus / 3600 / (w.requests_per_second * 256) * 1e6)
    assert w.cost_per_m_total == pytest.approx(price * w.gpus / 3600 / (w.requests_per_second * 768) * 1e6)


def test_the_winner_is_explained(by_users):
    r = by_users
    q = r.winner.point
    # The breakdown is the winner's own decode step: parts sum to the step, and TPOT is it over the accepted tokens
    # (aggregated: plus its share of the interleaved prefills, so TPOT is at least the step alone).
    assert r.decode.total.value == pytest.approx(r.decode.parts.total, rel=1e-12)
    accepted = (1 - 0.7 ** (q.config.draft_tokens + 1)) / (1 - 0.7) if q.config.draft_tokens else 1.0
    if q.mode == "disaggregated":
        assert q.tpot == pytest.approx(r.decode.total.value / accepted, rel=1e-9)
    else:
        assert q.tpot >= r.decode.total.value / accepted * (1 - 1e-9)
    assert 0 < r.memory.used <= r.memory.capacity
    assert r.prefill.total.value > 0
    assert r.runner_up is not None and r.runner_up is not r.winner and r.why in r.reason


def test_validation_flag_follows_the_data():
    # B200 fp4 and H200 fp8 have InferenceX points; GB300 (and any disaggregated group) has none.
    gb300 = plan_slo(users=500, formats=("fp4",), disaggregated=False, model="Llama-2-7B", gpus=("GB300",))
    assert gb300.winner.validated is False
    b200 = plan_slo(users=500, formats=("fp4",), disaggregated=False, model="Llama-2-7B", gpus=("B200",))
    assert b200.winner.validated is True


def test_an_option_never_makes_the_plan_worse():
    base = dict(users=3000, **KW)
    for option in ("speculative", "disaggregated", "expert_parallel", "dp_attention"):
        off = plan_slo(**base, **{option: False}).winner
        on = plan_slo(**base).winner
        assert on.gpus <= off.gpus, option


def test_the_cache_changes_nothing_but_the_work():
    cache: dict = {}
    first = plan_slo(users=2000, cache=cache, **KW)
    assert len(cache) == 1
    again = plan_slo(requests_per_second=30.0, prices={"B200": 4.0}, cache=cache, **KW)  # load and prices: a hit
    assert len(cache) == 1
    assert first == plan_slo(users=2000, **KW)
    assert again == plan_slo(requests_per_second=30.0, prices={"B200": 4.0}, **KW)
    plan_slo(users=2000, cache=cache, **{**KW, "tpot_slo": 0.04})  # another SLO: another entry
    assert len(cache) == 2


@pytest.mark.parametrize(("kw", "field", "text"), [
    (dict(users=10, requests_per_second=1.0), "users", "not both"),
    (dict(), "users", "not neither"),
    (dict(requests_per_second=-3.0), "requests_per_second", "Requests per second"),
    (dict(users=10, prices={"B200": -1.0}), "prices", "Price of B200"),
    (dict(users=10, acceptance=1.5), "acceptance", "Acceptance rate"),
    (dict(users=10, formats=("fp4",), gpus=("A100-SXM4-80GB",)), "formats", "no fp4 peak"),
    (dict(users=10, tpot_slo=1e-4), "tpot_slo", "no configuration"),
    (dict(users=10, ttft_slo=1e-4, tpot_slo=0.05), "ttft_slo", "no configuration"),
])
def test_bad_input_names_its_field(kw, field, text):
    args = {**KW, "tpot_slo": 0.03, **kw}
    with pytest.raises(InputError) as err:
        plan_slo(**args)
    assert err.value.field == field and text in str(err.value)


# ------------------------------------------------------------------ the command line

def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_cli_plans_by_rate_and_by_users():
    code, out, _ = _cli("plan", "--gpu", "B200", "--requests-per-second", "20", "--price", "B200=5", "--top", "3")
    assert code == 0 and "Little's law: 20 requests/s" in out and "per million output tokens" in out
    assert "Decode step (ms): compute" in out
    code, out, _ = _cli("plan", "--gpu", "GB200", "--users", "500", "--format", "fp4")
    assert code == 0 and "Not validated: no validation point covers GB200 fp4" in out


@pytest.mark.parametrize(("argv", "text"), [
    (("--users", "10", "--requests-per-second", "2"), "error: Load: give --users N or --requests-per-second X"),
    ((), "error: Load: give --users N or --requests-per-second X"),
    (("--users", "10", "--price", "B200=-1"), "error: Price: -1.0 is too small"),
    (("--users", "10", "--acceptance", "1.5"), "error: Acceptance rate: 1.5 is too large"),
    (("--users", "10", "--gpu", "A100-SXM4-80GB", "--format", "fp4"), "error: Formats: 'fp4' is not computed by"),
    (("--requests-per-second", "-3"), "error: Requests per second: -3.0 is too small"),
])
def test_cli_bad_input_is_one_line(argv, text):
    code, out, err = _cli("plan", "--gpu", "B200", *argv) if "--gpu" not in argv else _cli("plan", *argv)
    assert code == 2 and out == "" and err.startswith(text) and err.count("\n") == 1, err


# ------------------------------------------------------------------ the page

def test_page_plans_by_rate_with_little_law():
    r = widgets.call("planner", {"load_kind": "requests per second", "load": "20", "hardware": "B200",
                                 "prices": "B200=5"})
    assert r["ok"], r
    v = r["values"]
    direct = plan_slo(model="Llama-2-13B", requests_per_second=20, prompt_len=512, output_len=256, ttft_slo=1.0,
                      tpot_slo=0.05, gpus=("B200",), prices={"B200": 5.0})
    assert v["gpus"] == f"{direct.winner.gpus:,}" and v["in_flight"] == f"{direct.winner.users:,}"
    assert v["cost_output"] == f"{direct.winner.cost_per_m_output:,.3f}"
    assert "N = λ · W" in r["html"]


@pytest.mark.parametrize(("raw", "field", "text"), [
    ({"load": "10000.5"}, "load", "Load: 10000.5 is not a whole number"),
    ({"formats": "fp4", "hardware": "A100-SXM4-80GB"}, "formats", "no fp4 peak"),
    ({"prices": "B200=-1"}, "prices", "too small"),
    ({"acceptance": "1.5"}, "acceptance", "at most 1"),
    ({"tpot_ms": "0.01"}, "tpot_ms", "no configuration"),
])
def test_page_bad_input_is_on_its_field(raw, field, text):
    r = widgets.call("planner", {"hardware": "B200", **raw})
    assert not r["ok"] and r["field"] == field and text in r["message"], r


def test_page_fp4_over_the_catalog_searches_the_gpus_that_compute_it():
    r = planner.default_plan()  # the defaults: every catalog GPU, each in its own formats
    assert {p.point.gpu for p in r.plans} - {p.name for p in catalog() if "fp4" in p.peaks}  # others take part
    fp4 = widgets.call("planner", {"formats": "fp4"})
    assert fp4["ok"] and any(g in fp4["values"]["winner"] for g in ("B200", "B300", "GB200", "GB300", "MI355X"))


def test_warm_state_gives_the_same_plan():
    planner._SEARCH_CACHE.clear()
    fresh = widgets.call("planner")
    state = planner.warm_state()
    planner._SEARCH_CACHE.clear()
    planner._SEARCH_CACHE.update(pickle.loads(state))
    assert len(planner._SEARCH_CACHE) == 1
    assert widgets.call("planner") == fresh


# ------------------------------------------------------------------ the fitted profile of a GPU without one

def test_engine_profile_rule():
    name = {p.name: engine_profile(p) for p in catalog()}
    # Measured: its own engine.  Same die: the measured sibling's.  A100: `typical`, fitted on A100 data.
    assert name["B200"] == name["GB200"] == "trtllm" and name["B300"] == name["GB300"] == "sglang"
    assert name["H100-SXM5-80GB"] == name["H100-PCIe-80GB"] == name["H200-SXM-141GB"] == "sglang"
    assert name["MI325X"] == name["MI300X"] == "sglang-rocm" and name["A100-SXM4-80GB"] == "typical"
    # Neither: the NVIDIA engine with the lowest η_memory (TensorRT-LLM 0.79 against SGLang 0.91).
    assert name["L40S"] == name["V100-SXM2-32GB"] == "trtllm"
    assert EFFICIENCIES["trtllm"].memory < EFFICIENCIES["sglang"].memory
    assert "typical" not in {name[g] for g in ("GB200", "GB300", "H100-SXM5-80GB", "MI325X", "L40S")}


@pytest.mark.parametrize("batch", [8, 64, 512])
def test_gb200_is_a_b200_with_its_own_peak(batch):
    """GB200 and B200 are the same Blackwell die: 8 TB/s each and an fp4 peak of 10 against 9 PFLOP/s (catalog).
    With the same fitted profile, at the same configuration and batch, the GB200 can gain at most what its peak
    explains: memory and fixed costs are equal, compute time shrinks by at most 9/10, so its throughput per GPU is
    at least the B200's and at most 10/9 = 1.111 of it (before this rule the GB200 took `typical`, whose η_compute
    0.8 against TensorRT-LLM's 0.18 gave it about twice the B200's TTFT speed)."""
    parts = [resolve("B200"), resolve("GB200")]
    assert parts[0].bandwidth == parts[1].bandwidth
    peak = parts[1].peaks["fp4"] / parts[0].peaks["fp4"]
    assert peak == pytest.approx(10 / 9)
    opts = check_options(parts=parts, formats=("fp4",), kv_formats=("fp8",), tp_sizes=(8,), expert_parallel=True,
                         dp_attention=True, speculative=False, draft_tokens=3, acceptance=0.7, draft_layers=1)
    from calc.serving.profile import resolve_model

    space = Space(model=resolve_model("DeepSeek-V3"), parts=parts, options=opts, prompt_len=1024, output_len=1024,
                  efficiency="engine")
    pts = {g: aggregated(space, Config(gpu=g, tp=8, ep=True, dp_attention=False, format="fp4", weights="fp4",
                                       kv="fp8", draft_tokens=0, acceptance=0.0), batch) for g in ("B200", "GB200")}
    ratio = pts["GB200"].throughput_per_gpu / pts["B200"].throughput_per_gpu
    assert 1.0 <= ratio <= peak * (1 + 1e-9)
    assert pts["B200"].ttft / pts["GB200"].ttft <= peak * (1 + 1e-9)


# ------------------------------------------------------------------ wide expert parallelism on NVL72 parts

def test_wide_ep_only_inside_an_nvl72_domain():
    from calc.serving.profile import resolve_model

    parts = [resolve("GB200"), resolve("B200")]

    def splits(model, wide):
        opts = check_options(parts=parts, formats=("fp4",), kv_formats=("fp8",), tp_sizes=(1, 2, 4, 8),
                             expert_parallel=True, dp_attention=True, speculative=False, draft_tokens=3,
                             acceptance=0.7, draft_layers=1, wide_ep=wide)
        space = Space(model=resolve_model(model), parts=parts, options=opts, prompt_len=1024, output_len=1024,
                      efficiency="engine")
        return {(c.gpu, c.tp, c.parallel) for c in space.configs()}

    wide = {x for x in splits("DeepSeek-V3", True) if x[1] > 8}
    # DEP over 16, 32 and 64 of GB200's 72 NVLink-connected GPUs (256 experts: 16, 8 and 4 per GPU); none on B200,
    # whose NVLink domain is its node of 8; none for a dense model or with the option off.
    assert wide == {("GB200", 16, "DEP16"), ("GB200", 32, "DEP32"), ("GB200", 64, "DEP64")}
    assert not {x for x in splits("DeepSeek-V3", False) if x[1] > 8}
    assert not {x for x in splits("Llama-2-70B", True) if x[1] > 8}
    # An option added to the space never makes the best point worse; it is off unless asked for.
    from calc.serving.frontier import frontier

    with_wide = frontier(model="DeepSeek-V3", gpus=("GB200",), min_interactivity=50, wide_ep=True)
    without = frontier(model="DeepSeek-V3", gpus=("GB200",), min_interactivity=50)
    assert with_wide.best.throughput_per_gpu >= without.best.throughput_per_gpu
    assert max(q.config.tp for c in without.curves for q in c.points) <= 8
    assert max(q.config.tp for c in with_wide.curves for q in c.points) > 8
