"""Input checks shared by every formula.

Each check raises ``ValueError`` with a message that names the field, shows
the value received and says what is allowed, so the docs build, the CLI and
the browser widgets can show it to a person unchanged.
"""

from __future__ import annotations

import math
from numbers import Real


class InputError(ValueError):
    """A bad input value; ``field`` names the input so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


#: Most characters of a value quoted in a message: a 100 kB paste must not become a 100 kB message.
QUOTE_LIMIT = 40


def quote(value: object) -> str:
    """``repr(value)``, cut to :data:`QUOTE_LIMIT` characters plus "… (N characters)" when longer.

    >>> quote("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (1,000 characters)"
    """
    try:
        text = repr(value)
    except ValueError:  # an int too long to print (Python refuses > 4,300 digits)
        return f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"  # type: ignore[union-attr]
    if len(text) <= QUOTE_LIMIT:
        return text
    size = len(value) if isinstance(value, (str, bytes)) else len(text)
    return f"{text[:QUOTE_LIMIT]}… ({size:,} characters)"


# Public as ``calc.InputError``: tracebacks and doctests name it there, wherever it is defined.
InputError.__module__ = "calc"


def fail(field: str, value: object, problem: str) -> InputError:
    """The error for ``field=value``: message ``"field=value <problem>"`` (value quoted short); raise it."""
    return InputError(field, f"{field}={quote(value)} {problem}")


def _finite_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise fail(name, value, "is not a number; give a finite number")
    number = float(value)
    if not math.isfinite(number):
        raise fail(name, value, "is not finite; give a finite number")
    return number


def positive(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0, else raise."""
    number = _finite_number(name, value)
    if number <= 0:
        raise fail(name, value, "must be greater than 0")
    return number


def non_negative(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number >= 0, else raise."""
    number = _finite_number(name, value)
    if number < 0:
        raise fail(name, value, "must be 0 or more")
    return number


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a whole number >= 1, else raise."""
    number = _finite_number(name, value)
    if number < 1 or not number.is_integer():
        raise fail(name, value, "must be a whole number of at least 1")
    return int(number)
