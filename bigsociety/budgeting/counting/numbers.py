"""Exact numbers: decimals read from and written to .pb files, and their JSON form."""

from __future__ import annotations

import re
from fractions import Fraction

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_decimal(text: str) -> Fraction | None:
    """The exact value of a decimal such as ``12``, ``1500.50`` or ``-3.2e2``; ``None`` for
    anything else (``1,5``, ``1/2``, ``nan``, empty)."""
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        return None
    return Fraction(text)


def is_terminating(value: Fraction) -> bool:
    """Whether the value has a finite decimal expansion (its denominator is 2^a 5^b)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def format_decimal(value: Fraction) -> str:
    """The shortest exact decimal for a value with a finite expansion (``1500.5``, ``-3``).

    Raises ``ValueError`` for values such as 1/3 that no decimal writes exactly.
    """
    if value.denominator == 1:
        return str(value.numerator)
    if not is_terminating(value):
        raise ValueError(f"{value} has no exact decimal form")
    sign = "-" if value < 0 else ""
    value = abs(value)
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    scaled = str((value * 10**places).numerator).rjust(places + 1, "0")
    return f"{sign}{scaled[:-places]}.{scaled[-places:]}".rstrip("0").rstrip(".")


def json_number(value: Fraction | int) -> int | str:
    """An exact value for JSON: an integer as a number; otherwise a string, the exact decimal
    when there is one (``"1500.5"``), else ``"numerator/denominator"`` (``"8697250/11067"``)."""
    value = Fraction(value)
    if value.denominator == 1:
        return value.numerator
    if is_terminating(value):
        return format_decimal(value)
    return f"{value.numerator}/{value.denominator}"
