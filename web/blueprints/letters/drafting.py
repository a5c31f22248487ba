"""Editing a draft's text. A stale form (someone saved meanwhile) keeps the user's text and
shows the current one beside it; the next save overwrites knowingly."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from workflow import letter_drafting
from workflow.errors import IllegalTransition, InvalidInput, StaleVersion
from workflow.states import LetterState

from ...database import now
from ...forms import LetterForm
from ...screen_work import unit_of_work
from .common import bp, is_drafter, load_letter, me
from .letter_page import show_letter

STALE_LETTER = (
    _l("Письмо было изменено другим пользователем после того, как вы его открыли. "
       "Ваш текст сохранён в форме ниже: сверьте его с текущей редакцией и сохраните снова.")
)


@bp.route("/<int:letter_id>/edit", methods=["POST"])
@login_required
def edit(letter_id: int):
    letter = load_letter(letter_id)
    user = me()
    if not is_drafter(user):
        abort(403)
    form = LetterForm()
    if not form.validate_on_submit():
        return show_letter(letter, form, 400)
    if letter.state != LetterState.DRAFT:
        flash(gettext("Изменять можно только проект письма; подписанное письмо не меняется. "
                      "Для исправления подготовьте новое письмо."), "error")
        return redirect(url_for(".show", letter_id=letter.id))
    values = letter_drafting.LetterEdit(addressee=form.addressee.data, heading=form.heading.data,
                                        salutation=form.salutation.data, body=form.body.data)
    try:
        with unit_of_work() as session:
            letter_drafting.edit_letter(session, letter, user, values, now=now(),
                                        expected_version=form.seen_version())
    except StaleVersion:
        letter = load_letter(letter_id)
        if letter.state != LetterState.DRAFT:
            flash(gettext("Письмо уже подписано или аннулировано; изменить его нельзя."), "error")
            return redirect(url_for(".show", letter_id=letter.id))
        flash(str(STALE_LETTER), "error")
        form.version.data = str(letter.version)  # the next save overwrites knowingly
        return show_letter(letter, form, 409, current=letter)
    except IllegalTransition as error:
        flash(error.message, "error")
        return redirect(url_for(".show", letter_id=letter_id))
    except InvalidInput as error:
        flash(error.message, "error")
        return show_letter(load_letter(letter_id), form, 400)
    flash(gettext("Проект письма сохранён"), "success")
    return redirect(url_for(".show", letter_id=letter_id))
