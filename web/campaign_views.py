"""What the campaign page, its exports, the minister's report and the API share: who may see
a campaign's status, its charts with the labels of the current language, its workbook."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from documents import charts
from documents.spreadsheets import DECIMAL_FORMAT, INTEGER_FORMAT, Column, Sheet, workbook
from workflow import timefmt
from workflow.campaign_assessments import latest_assessments
from workflow.campaign_status import campaign_status
from workflow.campaign_status_model import (
    DEADLINE_LABELS,
    STATE_LABELS,
    STATE_ORDER,
    VERDICT_NAMES,
    CampaignStatus,
)
from workflow.errors import NotFound, PermissionDenied
from workflow.i18n import N_
from workflow.models import User
from workflow.states import Role

from .i18n_labels import tr

EXPORT_REFUSED = "Выгрузки и сводная справка доступны только сотрудникам министерства"


def is_ministry(user: User) -> bool:
    return user.role != Role.MUNICIPAL_EDITOR


def ensure_ministry(user: User) -> None:
    if not is_ministry(user):
        raise PermissionDenied(EXPORT_REFUSED)


def status_for(session: Session, campaign_id: int, user: User, now: datetime) -> CampaignStatus:
    """The status this user may see: the whole table for the ministry, its own rows for a
    municipality."""
    own = None if is_ministry(user) else user.municipality_id
    status = campaign_status(session, campaign_id, now, municipality_id=own)
    if status is None:
        raise NotFound("Кампания не найдена")
    return status


def state_label(key: str) -> str:
    return tr(STATE_LABELS.get(key, key))


def deadline_label(key: str) -> str:
    return tr(DEADLINE_LABELS.get(key, key))


def verdict_labels() -> dict[str, str]:
    return {k: tr(v) for k, v in VERDICT_NAMES.items()}


def _same(text: str, **_kw) -> str:
    return text


def all_charts(status: CampaignStatus, *, russian: bool = False) -> dict[str, str]:
    """The three charts in the screen's language, or in Russian (the minister's report is a
    document of the ministry, in Russian whatever the reader's screen language)."""
    t = _same if russian else _
    label = (lambda key: STATE_LABELS.get(key, key)) if russian else state_label
    verdicts = dict(VERDICT_NAMES) if russian else verdict_labels()
    return {
        "states": charts.state_bar(
            [(key, label(key), status.figures.by_state[key]) for key in STATE_ORDER],
            title=t(N_("Программы по состояниям"))),
        "cumulative": charts.cumulative(
            status.submissions, status.approvals, start=status.started_on,
            deadline=status.deadline, today=status.today, total=len(status.rows),
            title=t(N_("Направлено и согласовано нарастающим итогом")),
            labels={"submissions": t(N_("Направлено")), "approvals": t(N_("Согласовано")),
                    "deadline": t(N_("Срок"))}),
        "verdicts": charts.requirement_verdicts(
            [(r.position, r.text, r.verdicts) for r in status.requirements],
            title=t(N_("Оценки требований (чаще не выполняемые — выше)")), verdict_labels=verdicts),
    }


def _local(moment, tz):
    return timefmt.to_local(moment, tz) if moment else None


def _days(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def campaign_workbook(session: Session, status: CampaignStatus) -> bytes:
    tz = status.timezone
    table = Sheet(_("Кампания"), [
        Column(_("Муниципалитет"), 36, wrap=True),
        Column(_("Программа"), 44, wrap=True),
        Column(_("Состояние"), 24),
        Column(_("Дней в состоянии"), 12, INTEGER_FORMAT),
        Column(_("Эксперт"), 26),
        Column(_("Открытых замечаний"), 12, INTEGER_FORMAT),
        Column(_("Соблюдение срока"), 20),
        Column(_("Впервые направлена"), 18, "DD.MM.YYYY HH:MM"),
        Column(_("Согласована"), 18, "DD.MM.YYYY HH:MM"),
        Column(_("Срок рассмотрения, дней"), 14, DECIMAL_FORMAT),
        Column(_("Возвратов"), 10, INTEGER_FORMAT),
        Column(_("Редакция"), 10, INTEGER_FORMAT),
        Column(_("Срок представления"), 14, "DD.MM.YYYY"),
    ])
    for r in status.rows:
        table.rows.append([
            r.municipality, r.title or "", state_label(r.state), r.days_in_state, r.reviewer or "",
            r.open_remarks, deadline_label(r.deadline_status), _local(r.first_submitted_at, tz),
            _local(r.approved_at, tz), _days(r.review_days), r.returns, r.revision_number,
            status.deadline,
        ])
    assessed = latest_assessments(session, status.campaign_id)
    labels = verdict_labels()
    verdicts = Sheet(_("Оценки требований"), [
        Column(_("Муниципалитет"), 36, wrap=True),
        Column(_("Программа"), 44, wrap=True),
        Column(_("№ требования"), 12, INTEGER_FORMAT),
        Column(_("Требование"), 60, wrap=True),
        Column(_("Оценка"), 20),
        Column(_("Редакция"), 10, INTEGER_FORMAT),
        Column(_("Комментарий"), 40, wrap=True),
    ])
    for r in status.rows:
        if r.programme_id is None:
            continue
        for req in status.requirements:
            verdict, number, comment = assessed.get((r.programme_id, req.requirement_id),
                                                    (None, None, ""))
            verdicts.rows.append([
                r.municipality, r.title or "", req.position, req.text,
                labels[verdict] if verdict else _("Не оценено"), number, comment,
            ])
    return workbook([table, verdicts])


def xlsx_response(data: bytes, name: str):
    from flask import current_app

    response = current_app.response_class(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
