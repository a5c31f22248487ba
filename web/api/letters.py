"""Letters: the journal as the caller may see it, the signed PDF, and signing."""

from __future__ import annotations

import logging

from flask import Response, current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from documents import filenames
from documents.issue import session_sealer, session_ttl
from workflow import letter_registration, letter_visibility
from workflow.models import Letter

from ..database import db, now
from .common import ID, actor, load_letter, paginate, unit_of_work
from .letter_shapes import Letter as LetterShape
from .letter_shapes import LetterList, LetterQuery, SignRequest, letter_out
from .parsing import ApiError, parse_body, parse_query
from .registry import READ, WRITE, Media, operation

log = logging.getLogger(__name__)
LETTER = f"/letters/<{ID}:letter_id>"


@operation("get", "/letters", "Письма, видимые пользователю", tag="letters", ok=LetterList,
           query=LetterQuery, errors=(400, 401))
def list_letters():
    stmt = select(Letter).where(letter_visibility.visible_letters_filter(actor()))
    query = parse_query(LetterQuery)
    if query.state:
        stmt = stmt.where(Letter.state == query.state)
    if query.kind:
        stmt = stmt.where(Letter.kind == query.kind)
    if query.programme_id:
        stmt = stmt.where(Letter.programme_id == query.programme_id)
    page = paginate(db(), stmt, (Letter.id,), letter_out, load=(joinedload(Letter.municipality),
                                                                joinedload(Letter.signatory)))
    return LetterList(**page).model_dump(mode="json")


@operation("get", LETTER, "Реквизиты и текст письма", tag="letters", ok=LetterShape,
           errors=READ)
def get_letter(letter_id: int):
    return letter_out(load_letter(letter_id)).model_dump(mode="json")


@operation("get", f"{LETTER}/pdf", "Подписанный PDF письма (вложение)", tag="letters",
           ok=Media(("application/pdf",), "PDF с электронной подписью"), errors=READ,
           responses={409: "PDF ещё не сформирован (not_rendered)"}, op_id="getLetterPdf")
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


@operation("post", f"{LETTER}/sign", "Подписать и зарегистрировать письмо (подписант) своим "
           "ключом: PIN-код в поле pin; ошибки pin_required, wrong_pin, pin_locked, "
           "no_certificate, certificate_owner_mismatch", tag="letters", body=SignRequest,
           body_required=False, ok=LetterShape, errors=(*WRITE, 429))
def sign_letter(letter_id: int):
    data = parse_body(SignRequest)
    app = current_app._get_current_object()
    # A wrong PIN keeps only the failed attempt (WrongPin.kept); the letter stays a draft.
    with unit_of_work() as session:
        letter = load_letter(letter_id)
        letter_registration.sign_letter(session, letter, actor(), now=now(), pin=data.pin or "",
                                        sealer=session_sealer(app), session_ttl=session_ttl(app),
                                        expected_version=data.version)
    # The commit enqueued the PDF job (web.jobs.letters); `pdf_sha256` is null until it ran.
    session = db()
    session.expire(letter)
    return letter_out(load_letter(letter_id)).model_dump(mode="json")
