"""Campaigns in the API: the list and one campaign with its requirements and deadline.

The response shapes are pydantic v2 models, declared once: the handlers serialise with them
and the OpenAPI document takes their JSON schemas (`OPENAPI_SCHEMAS`, `OPENAPI_PATHS`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from workflow import campaigns
from workflow.campaign_machine import CAMPAIGN_STATE_LABELS, CampaignState
from workflow.models import Campaign, CampaignParticipant

from ..database import db
from . import bp
from .common import ID, actor, paginate
from .validation import query_enum

CampaignStateName = Literal["draft", "open", "closed", "cancelled"]


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


@bp.get("/campaigns")
def list_campaigns():
    state = query_enum("state", CampaignState)
    stmt = select(Campaign).where(campaigns.visible_campaigns_filter(actor()))
    if state:
        stmt = stmt.where(Campaign.state == state)
    page = paginate(db(), stmt, (Campaign.deadline.desc(), Campaign.id.desc()), lambda c: c)
    counts = _counts([c.id for c in page["items"]])
    page["items"] = [CampaignSummary(**_summary_fields(c, counts.get(c.id, 0)))
                     for c in page["items"]]
    return CampaignList(**page).model_dump(mode="json")


@bp.get(f"/campaigns/<{ID}:campaign_id>")
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


# ---------------------------------------------------------------- the OpenAPI part

def _schemas() -> dict:
    out: dict = {}
    for model in (CampaignRequirement, CampaignSummary, CampaignDetail, CampaignList):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


OPENAPI_SCHEMAS = _schemas()


def openapi_paths(op, ok, errors, path_id, query, paging) -> dict:
    """The paths, built with openapi.py's helpers (passed in: no import cycle)."""
    return {
        "/campaigns": {
            "get": op("listCampaigns", "Кампании, видимые пользователю (муниципалитету — "
                      "объявленные, в которых он участвует)",
                      {**ok("CampaignList"), **errors("BadRequest", "Unauthorized")},
                      tags=("campaigns",), parameters=[
                          query("state", {"type": "string",
                                          "enum": [s.value for s in CampaignState]},
                                "Состояние кампании"),
                          *paging,
                      ]),
        },
        "/campaigns/{campaign_id}": {
            "parameters": [path_id("campaign_id", "Идентификатор кампании")],
            "get": op("getCampaign", "Кампания: требования, срок, состояние, число участников",
                      {**ok("CampaignDetail"), **errors("Unauthorized", "NotFound")},
                      tags=("campaigns",)),
        },
    }
