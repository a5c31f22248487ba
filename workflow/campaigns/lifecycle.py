"""A campaign's life after set-up: opened by its signed circular, closed when every
programme is decided (or earlier with a reason), cancelled while a draft. The table of
states is `campaign_machine.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import timefmt
from ..campaign_machine import (
    CAMPAIGN_STATE_LABELS,
    CAMPAIGN_TRANSITIONS_BY_TRIGGER,
    CampaignState,
    TaskState,
    next_campaign_state,
)
from ..errors import IllegalTransition, InvalidInput
from ..models import Campaign, CampaignParticipant, Letter, Programme, User
from ..notifications import notify
from ..states import LetterKind, LetterState, ProgrammeState, Role
from .participation import participants
from .rules import check_manager, clean_text, local_today

MAX_REASON = 2000
_DECIDED = (ProgrammeState.APPROVED, ProgrammeState.WITHDRAWN)


def on_circular_signed(session: Session, letter: Letter, *, now: datetime) -> Campaign | None:
    """The hook `letters.sign_letter` calls: a signed circular of a draft campaign opens it,
    in the signing transaction. Any other letter, or a campaign already open, is left alone."""
    if letter.kind != LetterKind.CIRCULAR or letter.campaign_id is None:
        return None
    campaign = session.get(Campaign, letter.campaign_id, with_for_update={"of": Campaign},
                           populate_existing=True)
    if campaign is None or campaign.state != CampaignState.DRAFT:
        return None
    return open_campaign(session, campaign, letter, now=now)


def open_campaign(session: Session, campaign: Campaign, letter: Letter, *,
                  now: datetime) -> Campaign:
    """draft -> open: the circular's registration becomes the campaign's, every participant
    gets its task («не начата») and its editors a notification."""
    dest = next_campaign_state(campaign.state, "open")
    if dest is None:
        raise IllegalTransition("Кампанию можно объявить только из подготовки")
    if campaign.deadline < local_today(session, now):
        raise IllegalTransition("Срок представления программ уже прошёл: измените срок "
                                "кампании и подготовьте новое письмо")
    campaign.state = dest
    campaign.opened_at = now
    campaign.circular_number = letter.number
    campaign.circular_date = letter.registered_on
    session.execute(
        update(CampaignParticipant)
        .where(CampaignParticipant.campaign_id == campaign.id)
        .values(task_state=TaskState.NOT_STARTED, opened_at=now)
        .execution_options(synchronize_session=False)
    )
    editors = session.scalars(
        select(User).join(CampaignParticipant,
                          CampaignParticipant.municipality_id == User.municipality_id)
        .where(CampaignParticipant.campaign_id == campaign.id,
               User.role == Role.MUNICIPAL_EDITOR, User.active.is_(True))
        .order_by(User.id)
    ).all()
    notify(session, editors, kind="campaign_opened", now=now, link="/",
           text=(f"Объявлен приём программ: «{campaign.title}» (письмо № {letter.number}). "
                 f"Срок представления — до {timefmt.ddmmyyyy(campaign.deadline)}."))
    session.flush()
    return campaign


def all_decided(session: Session, campaign: Campaign) -> bool:
    """Every participant has an approved programme and nothing is still in work."""
    rows = participants(session, campaign)
    if not rows:
        return False
    in_work = session.scalar(select(func.count(Programme.id)).where(
        Programme.campaign_id == campaign.id, Programme.state.notin_(_DECIDED)))
    if in_work:
        return False
    approved = set(session.scalars(select(Programme.municipality_id).where(
        Programme.campaign_id == campaign.id, Programme.state == ProgrammeState.APPROVED)))
    return all(p.municipality_id in approved for p in rows)


def close_campaign(session: Session, campaign: Campaign, actor: User, *, now: datetime,
                   reason: str = "") -> Campaign:
    """open -> closed: without a reason only when every participant's programme is decided;
    the administrator closes earlier giving the reason. Afterwards the campaign is read-only."""
    check_manager(actor)
    reason = clean_text(reason, "Причина завершения", MAX_REASON, "reason")
    session.refresh(campaign, with_for_update={"of": Campaign})
    dest = next_campaign_state(campaign.state, "close")
    if dest is None:
        raise IllegalTransition(f"Завершить можно только кампанию, по которой идёт приём "
                                f"программ; сейчас: «{CAMPAIGN_STATE_LABELS[campaign.state]}»")
    if not reason and not all_decided(session, campaign):
        raise InvalidInput("Не все программы рассмотрены: укажите причину досрочного "
                           "завершения", field="reason")
    campaign.state = dest
    campaign.closed_at = now
    campaign.closed_by_id = actor.id
    campaign.closed_reason = reason or "Все программы рассмотрены"
    session.flush()
    return campaign


def cancel_campaign(session: Session, campaign: Campaign, actor: User, *, now: datetime,
                    reason: str) -> Campaign:
    """draft -> cancelled; its draft circular, if any, is cancelled with it."""
    check_manager(actor)
    spec = CAMPAIGN_TRANSITIONS_BY_TRIGGER["cancel"]
    reason = clean_text(reason, "Причина отмены", MAX_REASON, "reason", required=spec.needs_reason)
    session.refresh(campaign, with_for_update={"of": Campaign})
    dest = next_campaign_state(campaign.state, "cancel")
    if dest is None:
        raise IllegalTransition("Отменить можно только кампанию в подготовке")
    campaign.state = dest
    campaign.closed_at = now
    campaign.closed_by_id = actor.id
    campaign.closed_reason = reason
    session.execute(
        update(Letter).where(Letter.campaign_id == campaign.id,
                             Letter.kind == LetterKind.CIRCULAR,
                             Letter.state == LetterState.DRAFT)
        .values(state=LetterState.CANCELLED, version=Letter.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return campaign
