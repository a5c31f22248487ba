"""Flask-Login, CSRF and Babel, wired to the request session."""

from __future__ import annotations

import time
from contextvars import ContextVar
from datetime import datetime

from flask import Flask, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, get_locale, get_timezone, get_translations
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature

from workflow.access import account_enabled
from workflow.i18n import N_
from workflow.models import User

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

LOCALES = ("ru", "en")


class SessionUser(UserMixin):
    """What Flask-Login holds: the row plus an id that embeds the session epoch, so that
    sign-out everywhere, deactivation and a password reset end existing sessions."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_epoch}"

    @property
    def is_active(self) -> bool:
        return account_enabled(self.user)


# A cookie that did not change is signed and sent again at most this often (seconds).
COOKIE_REFRESH_EVERY_S = 60


class SessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, marked `Secure` when the configuration says so or when the
    request itself came over HTTPS (behind a proxy, with ProxyFix trusting X-Forwarded-Proto).

    A permanent session's cookie slides: each response sends it again with a new expiry
    (PERMANENT_SESSION_LIFETIME of inactivity). Flask signs and sends it on every response;
    here an unchanged cookie signed less than a minute ago is left as it is, as the server's
    record of the session is touched at most once a minute (web/sessions.py). Signing it cost
    a tenth of a signed-in page."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))

    def open_session(self, app: Flask, req):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = req.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                return_timestamp=True)
        except BadSignature:
            return self.session_class()
        opened = self.session_class(data)
        opened.signed_at = signed_at.timestamp()
        return opened

    def should_set_cookie(self, app: Flask, session) -> bool:
        if not super().should_set_cookie(app, session):
            return False
        if session.modified:
            return True
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= COOKIE_REFRESH_EVERY_S


def _load_user(token: str) -> SessionUser | None:
    from .database import db

    try:
        user_id, epoch = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    from .sessions import live_session

    if not live_session(user_id):  # the session record, ended or not (loads the user too)
        return None
    user = db().get(User, user_id)
    if user is None or not account_enabled(user) or user.session_epoch != epoch:
        return None
    started = session.get("auth_at")
    limit = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    if started is None or (current_app.config["CLOCK"]().timestamp() - started) > limit.total_seconds():
        return None
    return SessionUser(user)


def _select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    return "ru"


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Войдите, чтобы продолжить")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    _install_fast_gettext(app)

    @app.context_processor
    def _inject():
        from flask_login import current_user

        return {
            "me": current_user.user if current_user.is_authenticated else None,
            "now_utc": datetime.now,
            "lang": _select_locale(),
            "request_path": request.path,
            "organisation": _organisation,
        }


def _organisation():
    from .organisation import organisation

    return organisation()


# Per-request values looked up once. Flask-Babel resolves the translations, the locale and
# the time zone through several context-local proxies on every `_()` and date; a list page
# has a hundred of them, which cost more than its SQL.
_request_cache: ContextVar[dict | None] = ContextVar("request_cache", default=None)


def _cached(key: str, compute):
    cache = _request_cache.get()
    if cache is None:
        cache = {}
        _request_cache.set(cache)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def remember_per_request(key: str, value) -> None:
    """What `cached_per_request(key, ...)` will return for the rest of the request."""
    if has_request_context():
        _cached(key, lambda: value)


def cached_per_request(key: str, compute):
    """`compute()` once per request (outside a request, every time)."""
    if not has_request_context():
        return compute()
    return _cached(key, compute)


def _select_timezone() -> str:
    # Every date a user sees is in the organisation's zone (its profile), not the server's.
    from .organisation import organisation

    return organisation().timezone


def request_translations():
    return _cached("translations", get_translations)


def request_locale() -> str:
    return _cached("locale", lambda: str(get_locale() or "ru"))


def request_timezone():
    return _cached("timezone", get_timezone)


def fast_gettext(message: str) -> str:
    return request_translations().ugettext(message)


# WTForms' own messages ("CSRF token missing"...), one catalogue per language for the life
# of the process: Flask-WTF would read and parse the file again on every request with a form.
_wtforms_catalogues: dict[str, object] = {}


def _wtforms_translations(locale: str):
    catalogue = _wtforms_catalogues.get(locale)
    if catalogue is None:
        from babel import support
        from wtforms.i18n import messages_path

        catalogue = support.Translations.load(messages_path(), [locale], domain="wtforms")
        _wtforms_catalogues[locale] = catalogue
    return catalogue


def _install_fast_gettext(app: Flask) -> None:
    @app.before_request
    def _forget_cache():
        _request_cache.set(None)
        # Where Flask-WTF looks for the request's catalogue before loading it from disk.
        request.wtforms_translations = _wtforms_translations(_select_locale())

    @app.teardown_request
    def _drop_cache(_exc):
        _request_cache.set(None)

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
