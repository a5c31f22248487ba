"""Excel exports of the lists as filtered on screen: the letters journal (its CSV stays in
`letters`) and the review queue. The ministry only; a municipality gets a 403 that says so."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from documents.spreadsheets import INTEGER_FORMAT, Column, Sheet, workbook
from workflow import timefmt
from workflow.models import Letter
from workflow.states import LETTER_KIND_LABELS, LETTER_STATE_LABELS

from .. import campaign_views as cv
from .. import viewmodels as vm
from ..database import db, now
from ..extensions import request_timezone
from ..i18n_labels import tr
from .letters.common import REGISTERED
from .letters.journal import journal_filters, journal_order

bp = Blueprint("exports", __name__)

EVERYTHING = 10**9


def _stamp() -> str:
    return timefmt.local_date(now(), request_timezone()).isoformat()


@bp.route("/letters/journal.xlsx")
@login_required
def journal_xlsx():
    cv.ensure_ministry(current_user.user)
    _filters, conditions = journal_filters(request.args)
    letters = db().scalars(
        select(Letter).where(*conditions).order_by(*journal_order())
        .options(joinedload(Letter.signatory))
    ).all()
    tz = request_timezone()
    sheet = Sheet(_("Журнал писем"), [
        Column(_("Номер"), 14), Column(_("Порядковый номер"), 12, INTEGER_FORMAT),
        Column(_("Дата регистрации"), 14, "DD.MM.YYYY"), Column(_("Вид письма"), 30),
        Column(_("Адресат"), 48, wrap=True), Column(_("Заголовок"), 48, wrap=True),
        Column(_("Подписант"), 28), Column(_("Подписано"), 18, "DD.MM.YYYY HH:MM"),
        Column(_("Исполнитель"), 26), Column(_("Состояние"), 16), Column(_("Код проверки"), 20),
    ])
    for letter in letters:
        sheet.rows.append([
            letter.number or "", letter.seq, letter.registered_on,
            tr(LETTER_KIND_LABELS.get(letter.kind, letter.kind)), letter.addressee, letter.heading,
            letter.signatory.full_name if letter.signatory else "",
            timefmt.to_local(letter.signed_at, tz) if letter.signed_at else None,
            letter.executor_name, tr(LETTER_STATE_LABELS.get(letter.state, letter.state)),
            letter.verification_code if letter.state in REGISTERED else "",
        ])
    return cv.xlsx_response(workbook([sheet]), f"journal-{_stamp()}.xlsx")


@bp.route("/review/queue.xlsx")
@login_required
def queue_xlsx():
    me = current_user.user
    cv.ensure_ministry(me)
    tab = request.args.get("tab", "submitted")
    if tab not in vm.TABS:
        tab = "submitted"
    listing = vm.programme_list(
        db(), me, now(), tab=tab, campaign_id=request.args.get("campaign"),
        municipality_id=request.args.get("municipality"), state=request.args.get("state"),
        page=1, page_size=EVERYTHING,
    )
    tz = request_timezone()
    sheet = Sheet(_("Очередь рассмотрения"), [
        Column(_("Программа"), 48, wrap=True), Column(_("Муниципалитет"), 36, wrap=True),
        Column(_("Кампания"), 36, wrap=True), Column(_("Срок кампании"), 14, "DD.MM.YYYY"),
        Column(_("Состояние"), 24), Column(_("Направлена"), 18, "DD.MM.YYYY HH:MM"),
        Column(_("Эксперт"), 26), Column(_("Открытые замечания"), 12, INTEGER_FORMAT),
        Column(_("Просрочена"), 12),
    ])
    for row in listing.rows:
        p = row.programme
        sheet.rows.append([
            p.title, p.municipality.name, p.campaign.title, p.campaign.deadline,
            tr(vm.state_label(p.state)),
            timefmt.to_local(p.submitted_at, tz) if p.submitted_at else None,
            p.reviewer.full_name if p.reviewer else "", int(row.open_remarks or 0),
            _("да") if row.overdue else _("нет"),
        ])
    return cv.xlsx_response(workbook([sheet]), f"queue-{tab}-{_stamp()}.xlsx")
