"""Input checks shared by every formula: one error type, one table of fields, one message style.

Every check raises :class:`InputError` (a ``ValueError``) whose message names
the field by its label, quotes the value received (short: at most ~40
characters) and says what is allowed, so the docs build, the CLI and the
browser widgets can show it to a person unchanged::

    Layers: 1e+308 is too large; give a whole number from 1 to 100,000

``InputError.field`` keeps the code name (``n_layers``) so a form can put the
message beside its input.  :data:`~calc.core.fields.FIELDS` holds every
field's label and plausible bounds in one place: the bounds keep every
product of inputs finite (no overflow deep inside a formula) and every loop
short.
"""

from __future__ import annotations

import functools
import inspect
import math
import reprlib
from numbers import Real
from typing import Any, Callable, Mapping, TypeVar

from .fields import FIELDS


class InputError(ValueError):
    """A bad input value; ``field`` names the input so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# Public as ``calc.InputError``: tracebacks and doctests name it there, wherever it is defined.
InputError.__module__ = "calc"


#: Longest text a text argument (a name, a dtype) may be.
MAX_TEXT = 200

#: How much of a value a message shows.
SHOWN = 40


def label(field: str) -> str:
    """The words a person reads for ``field`` (its code name when the table has none)."""
    spec = FIELDS.get(field)
    return spec.label if spec else field


def count(n: float, unit: str) -> str:
    """``n`` with its unit in the right number: ``count(1, "tokens") == "1 token"``.

    >>> count(1, "tokens"), count(2048, "tokens"), count(1e16, "B/s"), count(0.5, "bytes")
    ('1 token', '2,048 tokens', '1e+16 B/s', '0.5 bytes')
    """
    text = show(n)
    if not unit:
        return text
    if n == 1 and unit.endswith("s") and unit[:1].islower() and "/" not in unit:
        unit = unit[:-1]
    return f"{text} {unit}"


def show(n: float) -> str:
    """A bound or a number in a message: thousands separators, no float noise.

    >>> show(100_000), show(1e15), show(0.01), show(1.0)
    ('100,000', '1e+15', '0.01', '1')
    """
    if isinstance(n, int) or (float(n).is_integer() and abs(n) < 1e12):
        return f"{int(n):,}"
    return f"{n:,.6g}"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 4 * SHOWN
_REPR.maxlevel = 3


def quote(value: object) -> str:
    """A value as a message shows it: Python's spelling, cut after ~40 characters.

    >>> quote(0), quote("abc"), quote(1e308), quote("x" * 100)
    ('0', "'abc'", '1e+308', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (100 characters)")
    >>> quote(10**400)
    'a whole number of 401 digits'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**SHOWN:
        return f"a whole number of {len(str(abs(value))) if value.bit_length() < 10_000 else 'over 3,000'} digits"
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(value):,} characters)"
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not hide the real error
        text = f"a {type(value).__name__}"
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}…"


def fail(field: str, value: object, problem: str, *, name: str | None = None) -> InputError:
    """The error for ``field=value``: ``"<Label>: <value> <problem>"`` (``name`` overrides the label); raise it."""
    return InputError(field, f"{name or label(field)}: {quote(value)} {problem}")


def allowed(field: str, *, integer: bool, low: float, high: float, low_open: bool = False,
            unit: str | None = None) -> str:
    """What ``field`` accepts, in words: "a whole number from 1 to 100,000" (``unit`` overrides the table's)."""
    if unit is None:
        unit = FIELDS[field].unit if field in FIELDS else ""
    kind = "a whole number" if integer else "a number"
    top = count(high, unit) if high != math.inf else ""
    if low_open:
        return f"{kind} above {show(low)}" + (f" and at most {top}" if top else "")
    return f"{kind} from {show(low)} to {top}" if top else f"{kind} of at least {count(low, unit)}"


def number(field: str, value: object, *, integer: bool = False, low: float = 0.0, low_open: bool = False,
           high: float | None = None, name: str | None = None) -> float:
    """``value`` as a float if it is a finite real number in ``[low, high]`` (``(low, high]`` if ``low_open``).

    The bounds default to the field's row of :data:`FIELDS` (its ``low`` raises
    ``low`` and closes it).  Whole numbers are checked when ``integer``.
    ``name`` is the label to show when the field's own does not fit the context.
    """
    spec = FIELDS.get(field)
    if spec is not None:
        if spec.low is not None and spec.low > low:
            low, low_open = spec.low, False
        high = spec.high if high is None else min(high, spec.high)
    high = math.inf if high is None else high
    if isinstance(value, bool) or not isinstance(value, Real):
        problem = "is not a number"
    else:
        try:
            x = float(value)
        except (OverflowError, ValueError):  # an int beyond float range, or a Real that cannot be one
            x, problem = math.inf, "is too large"
        else:
            problem = ("is not a number" if math.isnan(x) else "is too large" if x > high
                       else "is too small" if x < low or (low_open and x == low)
                       else "is not a whole number" if integer and not x.is_integer() else "")
        if not problem:
            return x
    # A caller's own label (``name``) means the table's row is another sense of the word: not its unit.
    words = allowed(field, integer=integer, low=low, high=high, low_open=low_open, unit="" if name else None)
    raise fail(field, value, f"{problem}; give {words}", name=name)


