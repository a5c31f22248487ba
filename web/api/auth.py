"""Bearer-token authentication and the token endpoints."""

from __future__ import annotations

from flask import current_app, g, request

from workflow import api_signin, api_tokens, second_factor, user_sessions
from workflow.models import ApiToken
from workflow.signin import TooManyAttempts

from .. import organisation, principals
from ..database import db, now
from ..errors import json_error
from . import bp
from .common import unit_of_work
from .letter_shapes import Me, Token, TokenRequest, user_out
from .parsing import ApiError, parse_body
from .registry import operation, public_endpoints

API_MAX_BODY = 1024 * 1024


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
    if request.endpoint in public_endpoints():
        return None
    token = bearer_token()
    if token is None:
        raise ApiError(401, "unauthorized",
                       "Требуется токен доступа: заголовок Authorization: Bearer <токен>")
    # The principals come with the token (organisation.expected_today).
    zone, today = organisation.expected_today(now())
    found = api_tokens.verified(db(), token, now=now(), today=today)
    if found is None:
        raise ApiError(401, "invalid_token",
                       "Токен доступа недействителен или истёк; получите новый")
    user, record = found.user, found.record
    settings = organisation.remember(found.organisation_name, found.organisation_timezone)
    if organisation.day_values_hold(zone, settings):
        principals.remember(user, found.principals)
    g.api_user = user
    g.api_token = token
    _second_factor_gate(user, record)
    return None


def _second_factor_gate(user, record: ApiToken) -> None:
    """A signatory or administrator without a second factor is refused (SecondFactorRequired,
    403); the token's last use is noted for "Мои сеансы" (at most once a minute)."""
    second_factor.ensure_may_act(db(), user)
    if user_sessions.due(record.last_seen_at, now()):
        g.api_token_touch = record.id


@operation("post", "/auth/token", "Получить токен доступа (действует 12 часов)", tag="auth",
           body=TokenRequest, ok=Token, status=201, description="Токен выдан",
           errors=(400, 401, 403, 413, 429), public=True)
def issue_token():
    data = parse_body(TokenRequest)
    config = current_app.config
    try:
        with unit_of_work() as session:
            user, issued = api_signin.issue_token(
                session, data.login, data.password, data.code, now=now(),
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
        Token(token=issued.token, token_type="Bearer", expires_at=issued.expires_at,
              user=user_out(user)).model_dump(mode="json")
    )
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@operation("delete", "/auth/token", "Отозвать текущий токен", tag="auth", status=204,
           description="Токен отозван", errors=(401,))
def revoke_token():
    with unit_of_work() as session:
        api_signin.revoke_token(session, g.api_token, g.api_user, now=now(),
                                address=request.remote_addr or "")
    return "", 204


@operation("get", "/auth/me", "Пользователь, которому выдан токен", tag="auth", ok=Me,
           errors=(401,), op_id="getMe")
def me():
    return Me(user=user_out(g.api_user)).model_dump(mode="json")
