"""Input schemas for calculators: one description drives the form, the parsing and the errors.

A :class:`Field` says what a calculator input is (label, unit, default,
range, choices, help).  The docs build turns it into an HTML form; the
browser sends back the raw strings the reader typed; :func:`parse_inputs`
turns those strings into typed values or raises :class:`InputError` naming
the field.  Nothing a reader types is ever evaluated as code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from ..core.validate import InputError, count, fail, quote

Kind = Literal["number", "integer", "choice", "text"]

#: Largest whole number an integer field takes (beyond it, float arithmetic stops being exact).
MAX_INTEGER = 2**53

#: "12,345,678.9": commas only between groups of three digits.
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")

#: Longest text a text field accepts (a large config.json is ~5 kB).
MAX_TEXT = 200_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One calculator input."""

    name: str
    label: str
    kind: Kind = "number"
    default: float | int | str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    minimum_inclusive: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""
    step: str = "any"
    placeholder: str = ""  # example text shown in an empty text box
    #: For a choice: picking a key sets these other fields (e.g. a model preset fills its sizes).
    fills: Mapping[str, Mapping[str, float | int | str]] = field(default_factory=dict)
    #: Names this input had in earlier versions of its calculator: a link shared then still fills it.
    formerly: tuple[str, ...] = ()

    def parse(self, raw: object) -> float | int | str:
        """The typed value of ``raw`` (a string from the form, or a number), or InputError."""
        if self.kind == "text":
            text = "" if raw is None else str(raw)
            if len(text) > MAX_TEXT:
                raise InputError(self.name, f"{self.label} is {len(text):,} characters; the limit is {MAX_TEXT:,}")
            return text
        if self.kind == "choice":
            text = str(raw).strip()
            if text not in self.choices:
                # A long list (40 models) is cut: the form's own menu shows them all.
                shown = ", ".join(self.choices[:8]) + (f", … ({len(self.choices)} choices)" if len(self.choices) > 8 else "")
                raise fail(self.name, raw, f"is not one of the choices: {shown}", name=self.label)
            return text
        if isinstance(raw, bool):
            raise fail(self.name, raw, "is not a number", name=self.label)
        if isinstance(raw, str):
            text = raw.strip()
            if not text:
                raise InputError(self.name, f"{self.label} is empty; enter a number")
            if "," in text:
                # Only as a thousands separator: "1,5" must not silently become 15.
                if not THOUSANDS.fullmatch(text):
                    raise fail(self.name, raw, "is not a number; use '.' for decimals and ',' only between thousands", name=self.label)
                text = text.replace(",", "")
            try:
                number = float(text)
            except ValueError:
                raise fail(self.name, raw, "is not a number", name=self.label) from None
        elif isinstance(raw, (int, float)):
            try:
                number = float(raw)
            except OverflowError:  # a whole number beyond float range
                raise fail(self.name, raw, "is too large; enter a smaller number", name=self.label) from None
        else:
            raise fail(self.name, raw, "is not a number", name=self.label)
        if not math.isfinite(number):
            raise fail(self.name, raw, "is not finite; enter a finite number", name=self.label)
        self._check_range(number, raw)
        if self.kind == "integer":
            if abs(number) > MAX_INTEGER:
                raise fail(self.name, raw, f"is too large; the most this calculator takes is {MAX_INTEGER:,}", name=self.label)
            if not number.is_integer():
                raise fail(self.name, raw, "must be a whole number", name=self.label)
            return int(number)
        return number

    def _check_range(self, number: float, raw: object) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and (number < low or (number == low and not self.minimum_inclusive)):
            word = "at least" if self.minimum_inclusive else "greater than"
            raise fail(self.name, raw, f"must be {word} {count(low, self.unit)}", name=self.label)
        if high is not None and number > high:
            raise fail(self.name, raw, f"must be at most {count(high, self.unit)}", name=self.label)

    def schema(self) -> dict[str, Any]:
        """JSON-able description for the browser (min/max/choices/fills)."""
        return {
            "name": self.name, "label": self.label, "kind": self.kind, "default": self.default,
            "unit": self.unit, "minimum": self.minimum, "maximum": self.maximum,
            "choices": list(self.choices), "help": self.help,
            "fills": {k: dict(v) for k, v in self.fills.items()}, "formerly": list(self.formerly),
        }


def parse_inputs(fields: tuple[Field, ...], raw: Mapping[str, object]) -> dict[str, Any]:
    """Typed values for every field; unknown names are refused.

    A missing field takes what a chosen preset fills in (as the form does when
    the reader picks it), else its default: ``{"model": "LLaMA-65B"}`` alone
    gives LLaMA-65B's sizes, while explicit sizes always win.
    """
    known = {f.name for f in fields}
    renamed = {old: f.name for f in fields for old in f.formerly}
    raw = {**{renamed[k]: v for k, v in raw.items() if k in renamed and k not in known},
           **{k: v for k, v in raw.items() if k not in renamed or k in known}}  # the current name wins
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(str(unknown[0]), f"{quote(unknown[0])} is not an input of this calculator; "
                                          f"inputs: {', '.join(sorted(known))}")
    filled: dict[str, object] = {}
    for f in fields:
        if f.fills and f.name in raw:
            filled.update(f.fills.get(str(raw[f.name]).strip(), {}))
    return {f.name: f.parse(raw.get(f.name, filled.get(f.name, f.default))) for f in fields}
