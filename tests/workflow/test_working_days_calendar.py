"""The Russian production calendar as python-holidays gives it, and the reminder dates and
"late" flags counted with it (workflow/working_days.py, workflow/deadlines.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays
import pytest

from workflow.deadlines import reminder_date, submission_status
from workflow.working_days import add_working_days, is_working_day, working_days_between

TZ = "Asia/Vladivostok"


def test_31_december_2026_is_a_day_off():
    assert date(2026, 12, 31).weekday() == 3  # a Thursday, made a day off by the decree
    assert not is_working_day(date(2026, 12, 31))
    assert is_working_day(date(2026, 12, 30))


def test_the_2027_new_year_holidays_run_to_8_january():
    assert not any(is_working_day(date(2027, 1, d)) for d in range(1, 9))
    assert is_working_day(date(2027, 1, 11))  # Monday
    # 30 December 2026 + 1 working day skips the whole break.
    assert add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 11)
    assert working_days_between(date(2026, 12, 30), date(2027, 1, 11)) == 1


def test_a_working_saturday_counts():
    saturdays = sorted(holidays.country_holidays("RU", years=2027).weekend_workdays)
    if not saturdays:
        pytest.skip("python-holidays lists no working Saturday for 2027")
    saturday = saturdays[0]
    assert saturday == date(2027, 2, 20) and saturday.weekday() == 5
    assert is_working_day(saturday)
    assert add_working_days(date(2027, 2, 19), 1) == saturday  # Friday -> that Saturday
    assert not is_working_day(date(2027, 2, 22))  # the Monday it was swapped with (23 Feb)


def test_a_reminder_date_on_a_day_off_moves_back_to_the_last_working_day():
    assert reminder_date(date(2026, 6, 1), 7) == date(2026, 5, 25)  # a Monday, as is
    assert reminder_date(date(2027, 1, 15), 7) == date(2026, 12, 30)  # 8 Jan -> 30 Dec
    assert reminder_date(date(2026, 6, 7), 0) == date(2026, 6, 5)  # Sunday -> Friday


def test_late_and_overdue_come_from_the_deadline_and_nothing_else():
    deadline = date(2026, 6, 1)
    # Not submitted: overdue from the day after the deadline, not on it.
    assert not submission_status(deadline, "draft", None, date(2026, 6, 1), TZ).overdue
    assert submission_status(deadline, "draft", None, date(2026, 6, 2), TZ).overdue
    # Submitted in time, however long ago: neither.
    in_time = datetime(2022, 7, 20, 1, 0, tzinfo=UTC)
    status = submission_status(deadline, "in_review", in_time, date(2030, 1, 1), TZ)
    assert not status.overdue and status.late_days is None
    # Four years late: flagged, by the organisation's calendar (23:30 UTC on 1 June is
    # 2 June in Vladivostok: one day late).
    assert submission_status(deadline, "approved", datetime(2030, 6, 1, 0, 0, tzinfo=UTC),
                             date(2030, 6, 2), TZ).late_days == 1461
    assert submission_status(deadline, "submitted", datetime(2026, 6, 1, 23, 30, tzinfo=UTC),
                             date(2026, 6, 2), TZ).late_days == 1
    assert submission_status(deadline, "submitted", datetime(2026, 6, 1, 13, 0, tzinfo=UTC),
                             date(2026, 6, 2), TZ).late_days is None