def positive(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (within the field's bounds), else raise."""
    return number(name, value, low_open=True)


def non_negative(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (within the field's bounds), else raise."""
    return number(name, value)


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a whole number >= 1 (within the field's bounds), else raise."""
    return int(number(name, value, integer=True, low=1))


def non_negative_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a whole number >= 0 (within the field's bounds), else raise."""
    return int(number(name, value, integer=True))


def optional_count(field: str, value: object, *, zero_is_none: bool = False) -> int | None:
    """``None`` (and 0 when ``zero_is_none``: "off") as ``None``, else a whole number >= 1 (bounded)."""
    if value is None or (zero_is_none and isinstance(value, (int, float)) and not isinstance(value, bool)
                         and value == 0):
        return None
    return positive_int(field, value)


def optional_text(field: str, value: object) -> str | None:
    """``None`` as ``None``, else a non-empty string (a dtype left to its default, or given)."""
    return None if value is None else text(field, value)


def text(field: str, value: object, *, choices: tuple[str, ...] = (), empty: bool = False,
         longest: int = MAX_TEXT) -> str:
    """``value`` if it is a string (one of ``choices`` when given), else raise."""
    if not isinstance(value, str):
        what = f"one of {', '.join(choices)}" if choices else "a name (text)"
        raise fail(field, value, f"is not text; give {what}")
    if len(value) > longest:
        raise fail(field, value, f"is too long; give at most {longest:,} characters")
    if choices and value not in choices:
        raise fail(field, value, f"is not allowed; give one of {', '.join(choices)}")
    if not empty and not choices and not value.strip():
        raise fail(field, value, "is empty; give a name")
    return value


def flag(field: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False`` (not 1, not 'yes'), else raise."""
    if not isinstance(value, bool):
        raise fail(field, value, "is not True or False; give True or False")
    return value


def sequence(field: str, value: object, *, longest: int = 1000) -> tuple:
    """``value`` as a tuple if it is a list or tuple of at most ``longest`` items (loops stay short)."""
    if not isinstance(value, (list, tuple)):
        raise fail(field, value, "is not a list; give a list or tuple")
    if len(value) > longest:
        raise fail(field, value, f"has {len(value):,} items; give at most {longest:,}")
    return tuple(value)


def finite(field: str, value: float, what: str = "the result") -> float:
    """An output check: ``value`` if finite and not negative, else an InputError on ``field``.

    The bounds keep results finite; this names the input to change if a
    formula still overflows.
    """
    if not math.isfinite(value) or value < 0:
        raise InputError(field, f"{label(field)}: these inputs make {what} too large to compute; "
                                f"give a smaller {label(field).lower()}")
    return value


def keywords(name: str, given: Mapping[str, object], known: tuple[str, ...]) -> None:
    """Refuse a keyword that ``name`` does not take (for functions that pass ``**kwargs`` on)."""
    for key in given:
        if key not in known:
            raise InputError(str(key), f"{quote(key)} is not an input of {name}; its inputs: {', '.join(known)}")


F = TypeVar("F", bound=Callable[..., Any])


def public(fn: F, name: str | None = None) -> F:
    """Wrap a public function so that calling it wrongly is an InputError, not a TypeError.

    An unknown keyword, a missing one or a positional argument where only
    keywords are taken become an InputError naming the argument and listing
    the ones the function takes (``name``: the public name, if it differs).
    The call itself is unchanged (no cost when the arguments are right).
    """
    signature = inspect.signature(fn)
    name = name or getattr(fn, "__name__", "function")

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TypeError:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as err:
                raise _call_error(name, signature, args, kwargs, err) from None
            raise

    return checked  # type: ignore[return-value]


def _call_error(name: str, signature: inspect.Signature, args: tuple, kwargs: dict, err: TypeError) -> InputError:
    params = signature.parameters
    known = [p for p in params if params[p].kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
    inputs = ", ".join(known) if known else "none (call it with no arguments)"
    if len(inputs) > 160:  # a search takes some twenty inputs: the message stays one short line
        inputs = inputs[:160].rsplit(", ", 1)[0] + f", … ({len(known)} in all)"
    takes_any = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())
    unknown = [k for k in kwargs if k not in params] if not takes_any else []
    if unknown:
        key = unknown[0]
        return InputError(key, f"{quote(key)} is not an input of {name}; its inputs: {inputs}")
    missing = [p for p, spec in params.items() if spec.default is inspect.Parameter.empty
               and spec.kind == inspect.Parameter.KEYWORD_ONLY and p not in kwargs]
    if missing:
        return InputError(missing[0], f"{label(missing[0])} is missing: {name} needs {', '.join(missing)}")
    positional = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(args) > len(positional):
        return InputError("", f"{name} takes its inputs by name ({inputs}), e.g. {name}({known[0] if known else ''}=...)")
    return InputError("", f"{name} was called wrongly; its inputs: {inputs}")
