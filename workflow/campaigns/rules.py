"""What every campaign use case checks first: who manages campaigns, the campaign row's lock
and state, the organisation's today, and a cleaned text field."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import timefmt
from ..access import ensure_active
from ..campaign_machine import refusal
from ..errors import IllegalTransition, InvalidInput, PermissionDenied
from ..models import Campaign, OrganisationProfile, User
from ..states import Role
from ..text import check_text


def may_manage(actor: User) -> bool:
    """An administrator, or a head of department (the flag comes with the routes work)."""
    return actor.active and (actor.role == Role.ADMIN or bool(getattr(actor, "heads_department",
                                                                       False)))


def check_manager(actor: User) -> None:
    ensure_active(actor)
    if not may_manage(actor):
        raise PermissionDenied("Кампании ведут администратор и начальники отделов министерства")


def local_today(session: Session, now: datetime) -> date:
    tz = session.scalar(select(OrganisationProfile.timezone).order_by(OrganisationProfile.id)
                        .limit(1))
    return timefmt.local_date(now, tz or "Asia/Vladivostok")


def clean_text(value: str | None, what: str, limit: int, field: str, *, required: bool = False) -> str:
    value = check_text(value or "", what, field).replace("\r\n", "\n").strip()
    if required and not value:
        raise InvalidInput(f"Заполните поле «{what}»", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Поле «{what}» длиннее {limit} символов", field=field)
    return value


def lock_in(session: Session, campaign: Campaign, action: str) -> Campaign:
    """Lock the campaign's row and check that `action` is allowed in its current state."""
    session.refresh(campaign, with_for_update={"of": Campaign})
    reason = refusal(action, campaign.state)
    if reason:
        raise IllegalTransition(reason)
    return campaign
