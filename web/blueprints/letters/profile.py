"""The organisation profile screen (requisites printed on the letterhead), administrator
only. The emblem is checked with the other uploads (`web.upload_checks`); the profile is
written by `workflow.organisation_profile`."""

from __future__ import annotations

import base64

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from workflow import organisation_profile as profiles
from workflow.errors import InvalidInput
from workflow.states import Role

from ...database import db, now
from ...forms import ProfileForm, timezone_choices
from ...screen_work import unit_of_work
from ...upload_checks import EMBLEM_MAX_BYTES, EmblemRejected, check_emblem_svg
from .common import bp, me

# The emblem is at most 200 KB; the rest of the form is small.
PROFILE_MAX_REQUEST = 1024 * 1024


def _emblem_uri(svg: str | None) -> str | None:
    if not svg:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _uploaded_emblem(form: ProfileForm) -> str | None:
    """The checked SVG if one was uploaded (EmblemRejected if it is refused)."""
    upload = form.emblem.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return check_emblem_svg(upload.read(EMBLEM_MAX_BYTES + 1))


def _change(form: ProfileForm, new_emblem: str | None) -> profiles.ProfileChange:
    return profiles.ProfileChange(
        name=form.name.data, letterhead=form.letterhead.data, address=form.address.data,
        phone=form.phone.data, email=form.email.data, journal_index=form.journal_index.data,
        numbering=form.numbering.data, public_base_url=form.public_base_url.data,
        timezone=form.timezone.data, new_emblem=new_emblem,
        remove_emblem=bool(form.remove_emblem.data))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = me()
    if user.role != Role.ADMIN or not user.active:
        abort(403)
    if request.method == "POST":
        request.max_content_length = PROFILE_MAX_REQUEST
    record = profiles.find_profile(db()) or profiles.blank_profile()
    try:
        form = ProfileForm(obj=record)
        form.timezone.choices = timezone_choices(record.timezone)
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        flash(gettext("Файл герба больше 200 КБ"), "error")
        return redirect(url_for(".profile"))
    emblem_error = None
    refused = False
    if submitted:
        try:
            change = _change(form, _uploaded_emblem(form))
            with unit_of_work() as session:
                profiles.update_profile(session, user, change, now=now(),
                                        address=request.remote_addr or "")
        except EmblemRejected as error:
            emblem_error, refused = str(error), True
        except InvalidInput as error:  # the form's checks let it through; the domain did not
            _field_error(form, error)
            refused = True
        else:
            flash(gettext("Реквизиты бланка сохранены. Они будут напечатаны на письмах, "
                          "подписанных с этого момента."), "success")
            return redirect(url_for(".profile"))
        record = profiles.find_profile(db()) or profiles.blank_profile()
    status = 400 if form.is_submitted() and (refused or form.errors) else 200
    return render_template("letters_ui/profile.html", form=form, emblem_error=emblem_error,
                           emblem_uri=_emblem_uri(record.emblem_svg)), status


def _field_error(form: ProfileForm, error: InvalidInput) -> None:
    field = form._fields.get(error.field or "")
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
