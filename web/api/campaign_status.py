"""A campaign's status for the ministry: the table and figures as JSON, the workbook, the
minister's report. Response shapes are pydantic models (one declaration each), put into the
OpenAPI document from the same declarations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from documents.filenames import campaign_report_pdf
from workflow.campaign_status_model import CampaignStatus as Status

from .. import campaign_views as cv
from ..campaign_report import render_report
from ..database import db, now
from .common import ID, actor
from .registry import MINISTRY_READ, Media, operation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CampaignStatusRow(BaseModel):
    municipality_id: int
    municipality: str
    programme_id: int | None
    title: str | None
    state: str = Field(description="Состояние программы или not_started («не начата»)")
    state_label: str
    days_in_state: int | None = Field(description="Полных дней в текущем состоянии")
    reviewer: str | None
    open_remarks: int = Field(description="Открытые замечания, включая внутренние")
    deadline_status: str = Field(description="on_time, late или not_started")
    deadline_status_label: str
    first_submitted_at: datetime | None
    approved_at: datetime | None
    review_days: float | None = Field(description="От первого направления до согласования, дней")
    returns: int = Field(description="Сколько раз возвращалась на доработку")


class CampaignFigures(BaseModel):
    municipalities: int
    programmes: int
    by_state: dict[str, int]
    by_deadline: dict[str, int]
    submitted_ever: int
    returned_ever: int
    median_review_days: float | None
    p90_review_days: float | None = Field(description="90-й процентиль по ближайшему рангу")
    returned_share: float | None = Field(description="Доля возвращённых хотя бы раз среди направленных")


class RequirementSummary(BaseModel):
    requirement_id: int
    position: int
    text: str
    verdicts: dict[str, int] = Field(description="Оценки всех редакций: met, partly, not_met")
    remarks: int
    open_remarks: int


class CampaignStatus(BaseModel):
    campaign_id: int
    title: str
    deadline: date
    today: date = Field(description="Дата в часовом поясе министерства")
    rows: list[CampaignStatusRow]
    figures: CampaignFigures
    requirements: list[RequirementSummary]


def status_model(st: Status) -> CampaignStatus:
    f = st.figures
    return CampaignStatus(
        campaign_id=st.campaign_id, title=st.title, deadline=st.deadline, today=st.today,
        rows=[CampaignStatusRow(
            municipality_id=r.municipality_id, municipality=r.municipality,
            programme_id=r.programme_id, title=r.title, state=r.state,
            state_label=cv.state_label(r.state), days_in_state=r.days_in_state,
            reviewer=r.reviewer, open_remarks=r.open_remarks, deadline_status=r.deadline_status,
            deadline_status_label=cv.deadline_label(r.deadline_status),
            first_submitted_at=r.first_submitted_at, approved_at=r.approved_at,
            review_days=round(r.review_days, 3) if r.review_days is not None else None,
            returns=r.returns,
        ) for r in st.rows],
        figures=CampaignFigures(
            municipalities=f.municipalities, programmes=f.programmes, by_state=f.by_state,
            by_deadline=f.by_deadline, submitted_ever=f.submitted_ever,
            returned_ever=f.returned_ever, median_review_days=f.median_review_days,
            p90_review_days=f.p90_review_days, returned_share=f.returned_share),
        requirements=[RequirementSummary(
            requirement_id=q.requirement_id, position=q.position, text=q.text,
            verdicts=q.verdicts, remarks=q.remarks, open_remarks=q.open_remarks)
            for q in st.requirements],
    )


def _ministry_status(campaign_id: int) -> Status:
    user = actor()
    cv.ensure_ministry(user)
    return cv.status_for(db(), campaign_id, user, now())


@operation("get", f"/campaigns/<{ID}:campaign_id>/status", "Ход кампании: таблица "
           "муниципалитетов и показатели (только министерство; муниципалитету — 403 forbidden)",
           tag="campaigns", ok=CampaignStatus, errors=MINISTRY_READ, op_id="getCampaignStatus")
def campaign_status(campaign_id: int):
    return status_model(_ministry_status(campaign_id)).model_dump(mode="json")


@operation("get", f"/campaigns/<{ID}:campaign_id>/export.xlsx", "Таблица кампании в Excel: "
           "лист «Кампания» и лист оценок требований (только министерство)", tag="campaigns",
           ok=Media((XLSX,), "Книга Excel (вложение)"), errors=MINISTRY_READ,
           op_id="exportCampaign")
def campaign_export(campaign_id: int):
    st = _ministry_status(campaign_id)
    return cv.xlsx_response(cv.campaign_workbook(db(), st),
                            f"campaign-{campaign_id}-{st.today.isoformat()}.xlsx")


@operation("get", f"/campaigns/<{ID}:campaign_id>/report.pdf", "Сводная справка по кампании "
           "в PDF (только министерство)", tag="campaigns",
           ok=Media(("application/pdf",), "Сводная справка (вложение)"), errors=MINISTRY_READ,
           op_id="getCampaignReport")
def campaign_report(campaign_id: int):
    from flask import Response

    pdf, st = render_report(db(), campaign_id, actor(), now())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{campaign_report_pdf(campaign_id, st.today)}"',
        "Cache-Control": "private, no-store"})
