"""Which municipalities take part in a campaign, and which campaigns a user sees."""

from __future__ import annotations

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..access import ensure_active
from ..campaign_machine import CampaignState
from ..errors import NotFound
from ..models import Campaign, CampaignParticipant, Municipality, User
from ..states import Role


def participants_select(campaign_id: int) -> Select:
    """(CampaignParticipant, Municipality) rows of a campaign, by municipality name: the
    query the campaign page builds its table on (one statement, whatever the count)."""
    return (select(CampaignParticipant, Municipality)
            .join(Municipality, Municipality.id == CampaignParticipant.municipality_id)
            .where(CampaignParticipant.campaign_id == campaign_id)
            .order_by(Municipality.name, Municipality.id))


def participants(session: Session, campaign: Campaign) -> list[CampaignParticipant]:
    """The campaign's participants (their municipality loaded), by municipality name."""
    return list(session.scalars(
        select(CampaignParticipant)
        .join(Municipality, Municipality.id == CampaignParticipant.municipality_id)
        .options(joinedload(CampaignParticipant.municipality))
        .where(CampaignParticipant.campaign_id == campaign.id)
        .order_by(Municipality.name, Municipality.id)
    ))


def participant_count(session: Session, campaign_id: int) -> int:
    return session.scalar(select(func.count(CampaignParticipant.id))
                          .where(CampaignParticipant.campaign_id == campaign_id)) or 0


def _no_participant_rows():
    return ~exists().where(CampaignParticipant.campaign_id == Campaign.id)


def takes_part_filter(municipality_id: int):
    """A WHERE clause on Campaign: the municipality takes part (a campaign with no
    participant rows, from before they existed, calls on everyone)."""
    return or_(
        exists().where(CampaignParticipant.campaign_id == Campaign.id,
                       CampaignParticipant.municipality_id == municipality_id),
        _no_participant_rows(),
    )


def visible_campaigns_filter(actor: User):
    """The ministry sees every campaign; a municipality those it takes part in, once open."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return and_(Campaign.state.in_([CampaignState.OPEN, CampaignState.CLOSED]),
                    takes_part_filter(actor.municipality_id))
    return Campaign.id.is_not(None)


def get_visible(session: Session, campaign_id: int, actor: User) -> Campaign:
    ensure_active(actor)
    campaign = session.scalar(select(Campaign).where(Campaign.id == campaign_id,
                                                     visible_campaigns_filter(actor)))
    if campaign is None:
        raise NotFound("Кампания не найдена")
    return campaign
