"""Creating a draft and editing the working copy (with the conflict view when someone
saved in between)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from workflow import campaigns, programme_drafting
from workflow.campaign_machine import refusal
from workflow.errors import StaleVersion, WorkflowError
from workflow.models import Campaign, Programme
from workflow.states import Role

from ... import files_view as fv
from ... import viewmodels as vm
from ...database import db, now
from ...errors import status_for
from ...forms import (
    ActionForm,
    AttachmentForm,
    programme_form_class,
)
from ...work import unit_of_work
from .common import _me, _upload_limit_mb, bp


def _fields(form) -> programme_drafting.DraftFields:
    return programme_drafting.DraftFields(
        title=form.title.data or "",
        period_from=form.period_from.data,
        period_to=form.period_to.data,
        responsible_name=(form.responsible_name.data or "").strip(),
        responsible_position=(form.responsible_position.data or "").strip(),
        responsible_phone=(form.responsible_phone.data or "").strip(),
        outgoing_number=(form.outgoing_number.data or "").strip() or None,
        outgoing_date=form.outgoing_date.data,
    )


def _field_error(form, error: WorkflowError) -> None:
    """Attach a domain error to the field it names, when the form has that field."""
    name = getattr(error, "field", None)
    if name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, error.message]


def _render_form(form, campaign, programme=None, *, error=None, conflict=None, status=200):
    return render_template(
        "programmes/form.html", form=form, campaign=campaign, programme=programme,
        error=error, conflict=conflict,
        attachment_form=AttachmentForm(version=programme.version) if programme else None,
        remove_form=ActionForm(version=programme.version) if programme else None,
        files=fv.working_links(programme, _me()) if programme else [],
        upload_limit=_upload_limit_mb(),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    me = _me()
    if me.role != Role.MUNICIPAL_EDITOR:
        abort(403)
    campaign = db().scalar(select(Campaign).where(
        Campaign.id == (request.args.get("campaign", type=int) or 0),
        campaigns.visible_campaigns_filter(me)))
    if campaign is None:
        abort(404)
    closed = refusal("start_programme", campaign.state)
    if closed and request.method == "GET":
        flash(closed, "error")
        return redirect(url_for("main.home"))
    form_class = programme_form_class(campaign.requirements)
    form = form_class()
    if request.method == "GET":
        year = now().year
        form.version.data = "0"
        form.period_from.data, form.period_to.data = year, year + 2
        form.responsible_name.data = me.full_name
        form.responsible_position.data = me.position
        form.responsible_phone.data = me.phone
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _render_form(form, campaign, status=status)
    try:
        with unit_of_work() as session:
            programme = programme_drafting.create_programme(
                session, campaign, me, _fields(form), now=now(), sections=form.sections()
            )
    except WorkflowError as error:
        _field_error(form, error)
        return _render_form(form, campaign, error=error.message, status=status_for(error))
    flash(gettext("Черновик программы создан"), "success")
    return redirect(url_for(".show", programme_id=programme.id))


def _fill_form(form, programme: Programme) -> None:
    for name in ("title", "period_from", "period_to", "responsible_name", "responsible_position",
                 "responsible_phone", "outgoing_number", "outgoing_date"):
        getattr(form, name).data = getattr(programme, name)
    form.version.data = str(programme.version)
    for section in programme.sections:
        field = form._fields.get(f"section_{section.requirement_id}")
        if field is not None:
            field.data = section.text


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    me = _me()
    session = db()
    programme = vm.load_programme(session, programme_id, me,
                                  for_write=request.method == "POST")
    if me.role != Role.MUNICIPAL_EDITOR:
        abort(403)
    campaign = programme.campaign
    form = programme_form_class(campaign.requirements)()
    if request.method == "GET":
        if not programme.editable:
            flash(gettext("Программу можно изменять только в состоянии «Черновик» или "
                          "«Возвращена на доработку»"), "error")
            return redirect(url_for(".show", programme_id=programme.id))
        _fill_form(form, programme)
        return _render_form(form, campaign, programme)
    if not form.validate_on_submit():
        return _render_form(form, campaign, programme, status=400)
    try:
        with unit_of_work() as session:
            programme_drafting.update_draft(
                session, programme, me, now=now(), expected_version=form.seen_version(),
                fields=_fields(form), sections=form.sections(),
            )
    except StaleVersion:
        current = vm.load_programme(session, programme_id, me)
        who, when = vm.last_change(session, current)
        saved = {s.requirement_id: s.text for s in current.sections}
        conflict = {
            "who": who, "when": when, "programme": current,
            "sections": {rid: saved.get(rid, "") for rid, text in form.sections().items()
                         if text.strip() != saved.get(rid, "").strip()},
        }
        # The user's text stays in the form; saving again now replaces the newer copy,
        # which is shown beside each differing section so nothing is overwritten blindly.
        form.version.data = str(current.version)
        message = gettext("Программа была изменена %(who)s в %(when)s, после того как "
                          "вы открыли форму. Ваш текст сохранён в форме ниже: сверьте его с "
                          "текущей версией и нажмите «Сохранить» ещё раз.",
                          who=who, when=vm.fmt_datetime(when))
        return _render_form(form, current.campaign, current, error=message, conflict=conflict,
                            status=409)
    except WorkflowError as error:
        _field_error(form, error)
        current = vm.load_programme(session, programme_id, me)
        return _render_form(form, current.campaign, current, error=error.message,
                            status=status_for(error))
    flash(gettext("Изменения сохранены"), "success")
    return redirect(url_for(".show", programme_id=programme.id))
