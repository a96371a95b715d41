import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bigsociety.common.calendar import (
    add_working_days,
    is_working_day,
    period_beginning_with,
    uk_bank_holidays,
    working_days_between,
)

D = dt.date
days = st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31))


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        # Christmas: 25, 26 Dec and 1 Jan (and Scotland's 2 Jan) do not count.
        (D(2025, 12, 19), D(2026, 1, 22), "Christmas, New Year and 2 January (Scotland)"),
        # Easter 2025: Good Friday 18 April and Easter Monday 21 April (not Scotland's, but
        # a bank holiday in England, Wales and Northern Ireland).
        (D(2025, 4, 11), D(2025, 5, 14), "Easter and the early May bank holiday"),
        # St Patrick's Day (NI), Monday 17 March 2025.
        (D(2025, 3, 10), D(2025, 4, 8), "St Patrick's Day"),
        # Battle of the Boyne (NI), Monday 14 July 2025 (12 July fell on a Saturday).
        (
            D(2025, 7, 7),
            D(2025, 8, 6),
            "the Twelfth's substitute day and Scotland's August holiday",
        ),
        # St Andrew's Day (Scotland) 2026 falls on Monday 30 November.
        (D(2026, 11, 23), D(2026, 12, 22), "St Andrew's Day"),
        # The Queen's funeral, Monday 19 September 2022.
        (D(2022, 9, 12), D(2022, 10, 11), "the Queen's funeral"),
        # The coronation, Monday 8 May 2023, and the early May bank holiday on 1 May.
        (D(2023, 4, 28), D(2023, 5, 31), "the coronation and the spring bank holiday"),
        # A request received on a Sunday still counts that day as day 0.
        (D(2025, 6, 1), D(2025, 6, 27), "received at a weekend"),
    ],
)
def test_twenty_working_days(received, due, why):
    assert add_working_days(received, 20) == due, why


@pytest.mark.parametrize(
    ("day", "nation"),
    [
        (D(2025, 1, 2), "Scotland"),
        (D(2025, 3, 17), "Northern Ireland"),
        (D(2025, 7, 14), "Northern Ireland"),
        (D(2025, 8, 4), "Scotland"),
        (D(2025, 8, 25), "England"),
        (D(2026, 11, 30), "Scotland"),
    ],
)
def test_each_nations_holidays_are_non_working(day, nation):
    assert not is_working_day(day)
    assert nation in [n for n, _ in uk_bank_holidays(day.year)[day]]


def test_ordinary_weekdays_are_working_days():
    assert is_working_day(D(2025, 6, 4))
    assert not is_working_day(D(2025, 6, 7))  # Saturday


@given(days, st.integers(min_value=0, max_value=80))
def test_the_result_is_a_working_day_unless_no_days_are_added(start, n):
    due = add_working_days(start, n)
    if n:
        assert is_working_day(due)
        assert due.weekday() < 5
    else:
        assert due == start


@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_more_working_days_never_end_earlier(start, a, b):
    low, high = sorted((a, b))
    assert add_working_days(start, low) <= add_working_days(start, high)


@given(days, st.integers(min_value=0, max_value=60))
def test_adding_then_counting_round_trips(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@given(days, st.integers(min_value=1, max_value=40))
def test_n_working_days_take_at_least_n_days(start, n):
    assert (add_working_days(start, n) - start).days >= n


@pytest.mark.parametrize(
    ("start", "kwargs", "end"),
    [
        (D(2024, 1, 1), {"weeks": 6}, D(2024, 2, 11)),
        (D(2024, 1, 15), {"months": 6}, D(2024, 7, 14)),
        (D(2023, 8, 31), {"months": 6}, D(2024, 2, 29)),  # no 31 February: end of month
        (D(2023, 8, 31), {"months": 1}, D(2023, 9, 30)),
        (D(2024, 2, 29), {"months": 12}, D(2025, 2, 28)),
        (D(2024, 3, 31), {"months": 1}, D(2024, 4, 30)),
    ],
)
def test_periods_beginning_with_a_day(start, kwargs, end):
    assert period_beginning_with(start, **kwargs) == end


@given(days, st.integers(min_value=1, max_value=52))
def test_weeks_beginning_with_a_day_last_exactly_that_many_days(start, weeks):
    end = period_beginning_with(start, weeks=weeks)
    assert (end - start).days + 1 == 7 * weeks


@given(days, st.integers(min_value=1, max_value=24))
def test_month_periods_end_before_the_next_period_starts(start, months):
    end = period_beginning_with(start, months=months)
    assert start < end
    assert end.month in {(start.month - 1 + months) % 12 + 1, (start.month - 2 + months) % 12 + 1}


def test_bad_periods_are_refused():
    for kwargs in ({}, {"weeks": 1, "months": 1}, {"weeks": -1}):
        with pytest.raises(ValueError):
            period_beginning_with(D(2024, 1, 1), **kwargs)
