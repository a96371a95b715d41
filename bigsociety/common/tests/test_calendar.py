import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigsociety.common.calendar import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    period_beginning_with,
    uk_bank_holidays,
    working_days_between,
)

D = dt.date
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


def naive_add(start, n):
    """The definition, one day at a time: the reference the fast version must agree with."""
    day, remaining = start, n
    while remaining:
        day += dt.timedelta(days=1)
        remaining -= is_working_day(day)
    return day


def naive_between(start, end):
    return sum(
        is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )


# --- exact dates across each nation's holidays ---------------------------------------------


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        # Fri 19 Dec 2025: 25, 26 Dec, 1 Jan and Scotland's 2 Jan do not count.
        (D(2025, 12, 19), D(2026, 1, 22), "Christmas, New Year and 2 January (Scotland)"),
        # Easter 2025: Good Friday 18 April and Easter Monday 21 April (not a Scottish bank
        # holiday, but one in England, Wales and Northern Ireland), then 5 May.
        (D(2025, 4, 11), D(2025, 5, 14), "Easter and the early May bank holiday"),
        (D(2025, 3, 10), D(2025, 4, 8), "St Patrick's Day (Northern Ireland)"),
        # 12 July 2025 fell on a Saturday: Monday 14 July was the substitute day in NI.
        (D(2025, 7, 7), D(2025, 8, 6), "the Twelfth's substitute day and Scotland's August"),
        (D(2026, 11, 23), D(2026, 12, 22), "St Andrew's Day (Scotland), Monday 30 Nov 2026"),
        (D(2022, 9, 12), D(2022, 10, 11), "the Queen's funeral, Monday 19 September 2022"),
        (D(2023, 4, 28), D(2023, 5, 31), "1 May, the coronation on 8 May and 29 May 2023"),
        (D(2025, 6, 1), D(2025, 6, 27), "received on a Sunday: that day is still day 0"),
        (D(2025, 12, 25), D(2026, 1, 27), "received on a bank holiday"),
    ],
)
def test_twenty_working_days(received, due, why):
    assert add_working_days(received, 20) == due, why
    assert working_days_between(received, due) == 20, why


@pytest.mark.parametrize(
    ("start", "next_day", "why"),
    [
        (D(2025, 4, 17), D(2025, 4, 22), "Good Friday and Easter Monday"),
        (D(2024, 12, 31), D(2025, 1, 3), "1 January and Scotland's 2 January"),
        (D(2021, 12, 31), D(2022, 1, 5), "2022: Scotland's substitute days on 3 and 4 January"),
        (D(2025, 11, 28), D(2025, 12, 2), "St Andrew's Day 2025 was a Sunday: Monday 1 Dec"),
        (D(2025, 3, 14), D(2025, 3, 18), "St Patrick's Day, Monday 17 March 2025"),
        (D(2023, 7, 11), D(2023, 7, 13), "the Twelfth, Wednesday 12 July 2023"),
        (D(2022, 6, 1), D(2022, 6, 6), "the spring bank holiday and the Platinum Jubilee"),
        (D(2022, 9, 16), D(2022, 9, 20), "the Queen's funeral"),
        (D(2023, 5, 5), D(2023, 5, 9), "the coronation"),
        (D(2026, 12, 24), D(2026, 12, 29), "Christmas 2026: Boxing Day moved to Monday 28"),
        (D(2025, 8, 1), D(2025, 8, 5), "Scotland's summer bank holiday, first Monday in August"),
        (D(2025, 8, 22), D(2025, 8, 26), "the late summer bank holiday (not Scotland's)"),
    ],
)
def test_the_next_working_day_skips_every_nations_holidays(start, next_day, why):
    assert add_working_days(start, 1) == next_day, why


@pytest.mark.parametrize(
    ("day", "nation", "name"),
    [
        (D(2025, 1, 2), "Scotland", "New Year Holiday"),
        (D(2025, 3, 17), "Northern Ireland", "Saint Patrick's Day"),
        (D(2025, 7, 14), "Northern Ireland", "Battle of the Boyne (observed)"),
        (D(2025, 8, 4), "Scotland", "Summer Bank Holiday"),
        (D(2025, 8, 25), "England", "Late Summer Bank Holiday"),
        (D(2025, 12, 1), "Scotland", "Saint Andrew's Day (observed)"),
        (D(2026, 11, 30), "Scotland", "Saint Andrew's Day"),
        (D(2022, 9, 19), "Wales", "State Funeral of Queen Elizabeth II"),
        (D(2023, 5, 8), "Northern Ireland", "Coronation of Charles III"),
    ],
)
def test_each_nations_holidays_are_non_working(day, nation, name):
    assert not is_working_day(day)
    assert is_bank_holiday(day)
    assert (nation, name) in uk_bank_holidays(day.year)[day]


