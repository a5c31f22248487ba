"""How the screens write dates, numbers and labels, and the Jinja filters and globals that
expose them to every template. One place: the blueprints hold none of them.

Dates are shown in the organisation's calendar (`request_timezone`, from the profile) and
the reader's language (`request_locale`).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from flask import Flask, url_for
from flask_babel import format_decimal
from flask_login import current_user

from workflow import timefmt
from workflow.states import (
    LETTER_KIND_LABELS,
    LETTER_STATE_LABELS,
    PROGRAMME_STATE_LABELS,
    REMARK_STATE_LABELS,
    REMARK_VISIBILITY_LABELS,
    ROLE_LABELS,
    VERDICT_LABELS,
)

from .extensions import cached_per_request, request_locale, request_timezone
from .i18n_labels import TranslatedLabels, tr


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


def ddmmyyyy(value: date | datetime | None) -> str:
    """"15.07.2022", as letters and the journal print a registration date."""
    return timefmt.ddmmyyyy(value, request_timezone())


def plural_word(n: int, one: str, few: str, many: str) -> str:
    """The form of the word for `n`, by the current locale's plural rules (ru: one, few,
    many)."""
    form = _parsed_locale(request_locale()).plural_form(n)
    return {"one": one, "few": few}.get(form, many)


def plural(n: int, one: str, few: str, many: str) -> str:
    return f"{format_decimal(n)} {plural_word(n, one, few, many)}"


# ---------------------------------------------------------------- Jinja
# `viewmodels` is imported inside the helpers: it is to take its date formatting from here.


# A list shows the same few states on every row: each label is looked up (as the viewer may
# see it) and translated once per request, not once per row.
def _state_label(state: str) -> str:
    labels = cached_per_request("state_labels", dict)
    label = labels.get(state)
    if label is None:
        from .viewmodels import state_label

        viewer = current_user.user if current_user.is_authenticated else None
        label = labels[state] = tr(state_label(state, viewer))
    return label


def _trigger_label(trigger: str) -> str:
    labels = cached_per_request("trigger_labels", dict)
    label = labels.get(trigger)
    if label is None:
        from .viewmodels import trigger_label

        label = labels[trigger] = tr(trigger_label(trigger))
    return label


def programme_url(programme_id: int) -> str:
    """`url_for('programmes.show', programme_id=...)` for the rows of a list: the route is
    built once per request and the id appended (url_for costs more than the rest of a row)."""
    prefix = cached_per_request(
        "programme_url", lambda: url_for("programmes.show", programme_id=0)[:-1])
    return f"{prefix}{programme_id}"


def _notification_form():
    """The layout's "mark as read" buttons post this (CSRF only)."""
    from .forms import SimplePostForm

    return SimplePostForm(formdata=None)


def _template_globals() -> dict:
    return {
        "notification_form": _notification_form,
        "state_label": _state_label,
        "trigger_label": _trigger_label,
        "programme_url": programme_url,
        "plural": plural,
        "plural_word": plural_word,
        "ddmmyyyy": ddmmyyyy,
        "ROLE_LABELS": TranslatedLabels(ROLE_LABELS),
        "REMARK_STATE_LABELS": TranslatedLabels(REMARK_STATE_LABELS),
        "REMARK_VISIBILITY_LABELS": TranslatedLabels(REMARK_VISIBILITY_LABELS),
        "VERDICT_LABELS": TranslatedLabels(VERDICT_LABELS),
        "LETTER_KIND_LABELS": TranslatedLabels(LETTER_KIND_LABELS),
        "LETTER_STATE_LABELS": TranslatedLabels(LETTER_STATE_LABELS),
        "PROGRAMME_STATE_LABELS": TranslatedLabels(PROGRAMME_STATE_LABELS),
    }


def init_app(app: Flask) -> None:
    """Every template's filters (`dt`, `d`, `tr`) and shared helpers."""
    app.add_template_filter(fmt_datetime, "dt")
    app.add_template_filter(fmt_date, "d")
    # A label from `workflow` (a state, an action) in the current language.
    app.add_template_filter(tr, "tr")
    app.context_processor(_template_globals)
