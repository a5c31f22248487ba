"""Letters: the journal as the caller may see it, the signed PDF, and signing."""

from __future__ import annotations

import logging

from flask import Response, current_app
from sqlalchemy import select

from documents import filenames
from documents.issue import session_sealer, session_ttl
from workflow import letters as letter_ops
from workflow.models import Letter
from workflow.states import LetterKind, LetterState

from ..database import db, now
from . import bp
from . import serialize as out
from .common import ID, actor, load_letter, paginate, unit_of_work
from .validation import ApiError, F, parse, query_enum, query_int

log = logging.getLogger(__name__)

SIGN_LETTER = {
    "version": F("integer", description="Версия проекта письма, которую видел подписант"),
    "pin": F("string", max_length=200,
             description="PIN-код ключа электронной подписи подписанта (не сохраняется)"),
}


@bp.get("/letters")
def list_letters():
    stmt = select(Letter).where(letter_ops.visible_letters_filter(actor()))
    state = query_enum("state", LetterState)
    kind = query_enum("kind", LetterKind)
    programme_id = query_int("programme_id")
    if state:
        stmt = stmt.where(Letter.state == state)
    if kind:
        stmt = stmt.where(Letter.kind == kind)
    if programme_id:
        stmt = stmt.where(Letter.programme_id == programme_id)
    return paginate(db(), stmt, (Letter.id,), out.letter)


@bp.get(f"/letters/<{ID}:letter_id>")
def get_letter(letter_id: int):
    return out.letter(load_letter(letter_id))


@bp.get(f"/letters/<{ID}:letter_id>/pdf")
def letter_pdf(letter_id: int):
    letter = load_letter(letter_id)
    pdf = db().scalar(select(Letter.pdf).where(Letter.id == letter.id))
    if pdf is None:
        raise ApiError(409, "not_rendered",
                       "PDF письма ещё не сформирован; повторите запрос позже")
    name = filenames.letter_pdf(letter)
    return Response(
        bytes(pdf), mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "private, no-store"},
    )


@bp.post(f"/letters/<{ID}:letter_id>/sign")
def sign_letter(letter_id: int):
    data = parse(SIGN_LETTER)
    app = current_app._get_current_object()
    # A wrong PIN keeps only the failed attempt (WrongPin.kept); the letter stays a draft.
    with unit_of_work() as session:
        letter = load_letter(letter_id)
        letter_ops.sign_letter(session, letter, actor(), now=now(), pin=data.get("pin") or "",
                               sealer=session_sealer(app), session_ttl=session_ttl(app),
                               expected_version=data.get("version"))
    # The commit enqueued the PDF job (web.jobs.letters); `pdf_sha256` is null until it ran.
    session = db()
    session.expire(letter)
    return out.letter(load_letter(letter_id))
