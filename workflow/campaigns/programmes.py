"""The rules a municipality's programmes obey inside a campaign: may one be started (the
campaign is open, the municipality takes part, within its allowance), the participant's
task following its programmes, and read-only programmes outside an open campaign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..campaign_machine import TaskState, refusal
from ..errors import IllegalTransition, PermissionDenied
from ..models import Campaign, CampaignParticipant, Programme
from ..states import ProgrammeState
from .participation import participant_count

# A programme the municipality still counts against its allowance (withdrawn ones do not).
_COUNTED = Programme.state != ProgrammeState.WITHDRAWN


def ensure_may_start_programme(session: Session, campaign: Campaign,
                               municipality_id: int) -> None:
    """Called by `programme_drafting.create_programme` before anything is written: the
    campaign is open, the municipality takes part, and it is within its allowance of
    programmes."""
    reason = refusal("start_programme", campaign.state)
    if reason:
        raise IllegalTransition(reason)
    participant = session.scalar(
        select(CampaignParticipant).where(CampaignParticipant.campaign_id == campaign.id,
                                          CampaignParticipant.municipality_id == municipality_id)
        .with_for_update())  # two tabs starting at once are counted one after the other
    if participant is None and participant_count(session, campaign.id):
        raise PermissionDenied("Ваш муниципалитет не участвует в этой кампании")
    limit = campaign.max_programmes
    if limit is None:
        return
    existing = session.execute(
        select(Programme.title, Programme.state)
        .where(Programme.campaign_id == campaign.id, Programme.municipality_id == municipality_id,
               _COUNTED).order_by(Programme.id)
    ).all()
    if len(existing) < limit:
        return
    if limit == 1:
        title, state = existing[0]
        if state == ProgrammeState.APPROVED:
            raise IllegalTransition(
                f"Программа муниципалитета по этой кампании уже согласована («{title}»): "
                "кампания предусматривает одну программу, вторая не принимается")
        raise IllegalTransition(
            f"Кампания предусматривает одну программу от муниципалитета: продолжите работу "
            f"над программой «{title}»")
    raise IllegalTransition(f"Кампания допускает не больше {limit} программ от муниципалитета: "
                            "это число уже достигнуто")


def programme_started(session: Session, campaign: Campaign, municipality_id: int, *,
                      now: datetime) -> None:
    """The participant's task moves from «не начата» to started with its first programme."""
    session.execute(
        update(CampaignParticipant)
        .where(CampaignParticipant.campaign_id == campaign.id,
               CampaignParticipant.municipality_id == municipality_id,
               CampaignParticipant.task_state != TaskState.STARTED)
        .values(task_state=TaskState.STARTED, started_at=now)
        .execution_options(synchronize_session=False)
    )


def programme_removed(session: Session, campaign: Campaign, municipality_id: int) -> None:
    """A deleted draft was the municipality's only programme: its task is «не начата» again."""
    left = session.scalar(select(func.count(Programme.id)).where(
        Programme.campaign_id == campaign.id, Programme.municipality_id == municipality_id))
    if left:
        return
    session.execute(
        update(CampaignParticipant)
        .where(CampaignParticipant.campaign_id == campaign.id,
               CampaignParticipant.municipality_id == municipality_id)
        .values(task_state=TaskState.NOT_STARTED, started_at=None)
        .execution_options(synchronize_session=False)
    )


def ensure_programmes_editable(campaign: Campaign) -> None:
    """A closed (or not yet open) campaign's programmes are read-only."""
    reason = refusal("edit_programme", campaign.state)
    if reason:
        raise IllegalTransition(reason)
