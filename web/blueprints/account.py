"""The user's own sign-in security: the second step of sign-in (code), the second factor
(enrolment, recovery codes, turning it off), "Мои сеансы", and the administrator's reset of
someone's second factor."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from workflow import second_factor, user_sessions
from workflow.errors import WorkflowError
from workflow.models import User
from workflow.second_factor import InvalidCode, Throttle
from workflow.signin import TooManyAttempts
from workflow.states import Role

from ..database import db, now
from ..errors import status_for
from ..sessions import finish_sign_in, pending_user
from ..work import refused, unit_of_work

bp = Blueprint("account", __name__)


class CodeForm(FlaskForm):
    code = StringField(_l("Код"), validators=[DataRequired(_l("Введите код")), Length(max=64)])


class IdForm(FlaskForm):
    id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2_147_483_647)])


class PostForm(FlaskForm):
    pass


def _throttle() -> Throttle:
    return Throttle(max_attempts=current_app.config["LOGIN_THROTTLE_ATTEMPTS"],
                    window=current_app.config["LOGIN_THROTTLE_WINDOW"])


def _address() -> str:
    return request.remote_addr or ""


def _codes_page(codes: list[str]):
    response = current_app.make_response(render_template("account/recovery_codes.html",
                                                         codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _second_factor_helpers():
    def status(user: User) -> dict:
        factor = second_factor.factor_of(db(), user)
        return {"enrolled": factor is not None and factor.confirmed_at is not None,
                "pending": factor is not None and factor.confirmed_at is None,
                "required": second_factor.required_for(user)}

    return {"second_factor_status": status}


# ---------------------------------------------------------------- the second step


@bp.route("/login/code", methods=["GET", "POST"])
def second_step():
    pending = pending_user()
    if pending is None:
        session.pop("second_step", None)
        flash(gettext("Войдите снова: время на ввод кода истекло"), "info")
        return redirect(url_for("auth.login"))
    user, next_url = pending
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("account/second_step.html", form=form, user=user)
    try:
        # A wrong code counts towards the throttle (InvalidCode.kept); nothing else changes.
        with unit_of_work() as s:
            method = second_factor.verify(s, user, form.code.data, now=now(),
                                          address=_address(), throttle=_throttle())
    except (TooManyAttempts, InvalidCode) as error:
        flash(error.message, "error")
        status = 429 if isinstance(error, TooManyAttempts) else 400
        return render_template("account/second_step.html", form=form, user=user), status
    response = finish_sign_in(user, method, next_url)  # starts a fresh session: flash after
    if method == "recovery":
        left = second_factor.recovery_codes_left(s, user)
        flash(gettext("Вы вошли по коду восстановления; осталось кодов: %(n)s. Создайте "
                      "новые коды на странице «Второй фактор».", n=left), "info")
    return response


# ---------------------------------------------------------------- the second factor


@bp.route("/account/second-factor", endpoint="second_factor")
@login_required
def second_factor_page():
    me = current_user.user
    s = db()
    enrolment = second_factor.pending_enrolment(s, me)
    qr = None
    if enrolment is not None:
        import segno

        qr = segno.make(enrolment.uri, error="m").svg_data_uri(scale=5, border=2)
    return render_template(
        "account/second_factor.html", enrolment=enrolment, qr=qr,
        enrolled=second_factor.is_enrolled(s, me), required=second_factor.required_for(me),
        left=second_factor.recovery_codes_left(s, me), form=CodeForm(), post_form=PostForm())


@bp.route("/account/second-factor/start", methods=["POST"])
@login_required
def second_factor_start():
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        with unit_of_work() as s:
            second_factor.start_enrolment(s, current_user.user, now=now())
    except WorkflowError as error:
        return refused(error, url_for(".second_factor"))
    return redirect(url_for(".second_factor"))


def _with_code(operation):
    """Run `operation(session, user, code, now=, address=, throttle=)` of workflow.second_factor
    with the code the user typed; a wrong code is counted and reported."""
    form = CodeForm()
    if not form.validate_on_submit():
        flash(gettext("Введите код из приложения"), "error")
        return None, redirect(url_for(".second_factor"))
    try:
        # A wrong code is counted (InvalidCode.kept, TooManyAttempts.kept).
        with unit_of_work() as s:
            result = operation(s, current_user.user, form.code.data, now=now(),
                               address=_address(), throttle=_throttle())
    except (TooManyAttempts, InvalidCode) as error:
        return None, refused(error, url_for(".second_factor"))
    except WorkflowError as error:
        flash(error.message, "error")
        return None, (render_template("errors/error.html", status=status_for(error),
                                      message=error.message), status_for(error))
    return result, None


@bp.route("/account/second-factor/confirm", methods=["POST"])
@login_required
def second_factor_confirm():
    codes, failed = _with_code(second_factor.confirm_enrolment)
    if failed is not None:
        return failed
    flash(gettext("Второй фактор подключён"), "success")
    return _codes_page(codes)


@bp.route("/account/second-factor/recovery-codes", methods=["POST"])
@login_required
def second_factor_recovery_codes():
    codes, failed = _with_code(second_factor.new_recovery_codes)
    if failed is not None:
        return failed
    flash(gettext("Созданы новые коды восстановления; прежние больше не действуют"), "success")
    return _codes_page(codes)


@bp.route("/account/second-factor/disable", methods=["POST"])
@login_required
def second_factor_disable():
    _done, failed = _with_code(second_factor.disable)
    if failed is not None:
        return failed
    flash(gettext("Второй фактор отключён"), "success")
    return redirect(url_for(".second_factor"))


# ---------------------------------------------------------------- my sessions


@bp.route("/account/sessions")
@login_required
def sessions():
    me = current_user.user
    s = db()
    config = current_app.config
    return render_template(
        "account/sessions.html",
        sessions=user_sessions.active_sessions(
            s, me, now=now(), idle=config["PERMANENT_SESSION_LIFETIME"],
            absolute=config["SESSION_ABSOLUTE_LIFETIME"]),
        tokens=user_sessions.active_tokens(s, me, now=now()),
        current_id=session.get("sid"), post_form=PostForm())


def _end(operation, message: str):
    form = IdForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work() as s:
            operation(s, current_user.user, form.id.data)
    except WorkflowError as error:
        return refused(error, url_for(".sessions"))
    flash(message, "success")
    return redirect(url_for(".sessions"))


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def end_session():
    form = IdForm()
    if form.validate_on_submit() and form.id.data == session.get("sid"):
        # Ending this very session is signing out.
        with unit_of_work() as s:
            user_sessions.end_current(s, form.id.data, now=now())
        logout_user()
        session.clear()
        flash(gettext("Вы вышли из системы"), "info")
        return redirect(url_for("auth.login"))
    return _end(lambda s, me, sid: user_sessions.end_session(
        s, me, sid, now=now(), address=_address()), gettext("Сеанс завершён"))


@bp.route("/account/tokens/end", methods=["POST"])
@login_required
def end_token():
    return _end(lambda s, me, tid: user_sessions.end_token(
        s, me, tid, now=now(), address=_address()), gettext("Токен отозван"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_others():
    if not PostForm().validate_on_submit():
        abort(400)
    with unit_of_work() as s:
        sessions_, tokens = user_sessions.end_others(s, current_user.user, session.get("sid"),
                                                     now=now(), address=_address())
    flash(gettext("Завершено сеансов: %(s)s, отозвано токенов: %(t)s", s=sessions_, t=tokens),
          "success")
    return redirect(url_for(".sessions"))


# ---------------------------------------------------------------- administrator


@bp.route("/admin/users/<int:user_id>/second-factor/reset", methods=["POST"])
@login_required
def admin_reset_second_factor(user_id: int):
    me = current_user.user
    if me.role != Role.ADMIN:
        abort(403)
    if not PostForm().validate_on_submit():
        abort(400)
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    try:
        with unit_of_work() as s:
            second_factor.reset(s, user, actor=me, now=now(), address=_address())
    except WorkflowError as error:
        return refused(error, url_for("admin.user_edit", user_id=user_id))
    flash(gettext("Второй фактор сброшен; сеансы пользователя завершены. При следующем входе "
                  "пользователь подключит его заново."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))
