"""The statutory calendar: working days and periods "beginning with" a day.

Pure functions, no database, no settings. A *working day* is any day that is not a Saturday,
a Sunday, or a bank holiday in **any** part of the United Kingdom (England and Wales, Scotland,
Northern Ireland), as the Freedom of Information Act 2000 s.10(6) and the Environmental
Information Regulations 2004 reg.2(1) define it ("a bank holiday under the Banking and Financial
Dealings Act 1971 in any part of the United Kingdom"). So Scotland's 2 January and St Andrew's
Day, Northern Ireland's St Patrick's Day and 12 July, and England's Easter Monday are all
non-working days everywhere.

Bank holidays come from the ``holidays`` package (``holidays.UnitedKingdom(subdiv=...)`` for
ENG, WLS, SCT and NIR), which includes substitute ("observed") days and one-off days such as the
Platinum Jubilee (2022-06-03), the Queen's funeral (2022-09-19) and the coronation (2023-05-08).
Each year is computed once and cached, so every function here is a handful of set look-ups.
"""

from __future__ import annotations

import bisect
import calendar as _calendar
import datetime as dt
from functools import lru_cache

import holidays

# The holidays package's subdivision codes, and the nation each stands for.
NATIONS: dict[str, str] = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=512)
def _bank_holidays(year: int) -> tuple[tuple[dt.date, tuple[tuple[str, str], ...]], ...]:
    found: dict[dt.date, list[tuple[str, str]]] = {}
    for code, nation in NATIONS.items():
        calendar = holidays.UnitedKingdom(subdiv=code, years=year)
        for day in calendar:
            for name in calendar.get_list(day):
                found.setdefault(day, []).append((nation, name))
    return tuple((day, tuple(names)) for day, names in sorted(found.items()))


def uk_bank_holidays(year: int) -> dict[dt.date, list[tuple[str, str]]]:
    """Every bank holiday of ``year`` in any UK nation, in date order.

    ``{day: [(nation, name), ...]}``, one pair per nation that has the holiday, for example
    ``{date(2025, 1, 2): [("Scotland", "New Year Holiday")], ...}``. Includes holidays that fall
    at a weekend (their substitute days are listed too, named "... (observed)").
    """
    return {day: list(names) for day, names in _bank_holidays(year)}


@lru_cache(maxsize=512)
def _holiday_set(year: int) -> frozenset[dt.date]:
    return frozenset(day for day, _ in _bank_holidays(year))


@lru_cache(maxsize=512)
def _weekday_holidays(year: int) -> tuple[dt.date, ...]:
    """The year's bank holidays that fall Monday to Friday, sorted (for counting by bisect)."""
    return tuple(day for day, _ in _bank_holidays(year) if day.weekday() < 5)


def _as_date(day: dt.date) -> dt.date:
    # A datetime is a date too, but would never compare equal to a holiday's date.
    return day.date() if isinstance(day, dt.datetime) else day


def is_bank_holiday(day: dt.date) -> bool:
    """A bank holiday (or substitute day) in at least one UK nation."""
    day = _as_date(day)
    return day in _holiday_set(day.year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in any UK nation."""
    day = _as_date(day)
    return day.weekday() < 5 and day not in _holiday_set(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, otherwise the first working day after it."""
    day = _as_date(day)
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def _weekdays_upto(day: dt.date) -> int:
    """How many Mondays-to-Fridays fall on or before ``day`` (from a fixed epoch)."""
    ordinal = day.toordinal()  # date(1, 1, 1), ordinal 1, was a Monday
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest + 1, 5)


def _weekday_holidays_upto(day: dt.date, first_year: int) -> int:
    """How many weekday bank holidays fall in years first_year.. on or before ``day``."""
    count = 0
    for year in range(first_year, day.year):
        count += len(_weekday_holidays(year))
    return count + bisect.bisect_right(_weekday_holidays(day.year), day)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days fall after ``start``, up to and including ``end``.

    The inverse of add_working_days: ``working_days_between(d, add_working_days(d, n)) == n``
    for every day ``d`` and ``n >= 0``. Negative when ``end`` is before ``start`` (minus the
    working days after ``end`` up to and including ``start``), and 0 when they are the same day.
    Computed arithmetically, so a span of decades costs no more than a span of days.
    """
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -working_days_between(end, start)
    weekdays = _weekdays_upto(end) - _weekdays_upto(start)
    first_year = start.year
    holidays_in_span = _weekday_holidays_upto(end, first_year) - _weekday_holidays_upto(
        start, first_year
    )
    return weekdays - holidays_in_span


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start``, counting ``start`` itself as day 0.

    This is how the Freedom of Information Act counts "the twentieth working day following the
    date of receipt": a request received on any day, even a Sunday or a bank holiday, is due on
    ``add_working_days(received, 20)``. For ``count > 0`` the result is always a working day.
    A negative ``count`` counts back: the ``-count``-th working day before ``start``.
    ``count == 0`` returns ``start``.
    """
    day = _as_date(start)
    step = _ONE_DAY if count >= 0 else -_ONE_DAY
    remaining = abs(count)
    # Jump whole weeks while far away (never more working days than remain, less one, so the
    # last step is always taken day by day and lands on a working day).
    while remaining > 10:
        weeks = (remaining - 1) // 5
        target = day + step * 7 * weeks
        if count >= 0:  # the working days in (day, target]
            remaining -= working_days_between(day, target)
        else:  # the working days in [target, day)
            remaining -= working_days_between(target - _ONE_DAY, day - _ONE_DAY)
        day = target
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def _add_months(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The corresponding date ``months`` later, and whether it exists.

    Where the later month is too short (31 August + 6 months) the last day of that month is
    returned with ``False``.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)), day.day <= last


def period_beginning_with(
    start: dt.date, *, days: int = 0, weeks: int = 0, months: int = 0
) -> dt.date:
    """The last day of a period of ``days`` days, ``weeks`` weeks or ``months`` months
    "beginning with" ``start``. Give exactly one of them, positive.

    A period "beginning with" a day includes that day (Trow v Ind Coope (West Midlands) Ltd
    [1967] 2 QB 899; Zoan v Rouamba [2000] 1 WLR 1509).

    * days and weeks: simple counting, both ends included. Six weeks beginning with Monday
      1 January end on Sunday 11 February (42 days).
    * months: the *corresponding date rule* (Dodds v Walker [1981] 1 WLR 1027, HL): a period of
      calendar months ends by reference to the day of the later month with the same number as
      the day it runs from, and where the later month has no such day (there is no 31
      February) on the last day of that month. A period of N months *beginning with* ``start``
      therefore ends the day before the corresponding date N months later: six months
      beginning with 15 January end on 14 July, one month beginning with 1 March ends on
      31 March. When the later month has no corresponding date (six months beginning with
      30 or 31 August), the period ends on the last day of that month (the end of February),
      so a period never ends before the calendar months it spans are complete and a later
      start never ends earlier.

    Used, for example, for the community right to bid (a six-week interim and a six-month full
    moratorium beginning with the day the owner notifies the council, Localism Act 2011 s.95).
    The result may fall on a weekend or a bank holiday: a statute that moves such a deadline
    says so, and callers apply ``next_working_day`` themselves.
    """
    start = _as_date(start)
    given = [n for n in (days, weeks, months) if n]
    if len(given) != 1 or given[0] < 0:
        raise ValueError("give a positive number of days, weeks or months (exactly one)")
    if days or weeks:
        return start + dt.timedelta(days=days + 7 * weeks) - _ONE_DAY
    corresponding, exists = _add_months(start, months)
    return corresponding - _ONE_DAY if exists else corresponding
