"""The organisation's name and time zone, as every screen needs them.

They live in `OrganisationProfile` (edited by an admin), never in code. A page reads them once
(with the session check of a signed-in user, else one small query, made only when the page
shows a date or the footer), so a saved profile
shows on the very next page in every process. A GET reads them on its own (read-only)
session; any other request on a short read-only session of their own: on SQLite the request's
write session would take the write lock (BEGIN IMMEDIATE) just to format a date, and block
the rendering of a letter after its commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, has_request_context, request
from sqlalchemy import select

from workflow import timefmt
from workflow.models import OrganisationProfile
from workflow.timefmt import DEFAULT_TIMEZONE


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    timezone: str


_QUERY = (select(OrganisationProfile.name, OrganisationProfile.timezone)
          .order_by(OrganisationProfile.id).limit(1))


def _load() -> OrganisationSettings:
    if has_request_context() and request.method in ("GET", "HEAD"):
        # The request's session is read-only then (web/database.py): no second connection,
        # no second transaction.
        from .database import db

        row = db().execute(_QUERY).first()
    else:
        with current_app.extensions["read_session_factory"]() as session:
            row = session.execute(_QUERY).first()
    if row is None:  # before the profile is filled in
        return _settings(None, None)
    return _settings(row.name, row.timezone)


def _settings(name: str | None, timezone: str | None) -> OrganisationSettings:
    return OrganisationSettings(name=name or "", timezone=timezone or DEFAULT_TIMEZONE)


# The time zone the last request of this process found (see `expected_today`).
_last_timezone = DEFAULT_TIMEZONE


def expected_today(moment: datetime) -> tuple[str, date]:
    """(zone, the day it is there) for the zone the last request of this process found.

    The statement that loads the user (the session check, the API token) reads the profile
    together with what depends on the day (the badges, the principals), so it must be bound
    with a day before it says which zone is the organisation's: the caller keeps those values
    only if `remember` then says the same zone, and asks for them on their own otherwise."""
    zone = _last_timezone
    return zone, timefmt.local_date(moment, zone)


def day_values_hold(zone: str, settings: OrganisationSettings) -> bool:
    """Whether what the user's statement read for `expected_today`'s day is kept for the
    request: the profile read says the zone guessed, and the request is a GET, which changes
    nothing those values depend on (another request may: reading a notification, declaring
    an absence)."""
    return settings.timezone == zone and request.method in ("GET", "HEAD")


def remember(name: str | None, timezone: str | None) -> OrganisationSettings:
    """The profile as the session check read it (workflow.user_sessions.load_live, the same
    statement): the request needs no query of its own."""
    global _last_timezone
    from .extensions import remember_per_request

    settings = _settings(name, timezone)
    _last_timezone = settings.timezone
    remember_per_request("organisation", settings)
    return settings


def organisation() -> OrganisationSettings:
    from .extensions import cached_per_request

    return cached_per_request("organisation", _load)
