"""Sign-in, sign-out and language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
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
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from workflow.signin import TooManyAttempts, sign_in
from workflow.user_sessions import sign_out

from ..database import now
from ..extensions import LOCALES, login_manager
from ..sessions import after_password
from ..work import unit_of_work

bp = Blueprint("auth", __name__)


@bp.record_once
def _localize_login_message(_state) -> None:
    # Flask-Login flashes its "sign in to continue" message through this callback.
    login_manager.localize_callback = gettext


class LoginForm(FlaskForm):
    login = StringField(_l("Логин"), validators=[DataRequired(_l("Введите логин")), Length(max=64)])
    password = PasswordField(_l("Пароль"),
                             validators=[DataRequired(_l("Введите пароль")), Length(max=200)])


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: no scheme, no host, no protocol-relative `//`."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            # The attempt is recorded either way (a throttled one too: TooManyAttempts.kept).
            with unit_of_work() as session_:
                user = sign_in(
                    session_, form.login.data, form.password.data,
                    address=request.remote_addr or "", now=now(),
                    max_attempts=current_app.config["LOGIN_THROTTLE_ATTEMPTS"],
                    window=current_app.config["LOGIN_THROTTLE_WINDOW"],
                    address_attempts=current_app.config.get("LOGIN_THROTTLE_ADDRESS_ATTEMPTS"),
                )
        except TooManyAttempts as error:
            flash(error.message, "error")
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(error.retry_after)})
        if user is None:
            flash(gettext("Неверный логин или пароль"), "error")
            return render_template("auth/login.html", form=form), 200
        # A fresh session (session fixation), then the second factor's code if the user
        # has one, or straight in (web/sessions.py).
        return after_password(user, safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ends this browser's session on the server side too, not only this cookie; the
    # user's other sessions end from "Мои сеансы".
    with unit_of_work() as session_:
        sign_out(session_, current_user.user, session.get("sid"), now=now(),
                 address=request.remote_addr or "")
    logout_user()
    lang = session.get("lang")  # the language is a preference, not part of the sign-in
    session.clear()
    if lang:
        session["lang"] = lang
    flash(gettext("Вы вышли из системы"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in LOCALES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