def test_easter_monday_is_not_scottish_but_the_union_counts_it():
    # given Easter Monday 2025
    easter_monday = D(2025, 4, 21)
    # when
    nations = [nation for nation, _ in uk_bank_holidays(2025)[easter_monday]]
    # then
    assert nations == ["England", "Wales", "Northern Ireland"]
    assert not is_working_day(easter_monday)
    good_friday = [nation for nation, _ in uk_bank_holidays(2025)[D(2025, 4, 18)]]
    assert good_friday == ["England", "Wales", "Scotland", "Northern Ireland"]


def test_one_day_can_carry_two_names_in_one_nation():
    # 2 January 2023 was both Scotland's New Year Holiday and the substitute for 1 January.
    assert uk_bank_holidays(2023)[D(2023, 1, 2)] == [
        ("England", "New Year's Day (observed)"),
        ("Wales", "New Year's Day (observed)"),
        ("Scotland", "New Year Holiday"),
        ("Scotland", "New Year's Day (observed)"),
        ("Northern Ireland", "New Year's Day (observed)"),
    ]


def test_the_2025_union_of_bank_holidays():
    assert [d.isoformat() for d in uk_bank_holidays(2025)] == [
        "2025-01-01",
        "2025-01-02",
        "2025-03-17",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-07-12",
        "2025-07-14",
        "2025-08-04",
        "2025-08-25",
        "2025-11-30",
        "2025-12-01",
        "2025-12-25",
        "2025-12-26",
    ]


def test_the_returned_holidays_are_a_fresh_copy():
    uk_bank_holidays(2025)[D(2025, 6, 4)] = [("England", "made up")]
    uk_bank_holidays(2025)[D(2025, 1, 1)].clear()
    assert D(2025, 6, 4) not in uk_bank_holidays(2025)
    assert len(uk_bank_holidays(2025)[D(2025, 1, 1)]) == 4
    assert is_working_day(D(2025, 6, 4))


def test_ordinary_days():
    assert is_working_day(D(2025, 6, 4))  # Wednesday
    assert not is_working_day(D(2025, 6, 7))  # Saturday
    assert not is_working_day(D(2025, 6, 8))  # Sunday
    assert not is_bank_holiday(D(2025, 6, 7))
    assert is_bank_holiday(D(2025, 7, 12))  # the Twelfth, on a Saturday
    assert next_working_day(D(2025, 12, 25)) == D(2025, 12, 29)
    assert next_working_day(D(2025, 6, 4)) == D(2025, 6, 4)


def test_datetimes_are_treated_as_their_date():
    christmas_morning = dt.datetime(2025, 12, 25, 9, 30)
    assert not is_working_day(christmas_morning)
    assert add_working_days(christmas_morning, 1) == D(2025, 12, 29)
    assert working_days_between(christmas_morning, D(2025, 12, 29)) == 1


def test_counting_back_and_zero():
    assert add_working_days(D(2026, 1, 5), 0) == D(2026, 1, 5)
    assert add_working_days(D(2026, 1, 5), -1) == D(2025, 12, 31)  # not 1 or 2 January
    assert add_working_days(D(2026, 1, 5), -3) == D(2025, 12, 29)
    assert add_working_days(D(2026, 1, 5), -4) == D(2025, 12, 24)  # not 25 or 26 December
    assert working_days_between(D(2026, 1, 5), D(2025, 12, 24)) == -4
    assert working_days_between(D(2025, 12, 24), D(2025, 12, 24)) == 0


def test_long_spans_agree_with_counting_day_by_day():
    start, end = D(2000, 1, 1), D(2040, 12, 31)
    assert working_days_between(start, end) == naive_between(start, end)
    assert add_working_days(start, 5000) == naive_add(start, 5000)


# --- properties ----------------------------------------------------------------------------


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=400))
def test_adding_agrees_with_the_day_by_day_definition(start, n):
    assert add_working_days(start, n) == naive_add(start, n)


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=800))
def test_counting_agrees_with_the_day_by_day_definition(start, span):
    end = start + dt.timedelta(days=span)
    assert working_days_between(start, end) == naive_between(start, end)
    assert working_days_between(end, start) == -naive_between(start, end)


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=400))
def test_the_result_is_always_a_working_day_never_a_weekend(start, n):
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert due.weekday() < 5
    assert not is_bank_holiday(due)
    back = add_working_days(start, -n)
    assert is_working_day(back)
    assert back < start < due


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=200))
def test_more_working_days_never_end_earlier(start, a, b):
    low, high = sorted((a, b))
    assert add_working_days(start, low) <= add_working_days(start, high)
    if low < high:
        assert add_working_days(start, low) < add_working_days(start, high)


