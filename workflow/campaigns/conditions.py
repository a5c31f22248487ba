"""A campaign's conditions while it is a draft: title, deadline, legal basis, the allowance of
programmes per municipality, reminder days and the participating municipalities; created and
edited here (the requirements have their own module)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..campaign_machine import CampaignState, TaskState
from ..errors import InvalidInput
from ..models import Campaign, CampaignParticipant, Municipality, Requirement, User
from .participation import participants
from .requirements import requirement_texts
from .rules import check_manager, clean_text, local_today, lock_in

MAX_TITLE = 300
MAX_LEGAL_BASIS = 5000
MAX_PROGRAMMES_LIMIT = 20
DEFAULT_REMINDER_DAYS = "7,1"
_REMINDER_RE = re.compile(r"^\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*$")


@dataclass
class CampaignSetup:
    """What the set-up form gives. `municipality_ids` None means every active municipality."""

    title: str
    deadline: date | None
    legal_basis: str = ""
    max_programmes: int | None = 1
    reminder_days: str = DEFAULT_REMINDER_DAYS
    municipality_ids: list[int] | None = None


def parse_reminder_days(text: str | None) -> str:
    """"7, 1" -> "7,1": distinct whole days before the deadline, largest first; "" for none."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _REMINDER_RE.match(text):
        raise InvalidInput("Напоминания: укажите дни до срока числами через запятую, "
                           "например «7,1»", field="reminder_days")
    days = sorted({int(d) for d in text.split(",")}, reverse=True)
    if any(d < 1 or d > 365 for d in days):
        raise InvalidInput("Напоминания: дни до срока — от 1 до 365", field="reminder_days")
    return ",".join(str(d) for d in days)


def reminder_days(campaign: Campaign) -> list[int]:
    """The days before the deadline on which reminders go out, largest first."""
    return [int(d) for d in (campaign.reminder_days or "").split(",") if d.strip()]


def _check_setup(session: Session, setup: CampaignSetup, now: datetime) -> dict:
    values = {
        "title": clean_text(setup.title, "Название кампании", MAX_TITLE, "title", required=True),
        "legal_basis": clean_text(setup.legal_basis, "Правовое основание", MAX_LEGAL_BASIS,
                              "legal_basis"),
        "reminder_days": parse_reminder_days(setup.reminder_days),
    }
    if setup.deadline is None:
        raise InvalidInput("Укажите срок представления программ", field="deadline")
    if setup.deadline < local_today(session, now):
        raise InvalidInput("Срок представления программ уже прошёл: укажите дату не раньше "
                           "сегодняшней", field="deadline")
    values["deadline"] = setup.deadline
    limit = setup.max_programmes
    if limit is not None and not (1 <= limit <= MAX_PROGRAMMES_LIMIT):
        raise InvalidInput(f"Число программ от муниципалитета — от 1 до {MAX_PROGRAMMES_LIMIT} "
                           "(или без ограничения)", field="max_programmes")
    values["max_programmes"] = limit
    return values


def _chosen_municipalities(session: Session, ids: list[int] | None) -> list[int]:
    active = select(Municipality.id).where(Municipality.active.is_(True))
    if ids is None:
        chosen = list(session.scalars(active.order_by(Municipality.id)))
    else:
        wanted = {int(i) for i in ids}
        chosen = list(session.scalars(active.where(Municipality.id.in_(wanted))
                                      .order_by(Municipality.id)))
        if len(chosen) != len(wanted):
            raise InvalidInput("Среди участников есть неизвестный или отключённый муниципалитет",
                               field="municipalities")
    if not chosen:
        raise InvalidInput("Выберите хотя бы один муниципалитет-участник", field="municipalities")
    return chosen


def create_campaign(
    session: Session, actor: User, setup: CampaignSetup, *, now: datetime,
    requirements: list[str] = (),
) -> Campaign:
    """A new campaign, as a draft, with its participants (tasks pending until it opens)."""
    check_manager(actor)
    values = _check_setup(session, setup, now)
    texts = requirement_texts(list(requirements))
    chosen = _chosen_municipalities(session, setup.municipality_ids)
    campaign = Campaign(
        **values, state=CampaignState.DRAFT, created_at=now, created_by_id=actor.id,
        requirements=[Requirement(position=i, text=t) for i, t in enumerate(texts, start=1)],
    )
    session.add(campaign)
    session.flush()
    session.add_all([CampaignParticipant(campaign_id=campaign.id, municipality_id=m,
                                         task_state=TaskState.PENDING) for m in chosen])
    session.flush()
    return campaign


def edit_campaign(session: Session, campaign: Campaign, actor: User, setup: CampaignSetup, *,
                  now: datetime) -> Campaign:
    """Change a draft's conditions and participants (the requirements have their own calls)."""
    check_manager(actor)
    lock_in(session, campaign, "edit")
    values = _check_setup(session, setup, now)
    chosen = set(_chosen_municipalities(session, setup.municipality_ids))
    for key, value in values.items():
        setattr(campaign, key, value)
    current = {p.municipality_id: p for p in participants(session, campaign)}
    for municipality_id, row in current.items():
        if municipality_id not in chosen:
            session.delete(row)
    session.add_all([CampaignParticipant(campaign_id=campaign.id, municipality_id=m,
                                         task_state=TaskState.PENDING)
                     for m in sorted(chosen - set(current))])
    session.flush()
    return campaign
