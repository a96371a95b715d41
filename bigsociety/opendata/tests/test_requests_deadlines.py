"""Due dates: day of receipt is day 0, then 20 working days (40 for very overdue), skipping
weekends and the bank holidays of every UK nation."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigsociety.common.calendar import add_working_days, is_working_day
from bigsociety.opendata.services.requests import deadlines_from

D = dt.date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        # Christmas and New Year: 25, 26 Dec and 1 Jan everywhere, 2 Jan in Scotland.
        (D(2025, 12, 11), D(2026, 1, 14), "Christmas, Boxing Day, New Year, 2 January (Scotland)"),
        # Easter: Good Friday everywhere, Easter Monday outside Scotland.
        (D(2026, 3, 25), D(2026, 4, 24), "Good Friday and Easter Monday 2026"),
        # Northern Ireland: St Patrick's Day (Tuesday 17 March 2026).
        (D(2026, 3, 2), D(2026, 3, 31), "St Patrick's Day (Northern Ireland)"),
        # Northern Ireland's Battle of the Boyne and Scotland's summer bank holiday.
        (D(2027, 7, 5), D(2027, 8, 4), "12 July (NI) and first Monday of August (Scotland)"),
        # Scotland: St Andrew's Day (Monday 30 November 2026).
        (D(2026, 11, 16), D(2026, 12, 15), "St Andrew's Day (Scotland)"),
        # Received on a Saturday: that Saturday is still day 0.
        (D(2026, 3, 7), D(2026, 4, 8), "weekend receipt, St Patrick's Day and Easter"),
        # An ordinary month: four weeks exactly.
        (D(2025, 10, 1), D(2025, 10, 29), "no holidays"),
    ],
)
def test_due_dates_skip_weekends_and_every_uk_nations_bank_holidays(received, due, why):
    assert deadlines_from(received)[0] == due, why


def test_very_overdue_after_forty_working_days_across_christmas():
    # given a request received on Thursday 11 December 2025
    # then it is due on 14 January and very overdue after 11 February 2026
    assert deadlines_from(D(2025, 12, 11)) == (D(2026, 1, 14), D(2026, 2, 11))


days = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 6, 30))


@settings(max_examples=300, deadline=None)
@given(received=days)
def test_due_date_is_the_twentieth_working_day_after_receipt(received):
    due, very_overdue = deadlines_from(received)
    # then exactly 20 working days lie after the day of receipt up to and including the due day
    between = [received + dt.timedelta(days=n) for n in range(1, (due - received).days + 1)]
    assert sum(is_working_day(d) for d in between) == 20
    assert is_working_day(due)
    assert due.weekday() < 5
    # and 20 working days later it is very overdue
    assert very_overdue == add_working_days(due, 20)
    # and a Sunday receipt is the quickest (26 days), holidays add at most a week
    assert 26 <= (due - received).days <= 36


@settings(max_examples=200, deadline=None)
@given(received=days, later=st.integers(min_value=0, max_value=60))
def test_a_later_day_zero_never_gives_an_earlier_due_date(received, later):
    # The clock restarting from a clarification can only move the due date later.
    assert deadlines_from(received + dt.timedelta(days=later))[0] >= deadlines_from(received)[0]
