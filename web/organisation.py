"""The organisation's name and time zone, as every screen needs them.

They live in `OrganisationProfile` (edited by an admin), never in code. A page reads them once
(one small query, made only when the page shows a date or the footer), so a saved profile
shows on the very next page in every process. The query runs on a short read-only session,
not the request's: on SQLite the request's write session would take the write lock (BEGIN
IMMEDIATE) just to format a date, and block the rendering of a letter after its commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from workflow.models import OrganisationProfile
from workflow.timefmt import DEFAULT_TIMEZONE


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    timezone: str


def _load() -> OrganisationSettings:
    with current_app.extensions["read_session_factory"]() as session:
        row = session.execute(
            select(OrganisationProfile.name, OrganisationProfile.timezone)
            .order_by(OrganisationProfile.id).limit(1)
        ).first()
    if row is None:  # before the profile is filled in
        return OrganisationSettings(name="", timezone=DEFAULT_TIMEZONE)
    return OrganisationSettings(name=row.name or "", timezone=row.timezone or DEFAULT_TIMEZONE)


def organisation() -> OrganisationSettings:
    from .extensions import cached_per_request

    return cached_per_request("organisation", _load)
