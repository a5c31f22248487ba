"""The minister's report of a campaign ("Сводная справка") as a PDF response: the status the
ministry sees, put into plain values for documents.campaign_report. A document of the ministry,
so in Russian whatever the reader's screen language (as the letters are)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.campaign_report import (
    ReportContext,
    ReportRequirement,
    ReportRow,
    get_report_renderer,
    stamp,
)
from documents.context import Organisation
from documents.filenames import campaign_report_pdf
from workflow import timefmt
from workflow.campaign_status_model import (
    DEADLINE_LABELS,
    LATE,
    STATE_LABELS,
    STATE_ORDER,
    CampaignStatus,
    StatusRow,
)
from workflow.models import OrganisationProfile, User

from . import campaign_views as cv


def _organisation(session: Session) -> Organisation:
    profile = session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))
    if profile is None:
        return Organisation(name="Министерство", address="", phone="", email="")
    return Organisation(name=profile.name, address=profile.address, phone=profile.phone,
                        email=profile.email, emblem_svg=profile.emblem_svg,
                        letterhead_lines=tuple(line for line in profile.letterhead.splitlines() if line.strip()))


def _state(key: str) -> str:
    return STATE_LABELS.get(key, key)


def _deadline(key: str) -> str:
    return DEADLINE_LABELS.get(key, key)


def _days(value: float | None) -> str:
    return f"{value:.1f}".replace(".", ",") if value is not None else "—"


def report_context(session: Session, st: CampaignStatus, now: datetime) -> ReportContext:
    f = st.figures

    def row(r: StatusRow) -> ReportRow:
        return ReportRow(r.municipality, r.title or "—", _state(r.state), r.days_in_state,
                         r.reviewer or "", _deadline(r.deadline_status), r.open_remarks)

    groups = [(_state(key), [row(r) for r in st.rows if r.state == key])
              for key in STATE_ORDER]
    share = f"{round(f.returned_share * 100)} %" if f.returned_share is not None else "—"
    figures = [
        ("Муниципалитетов-участников", str(f.municipalities)),
        ("Программ", str(f.programmes)),
        *((_state(key), str(f.by_state[key])) for key in STATE_ORDER),
        ("Направлено хотя бы раз", str(f.submitted_ever)),
        ("С нарушением срока", str(f.by_deadline[LATE])),
        ("Медиана срока рассмотрения, дней", _days(f.median_review_days)),
        ("90-й процентиль срока рассмотрения, дней", _days(f.p90_review_days)),
        ("Доля возвращённых хотя бы раз", share),
    ]
    requirements = sorted(
        (ReportRequirement(q.position, q.text, q.remarks, q.open_remarks,
                           q.verdicts.get("not_met", 0), q.verdicts.get("partly", 0),
                           q.verdicts.get("met", 0)) for q in st.requirements),
        key=lambda q: (-q.remarks, -(q.not_met + q.partly), q.position))
    circular = ""
    if st.circular_number:
        circular = f"письмо от {timefmt.ddmmyyyy(st.circular_date)} № {st.circular_number}"
    return ReportContext(
        organisation=_organisation(session), title=st.title, circular=circular,
        deadline=timefmt.ddmmyyyy(st.deadline), as_of=stamp(timefmt.to_local(now, st.timezone)),
        figures=figures, charts=list(cv.all_charts(st, russian=True).values()),
        groups=[g for g in groups if g[1]], late=[row(r) for r in st.rows if r.deadline_status == LATE],
        requirements=requirements,
        labels={
            "heading": "Сводная справка", "about": "о ходе кампании",
            "deadline": "Срок представления программ:", "as_of": "по состоянию на",
            "phone": "тел.", "figures": "Показатели",
            "definition": ("Срок рассмотрения — от первого направления программы до её "
                           "согласования, в днях; 90-й процентиль — по ближайшему рангу."),
            "by_state": "Муниципалитеты по состояниям", "municipality": "Муниципалитет",
            "programme": "Программа", "days": "Дней в состоянии", "reviewer": "Эксперт",
            "deadline_status": "Срок", "state": "Состояние",
            "late": "Нарушившие срок", "none_late": "Нарушивших срок нет.",
            "remarks": "Замечания и оценки по требованиям", "requirement": "Требование",
            "remarks_total": "Замечаний", "remarks_open": "Открыто",
            "not_met": "Не выполнено", "partly": "Частично",
        },
    )


def render_report(session: Session, campaign_id: int, user: User, now: datetime) -> tuple[bytes, CampaignStatus]:
    cv.ensure_ministry(user)
    st = cv.status_for(session, campaign_id, user, now)
    return get_report_renderer().render_pdf(report_context(session, st, now)), st


def report_response(session: Session, campaign_id: int, user: User, now: datetime):
    pdf, st = render_report(session, campaign_id, user, now)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    name = campaign_report_pdf(campaign_id, st.today)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
