"""One letter's page (its data, its text form while a draft, the buttons this user may use)
and its signed PDF."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import login_required
from sqlalchemy import select

from documents.issue import pdf_filename
from workflow import letter_registration, signing_keys, signing_sessions
from workflow.letter_data import CertificateData, LetterData
from workflow.models import Letter
from workflow.states import LetterState, Role

from ...database import db, now
from ...forms import LetterForm, SignForm
from .common import DRAFTERS, REGISTERED, bp, is_drafter, load_letter, me


def letter_form(letter: Letter) -> LetterForm:
    form = LetterForm(formdata=None, obj=letter)
    form.version.data = str(letter.version)
    return form


def show_letter(letter: Letter, form: LetterForm | None = None, status: int = 200,
                current: Letter | None = None):
    """The page; `form` keeps what the user typed when it was refused, `current` is the
    text saved meanwhile by someone else (a stale edit)."""
    user = me()
    editable = letter.state == LetterState.DRAFT and is_drafter(user)
    if editable and form is None:
        form = letter_form(letter)
    action = SignForm(formdata=None)
    action.version.data = str(letter.version)
    is_signatory = user.role == Role.SIGNATORY and user.active
    is_draft = letter.state == LetterState.DRAFT
    # A substitute of an absent signatory signs as «И.о.» without the signatory role.
    acting_for = letter_registration.acting_signatories(db(), user, now()) \
        if is_draft and user.active and user.is_ministry else []
    can_sign = is_draft and (is_signatory or bool(acting_for))
    sign_refusal = signing_keys.signing_refusal(db(), user, now(), acting=not is_signatory) \
        if can_sign else None
    unrendered = letter.state in REGISTERED and letter.pdf_sha256 is None
    needs_pin = unrendered and signing_sessions.live_session(db(), letter.id, now()) is None
    return render_template(
        "letters_ui/show.html", letter=letter, form=form if editable else None, action=action,
        current=current,
        can_sign=can_sign,
        acting_for=acting_for, own_name=is_signatory,
        sign_refusal=sign_refusal,
        needs_pin=needs_pin,
        pdf_pending=unrendered and not needs_pin and not letter.render_error,
        can_render_with_pin=needs_pin and letter.signatory_id == user.id and user.active,
        certificate=_certificate_of(letter),
        can_cancel=editable,
        can_dispatch=letter.state == LetterState.SIGNED and letter.pdf_sha256 is not None
        and user.role in DRAFTERS,
        can_render=unrendered and user.role in DRAFTERS,
        is_ministry=user.is_ministry,
    ), status


def _certificate_of(letter: Letter) -> CertificateData | None:
    """The certificate a registered letter is signed with, as recorded at signing."""
    if not letter.final_data:
        return None
    return LetterData.from_json(letter.final_data).certificate


@bp.route("/<int:letter_id>")
@login_required
def show(letter_id: int):
    return show_letter(load_letter(letter_id))


@bp.route("/<int:letter_id>/pdf")
@login_required
def pdf(letter_id: int):
    letter = load_letter(letter_id)
    data = db().scalar(select(Letter.pdf).where(Letter.id == letter.id))
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(letter)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
