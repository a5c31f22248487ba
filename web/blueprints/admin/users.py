"""Users: the list, a new user, and a user's page (role and municipality, password, on or off).
The signing certificates on the same page: `certificates`."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from documents.issue import demo_pki_active
from workflow import admin_ops, signatory_certificates, users
from workflow.errors import WorkflowError
from workflow.models import Municipality, User

from ...database import db, now
from ...errors import status_for
from ...forms import (
    CertificateUploadForm,
    DemoCertificateForm,
    PasswordForm,
    SimplePostForm,
    UserCreateForm,
    UserRoleForm,
)
from ...guards import me
from ...work import refused, unit_of_work
from .common import bp, field_error, municipality_choices


@bp.route("/users")
def users_list():
    rows = db().scalars(select(User).order_by(User.role, User.full_name)).all()
    return render_template("admin/users.html", users=rows, form=SimplePostForm())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    form.municipality.choices = municipality_choices()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("admin/user_new.html", form=form), status
    code = None
    if form.municipality.data:
        municipality = db().get(Municipality, int(form.municipality.data))
        code = municipality.code if municipality else None
    try:
        with unit_of_work() as session:
            user = users.create_user(
                session, login=form.login.data, full_name=form.full_name.data, role=form.role.data,
                password=form.password.data, now=now(), municipality_code=code,
                position=form.position.data or "", phone=form.phone.data or "",
                email=form.email.data or "", actor=me(),
            )
    except WorkflowError as error:
        field_error(form, error)
        return render_template("admin/user_new.html", form=form, error=error.message), \
            status_for(error)
    flash(gettext("Пользователь «%(login)s» создан", login=user.login), "success")
    return redirect(url_for(".users_list"))


def user_or_404(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


def render_user(user, *, role_form=None, password_form=None, error=None, status=200,
                 upload_form=None, demo_form=None, issued_pin=None):
    if role_form is None:
        role_form = UserRoleForm(role=user.role, municipality=str(user.municipality_id or ""))
    role_form.municipality.choices = municipality_choices()
    return render_template(
        "admin/user_edit.html", user=user, role_form=role_form,
        password_form=password_form or PasswordForm(), toggle_form=SimplePostForm(),
        error=error, certificates=signatory_certificates.certificates_of(db(), user),
        upload_form=upload_form or CertificateUploadForm(formdata=None),
        demo_form=demo_form or DemoCertificateForm(formdata=None),
        demo_pki=demo_pki_active(current_app.config), issued_pin=issued_pin, now=now(),
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = user_or_404(user_id)
    if request.method == "GET":
        return render_user(user)
    form = UserRoleForm()
    form.municipality.choices = municipality_choices()
    if not form.validate_on_submit():
        return render_user(user, role_form=form, status=400)
    try:
        with unit_of_work() as session:
            admin_ops.change_role(
                session, user, me(), role=form.role.data,
                municipality_id=int(form.municipality.data) if form.municipality.data else None,
                now=now(),
            )
    except WorkflowError as error:
        field_error(form, error)
        return render_user(user_or_404(user_id), role_form=form, error=error.message,
                            status=status_for(error))
    flash(gettext("Роль и муниципалитет сохранены"), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    user = user_or_404(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_user(user, password_form=form, status=400)
    try:
        with unit_of_work() as session:
            users.set_password(session, user, form.password.data, me())
    except WorkflowError as error:
        field_error(form, error)
        return render_user(user_or_404(user_id), password_form=form, error=error.message,
                            status=status_for(error))
    flash(gettext("Пароль изменён; сеансы пользователя завершены"), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    user = user_or_404(user_id)
    form = SimplePostForm()
    if not form.validate_on_submit():
        abort(400)
    activate = request.form.get("active") == "1"
    try:
        with unit_of_work() as session:
            users.set_active(session, user, activate, me())
    except WorkflowError as error:
        return refused(error, url_for(".user_edit", user_id=user_id))
    flash(gettext("Учётная запись включена") if activate else gettext("Учётная запись отключена"),
          "success")
    return redirect(url_for(".user_edit", user_id=user_id))
