"""Signing a draft with the signatory's own key (registering it: number and date), and
producing the signed PDF again when the job failed or the signing session expired."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from documents.issue import render_with_pin, session_sealer, session_ttl
from workflow import letter_registration, signing_errors
from workflow.errors import IllegalTransition, LetterError, PermissionDenied, StaleVersion
from workflow.models import Letter, User
from workflow.states import LetterState, Role

from ...database import db, now
from ...formatting import ddmmyyyy
from ...forms import PinForm, SignForm
from ...screen_work import unit_of_work
from .common import DRAFTERS, REGISTERED, bp, load_letter, me

log = logging.getLogger(__name__)


def _back(letter_id: int):
    return redirect(url_for(".show", letter_id=letter_id))


def _already_signed_message(letter: Letter) -> str:
    if letter.state in REGISTERED:
        return gettext("Письмо уже подписано и зарегистрировано: № %(number)s "
                       "от %(date)s. Повторная подпись не нужна.",
                       number=letter.number, date=ddmmyyyy(letter.registered_on))
    return gettext("Письмо аннулировано; подписать его нельзя.")


def _acting_for(user: User) -> tuple[bool, User | None]:
    """(still valid?, the absent signatory chosen on the page, if any)."""
    chosen = request.form.get("acting_for")
    if not chosen:
        return True, None
    absent = next((u for u in letter_registration.acting_signatories(db(), user, now())
                   if str(u.id) == chosen), None)
    return absent is not None, absent


@bp.route("/<int:letter_id>/sign", methods=["POST"])
@login_required
def sign(letter_id: int):
    letter = load_letter(letter_id)
    user = me()
    if not user.active or not (user.role == Role.SIGNATORY or request.form.get("acting_for")):
        abort(403)  # a substitute without the role signs only as «И.о.» (the domain checks)
    form = SignForm()
    if not form.validate_on_submit():
        abort(400)
    if letter.state != LetterState.DRAFT:
        flash(_already_signed_message(letter), "info")
        return _back(letter_id)
    still_acting, acting_for = _acting_for(user)
    if not still_acting:
        flash(gettext("Вы больше не замещаете этого подписанта: подпишите от своего имени"),
              "error")
        return _back(letter_id)
    wrong_pin = None
    try:
        # The render job is enqueued when this commits (web.jobs.letters).
        with unit_of_work() as session:
            try:
                letter_registration.sign_letter(session, letter, user, now=now(), pin=form.pin.data or "",
                                                sealer=session_sealer(current_app),
                                                session_ttl=session_ttl(current_app),
                                                expected_version=form.seen_version(), acting_for=acting_for)
            except signing_errors.WrongPin as error:
                # Only the failed attempt is committed (it counts towards the lock); the
                # letter stays a draft.
                wrong_pin = error
    except (signing_errors.SigningRefused, IllegalTransition, LetterError,
            PermissionDenied) as error:
        flash(error.message, "error")
        return _back(letter_id)
    except StaleVersion:
        letter = load_letter(letter_id)
        if letter.state != LetterState.DRAFT:
            flash(_already_signed_message(letter), "info")
        else:
            flash(gettext("Проект письма изменился после того, как вы его открыли. "
                          "Прочитайте текущую редакцию и подпишите снова."), "error")
        return _back(letter_id)
    if wrong_pin is not None:
        flash(wrong_pin.message, "error")
        return _back(letter_id)
    _flash_signed(letter_id, letter.number, ddmmyyyy(letter.registered_on))
    return _back(letter_id)


def _flash_signed(letter_id: int, number: str, registered_on: str) -> None:
    stored, error = _pdf_state(letter_id)
    if stored:
        flash(gettext("Письмо подписано и зарегистрировано: № %(number)s от %(date)s. "
                      "PDF с электронной подписью сформирован.",
                      number=number, date=registered_on), "success")
    elif error:
        flash(gettext("Письмо зарегистрировано под № %(number)s от %(date)s и подписано, "
                      "но PDF сформировать не удалось. Попытка будет повторена; можно "
                      "нажать «Сформировать PDF повторно» или обратиться к администратору.",
                      number=number, date=registered_on), "error")
    else:
        flash(gettext("Письмо подписано и зарегистрировано: № %(number)s от %(date)s. "
                      "PDF с электронной подписью формируется.",
                      number=number, date=registered_on), "success")


def _pdf_state(letter_id: int) -> tuple[bool, str | None]:
    """(PDF stored?, last rendering error) as committed now."""
    session = db()
    session.rollback()  # read what the job committed, not this session's snapshot
    row = session.execute(select(Letter.pdf_sha256, Letter.render_error)
                          .where(Letter.id == letter_id)).one()
    return row.pdf_sha256 is not None, row.render_error


def _enqueue_render(letter_id: int) -> None:
    from web.jobs.letters import enqueue_renders

    enqueue_renders(current_app._get_current_object(), [letter_id])


@bp.route("/<int:letter_id>/render", methods=["POST"])
@login_required
def render(letter_id: int):
    letter = load_letter(letter_id)
    user = me()
    if user.role not in DRAFTERS:
        abort(403)
    form = PinForm()
    if not form.validate_on_submit():
        abort(400)
    if letter.state not in REGISTERED:
        flash(gettext("PDF формируется только для подписанного письма."), "error")
    elif letter.pdf_sha256 is not None:
        flash(gettext("PDF уже сформирован."), "info")
    elif form.pin.data:
        _render_with_pin(letter_id, user.id, form.pin.data)
    else:
        _render_again(letter_id)
    return _back(letter_id)


def _render_with_pin(letter_id: int, user_id: int, pin: str) -> None:
    """The signing session expired: the signatory opens the same key with the PIN."""
    db().rollback()  # and no expired row is touched after this (SQLite's write lock)
    try:
        render_with_pin(current_app, letter_id, user_id, pin)
    except signing_errors.SigningRefused as error:
        flash(error.message, "error")
    except Exception:  # the letter is registered; a failure here is retryable
        log.exception("letter %s: PDF rendering with the PIN failed", letter_id)
        flash(gettext("PDF не удалось сформировать. Письмо остаётся зарегистрированным; "
                      "обратитесь к администратору."), "error")
    else:
        flash(gettext("PDF с электронной подписью сформирован."), "success")


def _render_again(letter_id: int) -> None:
    db().rollback()  # hold no lock while the job runs (immediate mode runs it here)
    _enqueue_render(letter_id)
    stored, error = _pdf_state(letter_id)
    if stored:
        flash(gettext("PDF с электронной подписью сформирован."), "success")
    elif error:
        flash(gettext("PDF снова не удалось сформировать. Письмо остаётся "
                      "зарегистрированным; обратитесь к администратору."), "error")
    else:
        flash(gettext("PDF с электронной подписью формируется."), "info")
