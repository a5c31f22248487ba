"""The minister's report of a campaign ("Сводная справка") as a PDF response: the status the
ministry sees, put into plain values for documents.campaign_report."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
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
from workflow import campaign_status as cs
from workflow import timefmt
from workflow.models import OrganisationProfile, User

from . import campaign_views as cv


def _organisation(session: Session) -> Organisation:
    profile = session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))
    if profile is None:
        return Organisation(name="Министерство", address="", phone="", email="")
    return Organisation(name=profile.name, address=profile.address, phone=profile.phone,
                        email=profile.email, emblem_svg=profile.emblem_svg,
                        letterhead_lines=tuple(line for line in profile.letterhead.splitlines() if line.strip()))


def _days(value: float | None) -> str:
    return f"{value:.1f}".replace(".", ",") if value is not None else "—"


def report_context(session: Session, st: cs.CampaignStatus, now: datetime) -> ReportContext:
    f = st.figures

    def row(r: cs.StatusRow) -> ReportRow:
        return ReportRow(r.municipality, r.title or "—", cv.state_label(r.state), r.days_in_state,
                         r.reviewer or "", cv.deadline_label(r.deadline_status), r.open_remarks)

    groups = [(cv.state_label(key), [row(r) for r in st.rows if r.state == key])
              for key in cs.STATE_ORDER]
    share = f"{round(f.returned_share * 100)} %" if f.returned_share is not None else "—"
    figures = [
        (_("Муниципалитетов-участников"), str(f.municipalities)),
        (_("Программ"), str(f.programmes)),
        *((cv.state_label(key), str(f.by_state[key])) for key in cs.STATE_ORDER),
        (_("Направлено хотя бы раз"), str(f.submitted_ever)),
        (_("С нарушением срока"), str(f.by_deadline[cs.LATE])),
        (_("Медиана срока рассмотрения, дней"), _days(f.median_review_days)),
        (_("90-й процентиль срока рассмотрения, дней"), _days(f.p90_review_days)),
        (_("Доля возвращённых хотя бы раз"), share),
    ]
    requirements = sorted(
        (ReportRequirement(q.position, q.text, q.remarks, q.open_remarks,
                           q.verdicts.get("not_met", 0), q.verdicts.get("partly", 0),
                           q.verdicts.get("met", 0)) for q in st.requirements),
        key=lambda q: (-q.remarks, -(q.not_met + q.partly), q.position))
    circular = ""
    if st.circular_number:
        circular = _("письмо от %(date)s № %(number)s", date=timefmt.ddmmyyyy(st.circular_date),
                     number=st.circular_number)
    return ReportContext(
        organisation=_organisation(session), title=st.title, circular=circular,
        deadline=timefmt.ddmmyyyy(st.deadline), as_of=stamp(timefmt.to_local(now, st.timezone)),
        figures=figures, charts=list(cv.all_charts(st).values()),
        groups=[g for g in groups if g[1]], late=[row(r) for r in st.rows if r.deadline_status == cs.LATE],
        requirements=requirements,
        labels={
            "heading": _("Сводная справка"), "about": _("о ходе кампании"),
            "deadline": _("Срок представления программ:"), "as_of": _("по состоянию на"),
            "phone": _("тел."), "figures": _("Показатели"),
            "definition": _("Срок рассмотрения — от первого направления программы до её "
                            "согласования, в днях; 90-й процентиль — по ближайшему рангу."),
            "by_state": _("Муниципалитеты по состояниям"), "municipality": _("Муниципалитет"),
            "programme": _("Программа"), "days": _("Дней в состоянии"), "reviewer": _("Эксперт"),
            "deadline_status": _("Срок"), "state": _("Состояние"),
            "late": _("Нарушившие срок"), "none_late": _("Нарушивших срок нет."),
            "remarks": _("Замечания и оценки по требованиям"), "requirement": _("Требование"),
            "remarks_total": _("Замечаний"), "remarks_open": _("Открыто"),
            "not_met": _("Не выполнено"), "partly": _("Частично"),
        },
    )


def render_report(session: Session, campaign_id: int, user: User, now: datetime) -> tuple[bytes, cs.CampaignStatus]:
    cv.ensure_ministry(user)
    st = cv.status_for(session, campaign_id, user, now)
    return get_report_renderer().render_pdf(report_context(session, st, now)), st


def report_response(session: Session, campaign_id: int, user: User, now: datetime):
    pdf, st = render_report(session, campaign_id, user, now)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign_id}-report-{st.today.isoformat()}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
