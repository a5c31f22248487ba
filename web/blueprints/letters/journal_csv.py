"""The journal as a CSV file for a spreadsheet (semicolons and a BOM, as Excel in Russian
expects), with the journal screen's filters."""

from __future__ import annotations

import csv
import io

from flask import current_app, request
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import timefmt
from workflow.models import Letter
from workflow.states import LETTER_KIND_LABELS, LETTER_STATE_LABELS

from ...database import db, now
from ...extensions import request_timezone
from ...formatting import ddmmyyyy
from .common import REGISTERED, bp
from .journal import journal_filters, journal_order

HEADER = ("Номер", "Дата регистрации", "Вид письма", "Адресат", "Заголовок", "Подписант",
          "Исполнитель", "Состояние", "Код проверки")


def csv_cell(value) -> str:
    text = "" if value is None else str(value).replace("\r\n", "\n").replace("\n", " ").strip()
    # A cell that starts like a formula would be run by the spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t"):
        text = "'" + text
    return text


def _row(letter: Letter) -> list[str]:
    return [csv_cell(v) for v in (
        letter.number or "",
        ddmmyyyy(letter.registered_on),
        LETTER_KIND_LABELS.get(letter.kind, letter.kind),
        letter.addressee,
        letter.heading,
        letter.signatory.full_name if letter.signatory else "",
        letter.executor_name,
        LETTER_STATE_LABELS.get(letter.state, letter.state),
        letter.verification_code if letter.state in REGISTERED else "",
    )]


@bp.route("/journal.csv")
@login_required
def journal_csv():
    _filters, conditions = journal_filters(request.args)
    rows = db().scalars(
        select(Letter).where(*conditions).order_by(*journal_order())
        .options(joinedload(Letter.signatory))
    ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(_row(letter) for letter in rows)
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    stamp = timefmt.local_date(now(), request_timezone()).isoformat()
    response = current_app.response_class(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="journal-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
