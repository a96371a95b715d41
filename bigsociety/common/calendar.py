"""The statutory calendar: working days and periods "beginning with" a day.

Pure functions, no database. A *working day* is any day that is not a Saturday, a Sunday, or a
bank holiday in **any** UK nation (England and Wales, Scotland, Northern Ireland), as the
Freedom of Information Act 2000 s.10(6) defines it ("a bank holiday under the Banking and
Financial Dealings Act 1971 in any part of the United Kingdom"). Bank holidays come from the
``holidays`` package, which includes substitute days and one-off days such as the Queen's
funeral (2022-09-19) and the coronation (2023-05-08).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from functools import lru_cache

import holidays

NATIONS = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}


@lru_cache(maxsize=256)
def uk_bank_holidays(year: int) -> dict[dt.date, tuple[tuple[str, str], ...]]:
    """Every bank holiday of ``year`` in any UK nation: {day: ((nation, name), ...)}."""
    found: dict[dt.date, list[tuple[str, str]]] = {}
    for code, nation in NATIONS.items():
        for day, name in holidays.country_holidays("GB", subdiv=code, years=year).items():
            found.setdefault(day, []).append((nation, name))
    return {day: tuple(names) for day, names in sorted(found.items())}


@lru_cache(maxsize=256)
def _holiday_days(year: int) -> frozenset[dt.date]:
    return frozenset(uk_bank_holidays(year))


def is_working_day(day: dt.date) -> bool:
    """Not a weekend and not a bank holiday in any UK nation."""
    return day.weekday() < 5 and day not in _holiday_days(day.year)


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start``, counting ``start`` itself as day 0.

    This is how the Freedom of Information Act counts "the twentieth working day following the
    date of receipt": a request received on any day (even a Sunday) is due on
    ``add_working_days(received, 20)``. ``count`` must not be negative.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if end <= start).

    The inverse of add_working_days: working_days_between(d, add_working_days(d, n)) == n.
    """
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def _add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding date ``months`` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def period_beginning_with(start: dt.date, *, weeks: int = 0, months: int = 0) -> dt.date:
    """The last day of a period of ``weeks`` weeks or ``months`` months "beginning with" start.

    A period "beginning with" a day includes that day (Zoan v Rouamba [2000] 1 WLR 1509), so six
    weeks beginning with Monday 1 January ends on Sunday 11 February. For months the
    corresponding-date rule applies (Dodds v Walker [1981] 1 WLR 1027, HL): the period ends the
    day before the corresponding date in the later month; where the later month has no
    corresponding date (31 August + 6 months) it ends on the last day of that month. Used for
    the community right to bid (a six-week interim and six-month full moratorium beginning with
    the day of notification).
    """
    if (weeks and months) or (weeks < 0 or months < 0) or not (weeks or months):
        raise ValueError("give a positive number of weeks or of months, not both")
    if weeks:
        return start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    corresponding = _add_months(start, months)
    if corresponding.day < start.day:  # no corresponding date: the month ran short
        return corresponding
    return corresponding - dt.timedelta(days=1)
