"""Campaigns in the API: the list and one campaign with its requirements and deadline.

The response shapes are pydantic v2 models, declared once: the handlers serialise with them
and the OpenAPI document takes their JSON schemas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from workflow import campaigns
from workflow.campaign_machine import CAMPAIGN_STATE_LABELS, CampaignState
from workflow.models import Campaign, CampaignParticipant

from ..database import db
from .common import ID, actor, paginate
from .fields import PageQuery
from .parsing import parse_query
from .registry import operation

CampaignStateName = Literal["draft", "open", "closed", "cancelled"]


class CampaignQuery(PageQuery):
    state: CampaignState | None = Field(None, description="Состояние кампании")


class CampaignRequirement(BaseModel):
    id: int
    position: int = Field(description="Номер требования в письме, с 1")
    text: str


class CampaignSummary(BaseModel):
    id: int
    title: str
    state: CampaignStateName
    state_label: str
    deadline: date = Field(description="Срок представления программ")
    circular_number: str | None = Field(description="Номер циркулярного письма, например 23/6666")
    circular_date: date | None
    max_programmes: int | None = Field(description="Сколько программ может представить "
                                                    "муниципалитет; null — без ограничения")
    participants_count: int = Field(description="Число муниципалитетов-участников (0 — кампания "
                                                "без учёта участников: все муниципалитеты)")


class CampaignDetail(CampaignSummary):
    legal_basis: str
    reminder_days: list[int] = Field(description="За сколько дней до срока напоминать")
    opened_at: datetime | None
    closed_at: datetime | None
    closed_reason: str | None
    requirements: list[CampaignRequirement]


class CampaignList(BaseModel):
    items: list[CampaignSummary]
    total: int
    page: int
    per_page: int


def _summary_fields(campaign: Campaign, count: int) -> dict:
    return {
        "id": campaign.id, "title": campaign.title, "state": campaign.state,
        "state_label": CAMPAIGN_STATE_LABELS[CampaignState(campaign.state)],
        "deadline": campaign.deadline, "circular_number": campaign.circular_number,
        "circular_date": campaign.circular_date, "max_programmes": campaign.max_programmes,
        "participants_count": count,
    }


def _counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db().execute(
        select(CampaignParticipant.campaign_id, func.count(CampaignParticipant.id))
        .where(CampaignParticipant.campaign_id.in_(ids))
        .group_by(CampaignParticipant.campaign_id)).all())


@operation("get", "/campaigns", "Кампании, видимые пользователю (муниципалитету — "
           "объявленные, в которых он участвует)", tag="campaigns", ok=CampaignList,
           query=CampaignQuery, errors=(400, 401))
def list_campaigns():
    state = parse_query(CampaignQuery).state
    stmt = select(Campaign).where(campaigns.visible_campaigns_filter(actor()))
    if state:
        stmt = stmt.where(Campaign.state == state)
    page = paginate(db(), stmt, (Campaign.deadline.desc(), Campaign.id.desc()), lambda c: c)
    counts = _counts([c.id for c in page["items"]])
    page["items"] = [CampaignSummary(**_summary_fields(c, counts.get(c.id, 0)))
                     for c in page["items"]]
    return CampaignList(**page).model_dump(mode="json")


@operation("get", f"/campaigns/<{ID}:campaign_id>", "Кампания: требования, срок, состояние, "
           "число участников", tag="campaigns", ok=CampaignDetail, errors=(401, 404))
def get_campaign(campaign_id: int):
    session = db()
    campaign = campaigns.get_visible(session, campaign_id, actor())
    detail = CampaignDetail(
        **_summary_fields(campaign, campaigns.participant_count(session, campaign.id)),
        legal_basis=campaign.legal_basis, reminder_days=campaigns.reminder_days(campaign),
        opened_at=campaign.opened_at, closed_at=campaign.closed_at,
        closed_reason=campaign.closed_reason,
        requirements=[CampaignRequirement(id=r.id, position=r.position, text=r.text)
                      for r in campaign.requirements],
    )
    return detail.model_dump(mode="json")
