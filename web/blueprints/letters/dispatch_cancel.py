"""Marking a signed letter as sent, and cancelling a draft."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_login import login_required

from workflow import letter_dispatch, letter_drafting
from workflow.errors import IllegalTransition, StaleVersion

from ...database import now
from ...forms import SimplePostForm
from ...screen_work import unit_of_work
from .common import bp, load_letter, me


def _move_letter(letter_id: int, operation, success):
    """One operation on the letter in one unit of work, a message, back to the letter.
    (PermissionDenied goes on to the error page.)"""
    letter = load_letter(letter_id)
    if not SimplePostForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work() as session:
            operation(session, letter, me(), now=now())
    except IllegalTransition as error:
        flash(error.message, "error")
    except StaleVersion:
        flash(gettext("Письмо изменилось; обновите страницу."), "error")
    else:
        flash(success(letter), "success")
    return redirect(url_for(".show", letter_id=letter_id))


@bp.route("/<int:letter_id>/dispatch", methods=["POST"])
@login_required
def dispatch(letter_id: int):
    return _move_letter(letter_id, letter_dispatch.dispatch_letter, lambda letter: gettext(
        "Письмо № %(number)s отмечено как отправленное.", number=letter.number))


@bp.route("/<int:letter_id>/cancel", methods=["POST"])
@login_required
def cancel(letter_id: int):
    return _move_letter(letter_id, letter_drafting.cancel_letter,
                        lambda _letter: gettext("Проект письма аннулирован."))