@settings(deadline=None)
@given(days, days)
def test_later_starts_never_end_earlier(a, b):
    early, late = sorted((a, b))
    assert add_working_days(early, 20) <= add_working_days(late, 20)


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=400))
def test_adding_then_counting_round_trips(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=400))
def test_counting_back_round_trips_from_a_working_day(start, n):
    day = next_working_day(start)
    assert add_working_days(add_working_days(day, -n), n) == day
    assert add_working_days(add_working_days(day, n), -n) == day


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=200))
def test_the_nth_working_day_is_the_first_day_with_n_working_days_counted(start, n):
    due = add_working_days(start, n)
    assert working_days_between(start, due - dt.timedelta(days=1)) == n - 1
    assert (due - start).days >= n


@settings(deadline=None)
@given(days, days, days)
def test_counts_add_up_over_consecutive_spans(a, b, c):
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


# --- periods beginning with a day ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "kwargs", "end"),
    [
        (D(2024, 1, 1), {"weeks": 6}, D(2024, 2, 11)),  # the brief's example
        (D(2024, 1, 1), {"days": 1}, D(2024, 1, 1)),
        (D(2024, 1, 1), {"days": 28}, D(2024, 1, 28)),
        (D(2024, 1, 15), {"months": 6}, D(2024, 7, 14)),
        (D(2024, 1, 1), {"months": 1}, D(2024, 1, 31)),
        (D(2024, 12, 1), {"months": 1}, D(2024, 12, 31)),
        (D(2024, 11, 15), {"months": 3}, D(2025, 2, 14)),  # across a year end
        (D(2023, 8, 29), {"months": 6}, D(2024, 2, 28)),  # 29 Feb 2024 exists: day before
        (D(2023, 8, 30), {"months": 6}, D(2024, 2, 29)),  # no 30 Feb: end of February
        (D(2023, 8, 31), {"months": 6}, D(2024, 2, 29)),  # no 31 Feb: end of February
        (D(2024, 8, 31), {"months": 6}, D(2025, 2, 28)),
        (D(2023, 8, 31), {"months": 1}, D(2023, 9, 30)),  # no 31 Sept
        (D(2024, 1, 31), {"months": 1}, D(2024, 2, 29)),
        (D(2024, 3, 31), {"months": 1}, D(2024, 4, 30)),
        (D(2024, 2, 29), {"months": 12}, D(2025, 2, 28)),
        (D(2024, 5, 31), {"months": 1}, D(2024, 6, 30)),
        (D(2024, 6, 30), {"months": 1}, D(2024, 7, 29)),
    ],
)
def test_periods_beginning_with_a_day(start, kwargs, end):
    assert period_beginning_with(start, **kwargs) == end


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=104))
def test_weeks_beginning_with_a_day_last_exactly_that_many_days(start, weeks):
    end = period_beginning_with(start, weeks=weeks)
    assert (end - start).days + 1 == 7 * weeks
    assert end.weekday() == (start.weekday() - 1) % 7


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=36))
def test_a_month_period_ends_in_the_right_month(start, months):
    end = period_beginning_with(start, months=months)
    index = start.month - 1 + months
    target_year, target_month = start.year + index // 12, index % 12 + 1
    assert start < end
    if start.day == 1:  # ends on the last day of the month before
        assert end + dt.timedelta(days=1) == D(target_year, target_month, 1)
    else:
        assert (end.year, end.month) == (target_year, target_month)


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=36))
def test_month_periods_follow_the_corresponding_date_rule(start, months):
    # The day before the corresponding date N months later; with none, that month's last day.
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    try:
        expected = D(year, month, start.day) - dt.timedelta(days=1)
    except ValueError:  # no corresponding date (31 February)
        expected = (D(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    assert period_beginning_with(start, months=months) == expected


@settings(deadline=None)
@given(days, days, st.integers(min_value=1, max_value=24))
def test_later_starts_never_end_earlier_periods(a, b, months):
    early, late = sorted((a, b))
    assert period_beginning_with(early, months=months) <= period_beginning_with(late, months=months)


@settings(deadline=None)
@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 28)).filter(lambda d: d.day <= 28),
    st.integers(min_value=1, max_value=24),
    st.integers(min_value=1, max_value=24),
)
def test_consecutive_month_periods_join_up(start, first, second):
    # Where every month has the corresponding date, N months then M months is N + M months.
    end_first = period_beginning_with(start, months=first)
    end_both = period_beginning_with(end_first + dt.timedelta(days=1), months=second)
    assert end_both == period_beginning_with(start, months=first + second)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"weeks": 1, "months": 1}, {"days": 3, "weeks": 1}, {"weeks": -1}, {"months": -2}],
)
def test_bad_periods_are_refused(kwargs):
    with pytest.raises(ValueError, match="exactly one"):
        period_beginning_with(D(2024, 1, 1), **kwargs)
