"""Who may act for whom: an absent user's tasks go to their substitute for the period.

`principals(session, actor, now)` is the list of user ids on whose behalf `actor` may act at
`now`: always the actor, plus everyone who is absent and named the actor as substitute. The
route engine and signing ask this module and nothing else. An absence's dates are inclusive
and read in the organisation's time zone (a leave "until 14 July" ends at midnight in
Vladivostok, not in UTC).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, bindparam, cast, func, select
from sqlalchemy.orm import Session

from . import timefmt
from .models import Absence, OrganisationProfile, User


def local_today(session: Session, now: datetime, zone: str | None = None) -> date:
    """`zone`: the organisation's, when the caller has it already (one statement less)."""
    if zone is None:
        zone = session.scalar(select(OrganisationProfile.timezone)
                              .order_by(OrganisationProfile.id).limit(1))
    return timefmt.local_date(now, zone or "UTC")


def absent_on(day: date):
    """A WHERE clause: the absence covers `day` and is not cancelled."""
    return (Absence.cancelled_at.is_(None)) & (Absence.starts_on <= day) & (Absence.ends_on >= day)


# Asked on every ministry page: built once, who and when bound.
_SUBSTITUTED = (
    select(Absence.user_id)
    .where(Absence.substitute_id == bindparam("actor_id", type_=Integer),
           absent_on(bindparam("today", type_=Date())))
    .order_by(Absence.user_id)
)


def principals(session: Session, actor, now: datetime, zone: str | None = None) -> list[int]:
    today = local_today(session, now, zone)
    absent = session.scalars(_SUBSTITUTED, {"actor_id": actor.id, "today": today}).all()
    return [actor.id, *(uid for uid in dict.fromkeys(absent) if uid != actor.id)]


# The same question as a column of the statement that loads the user on every request (the
# session check, the API token): the ids of those absent on "today" (bound) who named the
# user as substitute, comma-separated, NULL when none. One round trip less on each page that
# asks for whom its user acts.
SUBSTITUTED_COLUMN = (
    select(func.aggregate_strings(cast(Absence.user_id, String()), ","))
    .where(Absence.substitute_id == User.id, absent_on(bindparam("today", type_=Date())))
    .correlate(User)
    .scalar_subquery()
)


def principals_from(actor_id: int, substituted: str | None) -> list[int]:
    """`principals` from SUBSTITUTED_COLUMN's value: the same list, in the same order."""
    absent = sorted({int(uid) for uid in (substituted or "").split(",") if uid} - {actor_id})
    return [actor_id, *absent]


def acting_for(session: Session, actor, principal_id: int | None, now: datetime) -> int | None:
    """The id to record as "за кого" when `actor` acts on a task of `principal_id`: None when
    it is the actor's own; `principal_id` when the actor substitutes them now."""
    if principal_id is None or principal_id == actor.id:
        return None
    return principal_id if principal_id in principals(session, actor, now) else None
