"""Sign-in sessions on the request side: the server-side record behind every signed-in
cookie, the second step of sign-in, and the rule that a signatory or administrator does
nothing before enrolling a second factor.

The Flask session (a signed cookie) holds:
- `sid`: the id of the user's `user_session` row; `load_live` checks it on every request
  together with the user (one statement), so "Завершить" works at the next request;
- `second_step`: between a right password and the code, {user id, epoch, started, next};
  the user is not signed in during it.
"""

from __future__ import annotations

from flask import (
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from workflow import second_factor, user_sessions
from workflow.models import User

from . import nav_badges, organisation, principals
from .database import db, now
from .work import unit_of_work

SECOND_STEP_SECONDS = 300
# What an unenrolled signatory or administrator may still reach: the enrolment itself,
# sign-out, the language switch and the public pages.
ENROLMENT_ENDPOINTS = frozenset({
    "static", "auth.logout", "auth.set_language", "auth.login",
    "account.second_step", "account.second_factor", "account.second_factor_start",
    "account.second_factor_confirm",
})
PUBLIC_BLUEPRINTS = frozenset({"verify", "api"})


def live_session(user_id: int) -> bool:
    """Called by the user loader before it reads the user: the cookie's session record
    must exist and not be ended. Loads the user row with it (then `db().get` costs nothing)."""
    sid = session.get("sid")
    if not isinstance(sid, int):
        return False
    # The badges and the principals come with the session check (organisation.expected_today).
    zone, today = organisation.expected_today(now())
    live = user_sessions.load_live(db(), sid, user_id, today=today)
    if live is None:
        return False
    g.live_session = live
    settings = organisation.remember(live.organisation_name, live.organisation_timezone)
    if organisation.day_values_hold(zone, settings):
        nav_badges.remember(live.user, live.badges)
        principals.remember(live.user, live.principals)
    return True


def _fresh_session() -> None:
    # Nothing from before sign-in survives (session fixation); the language is a preference.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def after_password(user: User, next_url: str | None):
    """The password was right: the second step if the user has a second factor, else in
    (a signatory or administrator without one goes straight to enrolment)."""
    _fresh_session()
    if second_factor.is_enrolled(db(), user):
        session["second_step"] = {"uid": user.id, "epoch": user.session_epoch,
                                  "at": now().timestamp(), "next": next_url}
        return redirect(url_for("account.second_step"))
    return finish_sign_in(user, "password", next_url)


def pending_user() -> tuple[User, str | None] | None:
    """The user waiting for the second step, if the step has not expired."""
    step = session.get("second_step")
    if not isinstance(step, dict):
        return None
    if now().timestamp() - float(step.get("at", 0)) > SECOND_STEP_SECONDS:
        session.pop("second_step", None)
        return None
    user = db().get(User, step.get("uid"))
    if user is None or not user.active or user.session_epoch != step.get("epoch"):
        return None
    return user, step.get("next")


def finish_sign_in(user: User, method: str, next_url: str | None):
    """Open the session record, sign the browser in, and lead a signatory or administrator
    without a second factor to its enrolment."""
    _fresh_session()
    with unit_of_work() as work:
        record = user_sessions.open_session(
            work, user, now=now(), address=request.remote_addr or "",
            user_agent=request.user_agent.string or "", method=method)
    session["auth_at"] = now().timestamp()
    session["sid"] = record.id
    from .extensions import SessionUser

    login_user(SessionUser(user))
    if second_factor.required_for(user) and method == "password":
        flash(str(second_factor.SecondFactorRequired(user).message), "info")
        return redirect(url_for("account.second_factor"))
    return redirect(next_url or url_for("main.home"))


def _enrolment_guard():
    """A signatory or administrator without a second factor reaches only its enrolment:
    pages lead there, anything else is refused with the reason."""
    if request.endpoint in ENROLMENT_ENDPOINTS or request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    if request.endpoint is None or not current_user.is_authenticated:
        return None
    live = g.get("live_session")
    user = current_user.user
    if live is None or live.enrolled or not second_factor.required_for(user):
        return None
    message = second_factor.SecondFactorRequired(user).message
    if request.method in ("GET", "HEAD"):
        flash(message, "error")
        return redirect(url_for("account.second_factor"))
    from .errors import mark_refused

    mark_refused(second_factor.SecondFactorRequired.code)
    return render_template("errors/error.html", status=403, message=message), 403


def _touch(response):
    """Refresh `last_seen_at` at most once a minute, in a short transaction of its own
    after the request's (which is rolled back first: on SQLite it may hold the lock)."""
    live = g.pop("live_session", None)
    token_id = g.pop("api_token_touch", None)
    if live is None and token_id is None:
        return response
    moment = now()
    if live is not None and not user_sessions.due(live.last_seen_at, moment):
        live = None
    if live is None and token_id is None:
        return response
    request_session = g.get("db_session")
    if request_session is not None:
        request_session.rollback()
    # Marked as bookkeeping, so statement counts of pages can leave it out.
    with current_app.extensions["engine"].connect() as conn:
        conn = conn.execution_options(bookkeeping=True)
        with conn.begin():
            if live is not None:
                user_sessions.touch(conn, live.session_id, now=moment)
            if token_id is not None:
                user_sessions.touch_token(conn, token_id, now=moment)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_enrolment_guard)
    app.after_request(_touch)
