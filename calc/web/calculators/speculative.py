"""Speculative decoding: tokens per step, what a step costs, and the TPOT speed-up against batch."""

from __future__ import annotations

from ...core.validate import InputError, fail
from ...serving.capacity import memory_plan
from ...serving.speculative import speculative_decode
from .. import charts
from ..forms import Field
from .base import Widget, WidgetResult, batch_field, context_field, deployment_fields, on_form_field, quantity_row

SWEEP = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
FORM = ("model", "gpu", "tp", "weights", "context_len", "batch", "draft_tokens", "acceptance", "draft_layers")
NAMES = {**{n: n for n in FORM}, "activations": "weights", "kv": "weights", "expert_parallel": "tp"}


def _speculative(*, model: str, gpu: str, tp: int, weights: str, context_len: int, batch: int, draft_tokens: int,
                 acceptance: float, draft_layers: int) -> WidgetResult:
    kw = dict(model=model, gpu=gpu, tp=tp, weights=weights, activations=weights, kv=weights, context_len=context_len,
              draft_tokens=draft_tokens, acceptance=acceptance, draft_layers=draft_layers)
    labels = {f.name: f.label for f in SPECULATIVE.fields}
    try:
        r = speculative_decode(batch=batch, **kw)
        slots = memory_plan(model=model, gpu=gpu, tp=tp, context_len=context_len, weights=weights,
                            activations=weights, kv=weights).largest_batch
        if slots < 1:
            raise fail("tp", tp, "is too few GPUs to hold the weights and one sequence's KV cache; add GPUs",
                       name=labels["tp"])
        if batch > slots:
            raise fail("batch", batch, f"is more sequences than the memory holds ({slots:,}); lower the batch or "
                                       "add GPUs", name=labels["batch"])
    except InputError as err:
        raise on_form_field(err, NAMES, "model", labels) from None
    rows = (
        quantity_row("Tokens per step (accepted)", r.tokens_per_step, ",.3f", key="tokens", strong=True),
        quantity_row("Plain decode step", r.plain_step, ",.2f", scale_to="ms", key="plain_ms"),
        quantity_row("Verification over k + 1 positions", r.verify_step, ",.2f", scale_to="ms", key="verify_ms"),
        quantity_row("Draft passes", r.draft_time, ",.2f", scale_to="ms", key="draft_ms"),
        quantity_row("Speculative step / plain step", r.step_cost, ",.2f", unit="×", key="cost"),
        quantity_row("TPOT without speculation", r.tpot_plain, ",.2f", scale_to="ms", key="tpot_plain"),
        quantity_row("TPOT with speculation", r.tpot, ",.2f", scale_to="ms", key="tpot"),
        quantity_row("Speed-up", r.speedup, ",.2f", unit="×", key="speedup", strong=True),
    )
    points = [{"batch": b, "speedup": speculative_decode(batch=b, **kw).speedup.value} for b in sorted({*SWEEP, batch}) if b <= slots]
    chart = charts.line_spec(
        title="Speed-up against batch", points=points, x_field="batch", x_title="Batch (sequences)",
        y_field="speedup", y_title="TPOT without / with speculation", x_log=True,
        current={"batch": batch, "speedup": r.speedup.value})
    return WidgetResult(rows=rows, chart=chart,
                        note="A draft pass costs draft layers / layers of a plain step; the verification reads the "
                             "weights and each sequence's KV cache once for its k + 1 positions. Engine's typical "
                             "profile, one fixed context.")


SPECULATIVE = Widget(
    name="speculative",
    title="Speculative decoding",
    fields=(
        *deployment_fields(),
        context_field(2048),
        batch_field(8),
        Field(name="draft_tokens", label="Draft tokens per step", unit="tokens", kind="integer", default=3,
              minimum=1, maximum=16, step="1"),
        Field(name="acceptance", label="Acceptance rate", kind="number", default=0.7, minimum=0, maximum=1,
              step="0.05", help="Probability that each draft token is accepted, given the ones before it were."),
        Field(name="draft_layers", label="Draft layers", unit="layers", kind="integer", default=1, minimum=1,
              maximum=200, step="1", help="1 for an MTP head; a draft model's layers at the target's width."),
    ),
    compute=_speculative,
)
