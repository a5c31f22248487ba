"""Administration: users, municipalities, campaigns. Administrators only."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import func, select
from wtforms import SelectChoice

from documents.issue import demo_pki_active, issue_demo_certificate, trust_roots
from documents.signing import SignerError
from workflow import (
    admin_ops,
    notifications,
    signatory_certificates,
    signing_pkcs12,
    users,
)
from workflow.errors import WorkflowError
from workflow.models import Campaign, Municipality, Programme, SignerCertificate, User
from workflow.organisation_profile import required_profile
from workflow.states import Role

from ..database import db, now
from ..errors import status_for
from ..forms import (
    CertificateUploadForm,
    DemoCertificateForm,
    MunicipalityForm,
    PasswordForm,
    SimplePostForm,
    UserCreateForm,
    UserRoleForm,
)
from ..guards import me, only_for
from ..work import refused, unit_of_work

bp = Blueprint("admin", __name__)


bp.before_request(only_for(lambda user: user.role == Role.ADMIN))


def _municipality_choices(include_empty: bool = True):
    rows = db().execute(
        select(Municipality.id, Municipality.name).order_by(Municipality.name)
    ).all()
    choices = [SelectChoice("", gettext("— не указан —"))] if include_empty else []
    return choices + [SelectChoice(str(r.id), r.name) for r in rows]


def _error(form, error: WorkflowError) -> None:
    name = getattr(error, "field", None)
    if name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, error.message]


@bp.route("/")
def index():
    session = db()
    counts = {
        "users": session.scalar(select(func.count(User.id))),
        "municipalities": session.scalar(select(func.count(Municipality.id))),
        "campaigns": session.scalar(select(func.count(Campaign.id))),
        "programmes": session.scalar(select(func.count(Programme.id))),
    }
    return render_template("admin/index.html", counts=counts,
                           notifications=notifications.unread(session, me()))


# ---------------------------------------------------------------- users


@bp.route("/users")
def users_list():
    rows = db().scalars(select(User).order_by(User.role, User.full_name)).all()
    return render_template("admin/users.html", users=rows, form=SimplePostForm())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    form.municipality.choices = _municipality_choices()
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
        _error(form, error)
        return render_template("admin/user_new.html", form=form, error=error.message), \
            status_for(error)
    flash(gettext("Пользователь «%(login)s» создан", login=user.login), "success")
    return redirect(url_for(".users_list"))


def _user_or_404(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _render_user(user, *, role_form=None, password_form=None, error=None, status=200,
                 upload_form=None, demo_form=None, issued_pin=None):
    if role_form is None:
        role_form = UserRoleForm(role=user.role, municipality=str(user.municipality_id or ""))
    role_form.municipality.choices = _municipality_choices()
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
    user = _user_or_404(user_id)
    if request.method == "GET":
        return _render_user(user)
    form = UserRoleForm()
    form.municipality.choices = _municipality_choices()
    if not form.validate_on_submit():
        return _render_user(user, role_form=form, status=400)
    try:
        with unit_of_work() as session:
            admin_ops.change_role(
                session, user, me(), role=form.role.data,
                municipality_id=int(form.municipality.data) if form.municipality.data else None,
                now=now(),
            )
    except WorkflowError as error:
        _error(form, error)
        return _render_user(_user_or_404(user_id), role_form=form, error=error.message,
                            status=status_for(error))
    flash(gettext("Роль и муниципалитет сохранены"), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _render_user(user, password_form=form, status=400)
    try:
        with unit_of_work() as session:
            users.set_password(session, user, form.password.data, me())
    except WorkflowError as error:
        _error(form, error)
        return _render_user(_user_or_404(user_id), password_form=form, error=error.message,
                            status=status_for(error))
    flash(gettext("Пароль изменён; сеансы пользователя завершены"), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    user = _user_or_404(user_id)
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


# ---------------------------------------------------------------- signing certificates

MAX_PKCS12_UPLOAD = 256 * 1024


@bp.route("/users/<int:user_id>/certificates", methods=["POST"])
def certificate_upload(user_id: int):
    """Add a signatory's own PKCS#12; the PIN proves it opens and is then forgotten."""
    request.max_content_length = MAX_PKCS12_UPLOAD
    user = _user_or_404(user_id)
    form = CertificateUploadForm()
    if not form.validate_on_submit():
        return _render_user(user, upload_form=form, status=400)
    upload = form.pkcs12.data
    data = upload.read(signing_pkcs12.MAX_PKCS12 + 1) if getattr(upload, "filename", "") else b""
    try:
        with unit_of_work() as session:
            cert = signatory_certificates.add_certificate(
                session, user, me(), pkcs12_bytes=data, pin=form.pin.data, now=now(),
                source="upload", trust_roots=trust_roots(current_app),
                address=request.remote_addr or "")
    except WorkflowError as error:
        _error(form, error)
        return _render_user(_user_or_404(user_id), upload_form=form, error=error.message,
                            status=status_for(error))
    flash(gettext("Сертификат № %(serial)s (владелец %(owner)s) добавлен; подписанты "
                  "уведомлены", serial=cert.serial, owner=cert.owner_name), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


@bp.route("/users/<int:user_id>/certificates/demo", methods=["POST"])
def certificate_demo(user_id: int):
    """While the demo PKI is in use: issue the user a certificate from the demo CA, with a
    PIN chosen now and shown once (on this response only; it is not stored)."""
    if not demo_pki_active(current_app.config):
        abort(404)
    user = _user_or_404(user_id)
    form = DemoCertificateForm()
    if not form.validate_on_submit():
        return _render_user(user, demo_form=form, status=400)
    pin = form.pin.data or "".join(secrets.choice("0123456789") for _ in range(8))
    try:
        with unit_of_work() as session:
            data = issue_demo_certificate(current_app.config, owner_name=user.full_name,
                                          organisation=required_profile(session).name, pin=pin)
            cert = signatory_certificates.add_certificate(
                session, user, me(), pkcs12_bytes=data, pin=pin, now=now(), source="demo",
                trust_roots=trust_roots(current_app), address=request.remote_addr or "")
    except WorkflowError as error:
        return _render_user(_user_or_404(user_id), demo_form=form, error=error.message,
                            status=status_for(error))
    except (SignerError, ValueError) as error:
        return _render_user(_user_or_404(user_id), demo_form=form, status=400,
                            error=gettext("Сертификат не выпущен: %(reason)s", reason=str(error)))
    page, _status = _render_user(_user_or_404(user_id),
                                 issued_pin={"pin": pin, "serial": cert.serial})
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/users/<int:user_id>/certificates/<int:certificate_id>/revoke", methods=["POST"])
def certificate_revoke(user_id: int, certificate_id: int):
    session = db()
    cert = session.get(SignerCertificate, certificate_id)
    if cert is None or cert.user_id != user_id:
        abort(404)
    if not SimplePostForm().validate_on_submit():
        abort(400)
    with unit_of_work() as session:
        signatory_certificates.revoke_certificate(session, cert, me(), now=now(),
                                                  address=request.remote_addr or "")
    flash(gettext("Сертификат № %(serial)s отозван", serial=cert.serial), "success")
    return redirect(url_for(".user_edit", user_id=user_id))


# ---------------------------------------------------------------- municipalities


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
        _error(form, error)
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
        _error(form, error)
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


# Campaigns: web/blueprints/campaigns_admin.py.
