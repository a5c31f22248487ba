"""Bearer-token authentication and the token endpoints."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy import select

from workflow import api_signin, api_tokens, second_factor, user_sessions
from workflow.models import ApiToken
from workflow.signin import TooManyAttempts

from ..database import db, now
from ..errors import json_error
from . import bp
from .common import unit_of_work
from .serialize import iso, user_profile
from .validation import ApiError, F, parse

API_MAX_BODY = 1024 * 1024
# Endpoints reachable without a token.
PUBLIC_ENDPOINTS = frozenset({"api.issue_token", "api.openapi_document"})

TOKEN_REQUEST = {
    "login": F("string", required=True, max_length=64),
    "password": F("string", required=True, max_length=200),
    "code": F("string", max_length=64,
              description="Код второго фактора (6 цифр из приложения или код восстановления), "
                          "если он подключён"),
}


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@bp.before_request
def _authenticate():
    # JSON bodies are small: refuse anything bigger before reading it.
    request.max_content_length = current_app.config.get("API_MAX_BODY", API_MAX_BODY)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    token = bearer_token()
    if token is None:
        raise ApiError(401, "unauthorized",
                       "Требуется токен доступа: заголовок Authorization: Bearer <токен>")
    user = api_tokens.verify_token(db(), token, now=now())
    if user is None:
        raise ApiError(401, "invalid_token",
                       "Токен доступа недействителен или истёк; получите новый")
    g.api_user = user
    g.api_token = token
    _second_factor_gate(user)
    return None


def _second_factor_gate(user) -> None:
    """A signatory or administrator without a second factor is refused (SecondFactorRequired,
    403); the token's last use is noted for "Мои сеансы" (at most once a minute)."""
    session = db()
    second_factor.ensure_may_act(session, user)
    record = session.scalar(select(ApiToken).where(
        ApiToken.token_sha256 == api_tokens.token_hash(g.api_token)))
    if record is not None and user_sessions.due(record.last_seen_at, now()):
        g.api_token_touch = record.id


@bp.post("/auth/token")
def issue_token():
    data = parse(TOKEN_REQUEST)
    config = current_app.config
    try:
        with unit_of_work() as session:
            user, issued = api_signin.issue_token(
                session, data["login"], data["password"], data.get("code"), now=now(),
                address=request.remote_addr or "", user_agent=request.user_agent.string or "",
                max_attempts=config["LOGIN_THROTTLE_ATTEMPTS"],
                window=config["LOGIN_THROTTLE_WINDOW"],
                address_attempts=config.get("LOGIN_THROTTLE_ADDRESS_ATTEMPTS"),
                throttle=second_factor.Throttle(config["LOGIN_THROTTLE_ATTEMPTS"],
                                                config["LOGIN_THROTTLE_WINDOW"]))
    except TooManyAttempts as error:
        response, status = json_error(429, error.code, error.message,
                                      retry_after=error.retry_after)
        response.headers["Retry-After"] = str(error.retry_after)
        return response, status
    except (api_signin.InvalidCredentials, api_signin.CodeMissing,
            second_factor.InvalidCode) as error:
        raise ApiError(401, error.code, error.message) from None
    response = current_app.json.response(
        {"token": issued.token, "token_type": "Bearer", "expires_at": iso(issued.expires_at),
         "user": user_profile(user)}
    )
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/auth/token")
def revoke_token():
    with unit_of_work() as session:
        api_signin.revoke_token(session, g.api_token, g.api_user, now=now(),
                                address=request.remote_addr or "")
    return "", 204


@bp.get("/auth/me")
def me():
    return {"user": user_profile(g.api_user)}
