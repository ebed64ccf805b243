"""Continuous batching, chunked prefill and TTFT (docs/batching.md): queueing formulas, the calculator, the figure,
the worked problems' answers and the built page."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import calc
from calc.web import widgets
from tests.conftest import assert_widget_rejects, built_chapter, shown_values

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import figures  # noqa: E402
import figures_serving  # noqa: E402

#: The chapter's running example (the calculator's defaults).
LLAMA = dict(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, prompt_len=2048, output_len=256)
CHUNK = dict(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, batch=32, prompt_len=8192, output_len=512)


def test_littles_law_and_the_queues_by_hand():
    # Worked problem 1: 64 clients / 20 s = 3.2 requests per second.
    assert calc.littles_law(concurrency=64, latency=20.0).value == pytest.approx(3.2)
    # M/D/1 (Pollaczek–Khinchine): ρ·S / (2(1 − ρ)); at ρ = 0.9 that is 4.5 service times, at 0.99 49.5.
    assert calc.queue_wait(utilisation=0.9, service_time=0.1).value == pytest.approx(0.45)
    assert calc.queue_wait(utilisation=0.99, service_time=0.1).value == pytest.approx(4.95)
    # Slot wait: (C − S) / S · T; none while every client has a slot.
    assert calc.slot_wait(concurrency=256, slots=240, service_time=60.0).value == pytest.approx(16 / 240 * 60)
    assert calc.slot_wait(concurrency=100, slots=240, service_time=60.0).value == 0
    with pytest.raises(calc.InputError, match="Utilisation: 1 is too large"):
        calc.queue_wait(utilisation=1, service_time=0.1)
    with pytest.raises(calc.InputError, match="Slots: 0 is too small"):
        calc.slot_wait(concurrency=4, slots=0, service_time=1.0)


def test_little_agrees_with_the_engine():
    # The engine's queue term uses the same arrival rate: ρ = λ · prefill with λ = C / end-to-end (the engine takes
    # the end-to-end time before the queue term, to stay explicit).
    r = calc.serving_estimate(batch=32, **LLAMA)
    rate = calc.littles_law(concurrency=32, latency=r.end_to_end.value - r.ttft_queue.value).value
    rho = rate * r.ttft_prefill_only.value
    assert r.ttft_queue.value == pytest.approx(calc.queue_wait(utilisation=rho, service_time=r.ttft_prefill_only.value).value)
    # Worked problem 3: the parts of a client's TTFT add up (request cost + wait + queue + prefill + step).
    big = calc.serving_estimate(batch=128, **LLAMA)
    parts = (big.efficiency.request_overhead + big.ttft_wait.value + big.ttft_queue.value
             + big.ttft_prefill_only.value + big.decode.total.value)
    assert big.ttft.value == pytest.approx(parts)
    assert big.ttft_queue.value > r.ttft_queue.value


def test_chunked_prefill_trade():
    runs = {c: calc.chunked_prefill(chunk=c, **CHUNK) for c in (64, 512, 2048, 8192)}
    assert [runs[c].chunks for c in runs] == [128, 16, 4, 1]
    # Smaller chunks: shorter stalls for the running requests, a longer TTFT for the new prompt.
    gaps = [runs[c].gap_chunked.value for c in runs]
    ttfts = [runs[c].ttft_chunked.value for c in runs]
    assert gaps == sorted(gaps) and ttfts == sorted(ttfts, reverse=True)
    one = runs[8192]  # one chunk: the whole prompt rides with one step, never slower than prefill + step
    assert one.gap_chunked.value <= one.gap_unchunked.value
    assert one.gap_unchunked.value == pytest.approx(one.decode_step.value + one.prefill.value)
    # Worked problem 5: TTFT = chunks × mixed step.
    r = runs[2048]
    assert r.ttft_chunked.value == pytest.approx(4 * r.mixed_step.value)
    # A mixed step costs at least the decode step, and its extra is at most the prompt's share of the prefill.
    assert r.decode_step.value <= r.mixed_step.value <= r.decode_step.value + r.prefill.value / 4 + 1e-12
    with pytest.raises(calc.InputError, match="Chunk: 8 is too small"):
        calc.chunked_prefill(chunk=8, **CHUNK)


def test_client_ttft_at_saturation_against_the_published_point():
    r = calc.client_ttft(point_id="ix1212")
    row = calc.inferencex_row("ix1212")
    assert r.slots == row.batch < r.concurrency == 256  # the memory holds fewer requests than clients
    # The validation row's TTFT already holds the slot wait; the chapter shows it apart and must count it once.
    assert r.engine.value == pytest.approx(row.ttft - row.slot_wait) and row.slot_wait > 0
    o = round(0.9 * 1024)
    assert r.service_time.value == pytest.approx(r.engine.value + (o - 1) * row.tpot)
    assert r.slot_wait.value == pytest.approx((256 - r.slots) / r.slots * r.service_time.value)
    assert r.total.value == pytest.approx(row.ttft)
    assert r.measured == row.point.ttft
    # The model's order is right: seconds, within a factor of two of the measured median.
    assert 0.5 < r.total.value / r.measured < 2
    below = calc.client_ttft(point_id="ix1212", concurrency=32)
    assert below.slot_wait.value == 0 and below.measured is None
    with pytest.raises(calc.InputError, match="not an InferenceX point id"):
        calc.client_ttft(point_id="nope")


def test_calculator():
    values = widgets.call("batching")["values"]
    r = calc.serving_estimate(batch=32, **LLAMA)
    assert values["ttft"] == f"{r.ttft.value * 1e3:,.1f}"
    assert values["slot_wait"] == "0.0"
    slots = calc.memory_plan(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, context_len=2304,
                             prompt_len=2048).largest_batch
    assert values["slots"] == f"{slots:,}"
    over = widgets.call("batching", {"concurrency": str(slots + 100)})["values"]
    running = calc.serving_estimate(batch=slots, **LLAMA)
    wait = 100 / slots * running.end_to_end.value
    assert over["slot_wait"] == f"{wait * 1e3:,.1f}"
    assert float(over["ttft"].replace(",", "")) > 10 * float(values["ttft"].replace(",", ""))
    assert_widget_rejects("batching", (
        ({"tp": "1"}, "tp", "is too few GPUs to hold the weights"),
        ({"tp": "3"}, "tp", "does not divide the 64 attention heads"),
        ({"gpu": "V100-SXM2-32GB", "weights": "fp8"}, "weights", "has no fp8 peak"),
        ({"chunk": "8"}, "chunk", "must be at least 16"),
    ))


def test_figure_plots_calcs_numbers():
    fig, data = figures.FIGURES["ttft-saturation"]()
    for i in (0, len(data["concurrency"]) - 1):
        r = calc.client_ttft(point_id=figures_serving.SATURATION_POINT, concurrency=int(data["concurrency"][i]))
        assert data["total"][i] == r.total.value and data["engine"][i] == r.engine.value
    assert data["slots"] == calc.client_ttft(point_id="ix1212").slots
    assert data["measured"][256] == ("ix1212", calc.inferencex_row("ix1212").point.ttft)
    assert data["measured"][4][1] == calc.inferencex_row("ix1208").point.ttft
    for i, c in enumerate(figures_serving.CHUNKS):
        r = calc.chunked_prefill(chunk=c, **figures_serving.CHUNK_CASE)
        assert data["ttft_chunked"][i] == r.ttft_chunked.value and data["gap_chunked"][i] == r.gap_chunked.value
    line = [a for a in fig.findobj() if a.get_gid() == "ttft-total"][0]
    assert line.get_ydata()[-1] == data["total"][-1]


def test_worked_problem_4_slot_wait():
    # The rules every worked problem follows (computed answers, no typed results): tests/test_docs_pages.py.
    # Problem 4's answer: 320 clients wait (320 − S) / S · T for a slot.
    r = calc.client_ttft(point_id="ix1212", concurrency=320)
    assert r.slot_wait.value == pytest.approx((320 - r.slots) / r.slots * r.service_time.value)
    assert math.isclose(r.total.value, r.engine.value + r.slot_wait.value)


def test_built_page(site: Path):
    for path in ("batching", "zh/batching"):
        article = built_chapter(site, path)
        assert article.select_one("figure svg").find("g", id="figure-ttft-saturation") is not None
        assert shown_values(article, "batching")["ttft"].startswith(widgets.call("batching")["values"]["ttft"])
