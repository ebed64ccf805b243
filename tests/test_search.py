"""Users per node, nodes for N users, the deployment search and the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from calc.source import examples
from calc.serving.capacity import memory_plan
from calc.source.planner import nodes_for_users
from calc.serving.search import nodes_for, pareto_front, search_deployments, users_per_node
from calc.serving.estimate import serving_estimate
from calc.core.validate import InputError


def test_source_scenario_gives_200_nodes_and_ours_fewer():
    # The source: 10,000 users / about 50 requests per node (DeepSpeed, measured) = 200 nodes.
    assert nodes_for_users(users=examples.SEED_USERS, requests_per_node=examples.SEED_MEASURED_REQUESTS_PER_NODE).value == 200
    ours = users_per_node(model="LLaMA-13B", gpu="V100-SXM2-32GB", prompt_len=512, output_len=1536)
    assert ours.batch == 121 and ours.limited_by == "memory"  # paged KV, 10 % reserve, decimal 32 GB cards
    assert nodes_for(users=10_000, per_node=ours.batch).value == 83  # ⌈10,000 / 121⌉
    slo = users_per_node(model="LLaMA-13B", gpu="V100-SXM2-32GB", prompt_len=512, output_len=1536, tpot_slo=0.03)
    assert 0 < slo.batch < ours.batch and slo.limited_by == "TPOT" and slo.tpot <= 0.03


def test_search_results_are_feasible_and_ranked():
    r = search_deployments(model="Llama-2-13B", users=2000, gpus=("A100-SXM4-80GB", "L40S", "H100-SXM5-80GB"),
                           ttft_slo=1.0, tpot_slo=0.05, prices={"A100-SXM4-80GB": 1.5, "H100-SXM5-80GB": 3.0})
    assert r.winner is not None and r.deployments[0] == r.winner
    keys = [(d.gpus, d.cost_per_hour if d.cost_per_hour is not None else math.inf) for d in r.deployments]
    assert keys == sorted(keys)
    assert any(d.tp * d.pp == d.gpus_per_node for d in r.deployments)  # TP × PP = node size considered
    assert any(d.replicas_per_node > 1 for d in r.deployments)
    for d in r.deployments[:40]:
        assert d.tpot <= 0.05 and d.ttft <= 1.0 and d.users_per_node * d.nodes >= 2000
        w = None if d.weights == "16-bit" else d.weights
        kv = None if d.kv == "16-bit" else d.kv
        # Never reported feasible unless it fits (checked independently with memory_plan).
        plan = memory_plan(model="Llama-2-13B", gpu=d.gpu, tp=d.tp, pp=d.pp, batch=d.batch, context_len=512 + 256,
                           prompt_len=512, weights=w, kv=kv)
        assert plan.fits, d.label()
        # Its latency is what serving_estimate says for that batch.
        est = serving_estimate(model="Llama-2-13B", gpu=d.gpu, tp=d.tp, pp=d.pp, batch=d.batch, weights=w, kv=kv)
        assert est.tpot.value == pytest.approx(d.tpot)
    front = r.front
    for f in front:
        assert not any(o.gpus <= f.gpus and o.tpot <= f.tpot and o.throughput_per_gpu >= f.throughput_per_gpu
                       and (o.gpus, o.tpot, o.throughput_per_gpu) != (f.gpus, f.tpot, f.throughput_per_gpu)
                       for o in r.deployments)
    assert "GPUs" in r.reason and r.winner.gpu in r.reason


def test_model_that_fits_nowhere_is_never_feasible():
    r = search_deployments(model="Llama-3.1-405B", users=10, gpus=("L4",), gpus_per_node=(1, 2, 4, 8))
    assert r.winner is None and r.deployments == () and r.front == ()
    assert "No configuration" in r.reason


def test_pareto_front_keeps_only_undominated():
    r = search_deployments(model="Llama-2-7B", users=500, gpus=("A100-SXM4-80GB",), gpus_per_node=(1, 2))
    assert set(pareto_front(list(r.deployments))) == set(r.front)


@pytest.mark.parametrize("kw, field", [
    (dict(users=0), "users"), (dict(gpus_per_node=(16,)), "gpus_per_node"), (dict(gpus=("nope",)), "gpu"),
    (dict(weight_dtypes=("fp2",)), "weight_dtypes"), (dict(tpot_slo=-1), "tpot_slo"),
])
def test_search_bad_inputs(kw, field):
    with pytest.raises(InputError) as err:
        search_deployments(model="Llama-2-7B", **({"users": 10} | kw))
    assert err.value.field == field


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calc", *args], capture_output=True, text=True, timeout=120)


def test_cli_tables_and_json():
    r = _cli("roofline", "--gpu", "A100-SXM4-80GB", "--intensity", "100")
    assert r.returncode == 0 and "memory" in r.stdout and "203.9 TFLOP/s" in r.stdout  # 100 FLOP/B × 2039 GB/s
    r = _cli("--json", "model", "--model", "Llama-2-7B", "--batch", "4")
    data = json.loads(r.stdout)
    est = serving_estimate(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=4)
    assert data["tpot_s"] == est.tpot.value and data["fits"] is True
    r = _cli("plan", "--model", "Llama-2-7B", "--users", "100", "--gpu", "A100-SXM4-80GB", "--top", "3")
    assert r.returncode == 0 and "Plans (fewest GPUs first)" in r.stdout and "Winner:" in r.stdout
    data = json.loads(_cli("--json", "plan", "--model", "Llama-2-7B", "--users", "100", "--gpu", "L4").stdout)
    assert data["winner"]["gpu"] == "L4"
    # One part per name: an alias that only one part has still works (H200 = H200-SXM-141GB).
    assert _cli("roofline", "--gpu", "h200").returncode == 0 and "H200-SXM-141GB" in _cli("roofline", "--gpu", "h200").stdout


@pytest.mark.parametrize("args, message", [
    (("model", "--tp", "3"), "error: Tensor parallel (TP): 3 does not divide the 32 attention heads"),
    (("model", "--gpu", "XYZ"), "error: GPU: 'XYZ' is not in the catalog"),
    (("plan", "--users", "0"), "error: Users: 0 is too small; give a whole number from 1 to"),
    (("plan", "--price", "H100"), "error: Price: 'H100' must be written GPU=price per GPU-hour"),
    # argparse's own errors are one line too, not usage + error.
    (("roofline", "--intensity", "abc"), "error: argument --intensity: invalid float value: 'abc'"),
    (("model", "--efficiency", "bad"), "error: argument --efficiency: invalid choice: 'bad'"),
    (("nope",), "error: argument command: invalid choice: 'nope'"),
    ((), "error: the following arguments are required: command"),
    (("plan", "--top", "-1"), "error: Rows to print: -1 is too small; give a whole number from 1 to 10,000"),
    # A family name with several variants is a question, not a silent choice (A100: 40 and 80 GB).
    (("roofline", "--gpu", "a100"), "error: GPU: 'a100' is ambiguous: it could be A100-SXM4-40GB, A100-SXM4-80GB;"),
    (("model", "--gpu", "V100"), "error: GPU: 'V100' is ambiguous: it could be V100-SXM2-16GB, V100-SXM2-32GB;"),
    (("plan", "--gpu", "h100"), "error: GPU: 'h100' is ambiguous: it could be H100-SXM5-80GB, H100-PCIe-80GB;"),
    (("plan", "--price", "H100=2"), "error: Price: 'H100' is ambiguous: it could be H100-SXM5-80GB, H100-PCIe-80GB;"),
    # A 100 kB argument is quoted by its first 40 characters and its length.
    (("roofline", "--intensity", "9" * 100_000 + "x"), "error: argument --intensity: invalid float value: '999"),
])
def test_cli_bad_input_one_line_nonzero(args, message):
    r = _cli(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(message) and r.stderr.count("\n") == 1 and len(r.stderr) < 300


def test_cli_deployment_that_does_not_fit_exits_non_zero():
    # Llama-2-70B in 16-bit is ~138 GB of weights; one 16 GB T4 cannot hold it.
    r = _cli("model", "--gpu", "T4", "--model", "Llama-2-70B")
    assert r.returncode == 1 and "does NOT fit" in r.stdout
    assert r.stderr.startswith("error: this deployment does not fit in memory") and r.stderr.count("\n") == 1


def test_capacity_cache_changes_nothing_but_the_work():
    """The planner page's cache: the same results as a fresh search, after edits of users, prices and the SLO."""
    cache: dict = {}
    base = dict(model="Llama-2-7B", gpus=("A100-SXM4-80GB", "H100-SXM5-80GB"), gpus_per_node=(4, 8),
                prompt_len=512, output_len=256, ttft_slo=1.0)
    for users, tpot, prices in ((1000, 0.05, None), (3000, 0.05, None), (3000, 0.05, {"H100-SXM5-80GB": 2.5}),
                                (3000, 0.03, None), (1000, 0.05, None)):
        kwargs = dict(base, users=users, tpot_slo=tpot, prices=prices)
        assert search_deployments(**kwargs, capacity_cache=cache) == search_deployments(**kwargs)
    # One capacity table per (lengths, SLO) and one evaluator table per model: users and prices add none.
    assert sorted(key[0] for key in cache) == ["capacities", "capacities", "evaluators"]
