"""Error pages in the user's language (Russian by default), without stack traces; JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from workflow.db import unit_of_work
from workflow.errors import (
    Conflict,
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
    WorkflowError,
)

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("Запрос не может быть обработан: проверьте введённые данные."),
    401: _l("Требуется вход в систему."),
    403: _l("У вас нет прав на это действие."),
    404: _l("Страница не найдена."),
    405: _l("Этот метод запроса не поддерживается."),
    409: _l("Данные изменились: обновите страницу."),
    413: _l("Файл слишком большой."),
    422: _l("Условия для действия не выполнены."),
    429: _l("Слишком много попыток. Повторите позже."),
    500: _l("Внутренняя ошибка. Мы уже знаем о ней; повторите попытку позже."),
}

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "guard_failed",
         429: "too_many_requests", 500: "server_error"}


# Signing refusals (workflow.signing_keys): no key of one's own is a 403, a locked key a 429;
# a missing or wrong PIN is bad input (400).
SIGNING_STATUS = {"pin_locked": 429, "no_certificate": 403, "certificate_owner_mismatch": 403}


def status_for(error: WorkflowError) -> int:
    if error.code == "too_many_attempts":
        return 429
    if error.code in SIGNING_STATUS:
        return SIGNING_STATUS[error.code]
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, (StaleVersion, IllegalTransition, Conflict)):
        return 409
    if isinstance(error, GuardFailed):
        return 422
    if isinstance(error, InvalidInput):
        return 400
    return 400


REFUSED = "action.refused"


def _signed_in() -> tuple[int, str] | None:
    """(id, login) of the caller: the API's bearer user or the screens' session user."""
    user = g.get("api_user")
    if user is None:
        from flask_login import current_user

        if not current_user or not current_user.is_authenticated:
            return None
        user = current_user.user
    return user.id, user.login


def mark_refused(code: str) -> None:
    """Note that this request was refused; `_log_refused` records it after the response."""
    g.refused_code = code


def _log_refused(response):
    """A refused action by a signed-in user (403, 404 on a matched route, CSRF failure)
    becomes a SecurityEvent: who, what (method, path, error code) and when. Never the body,
    the query string or any header. Written in a session of its own: the request's session
    is rolled back first (it holds nothing worth keeping in a refused request, and on SQLite
    it may hold the write lock)."""
    code = g.pop("refused_code", None)
    if code is None and response.status_code in (403, 404) and request.endpoint not in (None, "static"):
        code = CODES[response.status_code]
    if code is None:
        return response
    try:
        who = _signed_in()
        if who is None:
            return response
        request_session = g.get("db_session")
        if request_session is not None:
            request_session.rollback()
        from workflow.models import SecurityEvent

        with unit_of_work(current_app.extensions["session_factory"]) as session:
            session.add(SecurityEvent(
                at=current_app.config["CLOCK"](), action=REFUSED, user_id=who[0],
                login=who[1][:64], address=(request.remote_addr or "")[:64],
                detail=f"{request.method} {request.path[:500]} {response.status_code} {code}",
            ))
    except Exception:  # the log must never turn a refusal into a server error
        log.exception("could not record a refused action on %s %s", request.method, request.path)
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def init_app(app: Flask) -> None:
    app.after_request(_log_refused)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        mark_refused("csrf")
        message = gettext("Форма устарела или отправлена повторно. Обновите страницу и повторите.")
        if wants_json():
            return json_error(400, "csrf", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(WorkflowError)
    def _workflow(error: WorkflowError):
        status = status_for(error)
        if isinstance(error, (PermissionDenied, NotFound)):
            mark_refused(error.code)
        if wants_json():
            extra = {"reasons": error.reasons} if isinstance(error, GuardFailed) else {}
            if isinstance(error, InvalidInput) and error.field:
                extra["field"] = error.field
            return json_error(status, error.code, error.message, **extra)
        return render_template("errors/error.html", status=status, message=error.message), status

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        status = error.code or 500
        message = str(MESSAGES.get(status, error.description))
        if status == 403:
            mark_refused("forbidden")
        if wants_json():
            return json_error(status, CODES.get(status, "error"), message)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(DataError)
    def _bad_data(error: DataError):
        # A value the database cannot hold (a NUL byte in text on PostgreSQL, a number out
        # of range): bad input, not a server fault. Teardown rolls the session back.
        log.warning("refused data on %s %s: %s", request.method, request.path,
                    type(error.orig).__name__ if error.orig is not None else "DataError")
        request_session = g.get("db_session")
        if request_session is not None:
            request_session.rollback()  # PostgreSQL refuses every statement after the error
        if wants_json():
            return json_error(400, "invalid_value", str(MESSAGES[400]))
        return render_template("errors/error.html", status=400, message=str(MESSAGES[400])), 400

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "server_error", str(MESSAGES[500]))
        return render_template("errors/error.html", status=500, message=str(MESSAGES[500])), 500
