"""Formatting for the screens: dates in the organisation's zone and the user's language,
plurals, state and history labels. Used by the page read models and, as Jinja globals and
filters, by the templates (web/blueprints/main.py)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from flask_babel import format_decimal

from workflow import timefmt
from workflow.machine import TRANSITIONS_BY_TRIGGER
from workflow.reassignment import HISTORY_LABELS
from workflow.states import PROGRAMME_STATE_LABELS, ProgrammeState, programme_state_label_for

from ..extensions import request_locale, request_timezone


def local_today(now: datetime) -> date:
    return timefmt.local_date(now, request_timezone())


@lru_cache(maxsize=8)
def _parsed_locale(locale: str) -> Locale:
    return Locale.parse(locale)


@lru_cache(maxsize=8)
def _month_names(locale: str) -> dict[int, str]:
    return dict(Locale.parse(locale).months["format"]["wide"])


# Babel parses and applies a pattern on every call (~70 µs); a list page shows fifty dates,
# so the two patterns we use are composed directly from the locale's month names.
def fmt_date(value: date | datetime | None) -> str:
    """A calendar date; an instant is first taken to the organisation's zone (a revision frozen
    at 23:30 UTC on 30 November is "1 декабря" in Vladivostok)."""
    if value is None:
        return ""
    value = timefmt.local_date(value, request_timezone())
    locale = request_locale()
    month = _month_names(locale)[value.month]
    if locale == "ru":
        return f"{value.day} {month} {value.year} г."
    return f"{month} {value.day}, {value.year}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timefmt.to_local(value, request_timezone())
    return f"{fmt_date(local.date())}, {local:%H:%M}"


def plural_word(n: int, one: str, few: str, many: str) -> str:
    """The form of the word for `n`, by the current locale's plural rules (ru: one, few,
    many)."""
    form = _parsed_locale(request_locale()).plural_form(n)
    return {"one": one, "few": few}.get(form, many)


def plural(n: int, one: str, few: str, many: str) -> str:
    return f"{format_decimal(n)} {plural_word(n, one, few, many)}"


def state_label(state: str, viewer=None) -> str:
    """The state's label for `viewer`: a municipality sees a pending decision as under review
    (workflow.states.programme_state_label_for)."""
    try:
        if viewer is not None:
            return programme_state_label_for(state, viewer)
        return PROGRAMME_STATE_LABELS[ProgrammeState(state)]
    except ValueError:
        return state


OTHER_TRIGGER_LABELS = HISTORY_LABELS


def trigger_label(trigger: str) -> str:
    spec = TRANSITIONS_BY_TRIGGER.get(trigger)
    return spec.label if spec else OTHER_TRIGGER_LABELS.get(trigger, trigger)
