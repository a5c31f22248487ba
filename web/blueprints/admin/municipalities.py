"""Municipalities: the list, a new one, its reference data, on or off."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from workflow import admin_ops
from workflow.errors import WorkflowError
from workflow.models import Municipality

from ...database import db
from ...errors import status_for
from ...forms import MunicipalityForm, SimplePostForm
from ...guards import me
from ...work import refused, unit_of_work
from .common import bp, field_error


@bp.route("/municipalities")
def municipalities():
    rows = db().scalars(select(Municipality).order_by(Municipality.name)).all()
    return render_template("admin/municipalities.html", municipalities=rows,
                           form=SimplePostForm())


@bp.route("/municipalities/new", methods=["GET", "POST"])
def municipality_new():
    form = MunicipalityForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("admin/municipality_form.html", form=form, municipality=None), \
            status
    try:
        with unit_of_work() as session:
            admin_ops.create_municipality(
                session, me(), code=form.code.data, name=form.name.data, kind=form.kind.data,
                **form.reference_data(),
            )
    except WorkflowError as error:
        field_error(form, error)
        return render_template("admin/municipality_form.html", form=form, municipality=None,
                               error=error.message), status_for(error)
    flash(gettext("Муниципалитет добавлен"), "success")
    return redirect(url_for(".municipalities"))


@bp.route("/municipalities/<int:municipality_id>", methods=["GET", "POST"])
def municipality_edit(municipality_id: int):
    session = db()
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        abort(404)
    form = MunicipalityForm(obj=municipality) if request.method == "GET" else MunicipalityForm()
    # The code identifies the municipality in imports and is not edited here.
    form.code.data = municipality.code
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("admin/municipality_form.html", form=form,
                               municipality=municipality, toggle_form=SimplePostForm()), status
    try:
        with unit_of_work() as session:
            admin_ops.update_municipality(
                session, municipality, me(), name=form.name.data, kind=form.kind.data,
                **form.reference_data(),
            )
    except WorkflowError as error:
        field_error(form, error)
        return render_template("admin/municipality_form.html", form=form,
                               municipality=session.get(Municipality, municipality_id),
                               toggle_form=SimplePostForm(), error=error.message), \
            status_for(error)
    flash(gettext("Сведения о муниципалитете сохранены"), "success")
    return redirect(url_for(".municipalities"))


@bp.route("/municipalities/<int:municipality_id>/active", methods=["POST"])
def municipality_active(municipality_id: int):
    session = db()
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        abort(404)
    if not SimplePostForm().validate_on_submit():
        abort(400)
    activate = request.form.get("active") == "1"
    try:
        with unit_of_work() as session:
            admin_ops.set_municipality_active(session, municipality, me(), active=activate)
    except WorkflowError as error:
        return refused(error, url_for(".municipalities"))
    flash(gettext("Муниципалитет включён") if activate else gettext("Муниципалитет отключён"),
          "success")
    return redirect(url_for(".municipalities"))
