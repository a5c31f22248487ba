"""Working days of the Russian production calendar: weekends, public holidays, the days off the
Government moves each year and the Saturdays that become working days.

The calendar comes from python-holidays (`RU`, maintained each year from the Government's
decree); this module only counts with it. Time limits of route stages and reminder dates are
counted here and nowhere else.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: date) -> bool:
    calendar = _calendar(day.year)
    if day in calendar.weekend_workdays:
        return True
    return day.weekday() < 5 and day not in calendar


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (0: `start` itself if it is a working day,
    else the next working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
