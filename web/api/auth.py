"""Bearer-token authentication and the token endpoints."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy import select

from workflow import api_tokens, second_factor, user_sessions
from workflow.models import ApiToken
from workflow.signin import TooManyAttempts, log_event, sign_in

from ..database import db, now
from ..errors import json_error
from . import bp
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


def _check_code(session, user, code: str | None) -> None:
    """Issuing a token takes the second factor's code when the user has one; a signatory
    or administrator without one gets no token until they enrol (on the screens)."""
    if not second_factor.is_enrolled(session, user):
        if second_factor.required_for(user):
            session.commit()
            error = second_factor.SecondFactorRequired(user)
            raise ApiError(403, error.code, error.message)
        return
    if not code:
        session.commit()
        raise ApiError(401, "second_factor_required",
                       "Требуется код второго фактора: передайте его в поле code")
    try:
        second_factor.verify(
            session, user, code, now=now(), address=request.remote_addr or "",
            throttle=second_factor.Throttle(current_app.config["LOGIN_THROTTLE_ATTEMPTS"],
                                            current_app.config["LOGIN_THROTTLE_WINDOW"]))
    except TooManyAttempts as error:
        session.commit()
        raise ApiError(429, error.code, error.message) from None
    except second_factor.InvalidCode as error:
        session.commit()  # the failure counts towards the throttle
        raise ApiError(401, error.code, error.message) from None


@operation("post", "/auth/token", "Получить токен доступа (действует 12 часов)", tag="auth",
           body=TokenRequest, ok=Token, status=201, description="Токен выдан",
           errors=(400, 401, 403, 413, 429), public=True)
def issue_token():
    data = parse_body(TokenRequest)
    session = db()
    try:
        user = sign_in(
            session, data.login, data.password,
            address=request.remote_addr or "", now=now(),
            max_attempts=current_app.config["LOGIN_THROTTLE_ATTEMPTS"],
            window=current_app.config["LOGIN_THROTTLE_WINDOW"],
            address_attempts=current_app.config.get("LOGIN_THROTTLE_ADDRESS_ATTEMPTS"),
        )
    except TooManyAttempts as error:
        session.commit()  # the throttling event is logged
        response, status = json_error(429, error.code, error.message,
                                      retry_after=error.retry_after)
        response.headers["Retry-After"] = str(error.retry_after)
        return response, status
    if user is None:
        session.commit()  # the failed attempt counts towards throttling
        raise ApiError(401, "invalid_credentials", "Неверный логин или пароль")
    _check_code(session, user, data.code)
    issued = api_tokens.issue_token(session, user, now=now(), address=request.remote_addr or "",
                                    user_agent=request.user_agent.string or "")
    log_event(session, "api.token.issued", now=now(), user=user, address=request.remote_addr or "")
    session.commit()
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
    session = db()
    api_tokens.revoke_token(session, g.api_token)
    log_event(session, "api.token.revoked", now=now(), user=g.api_user,
              address=request.remote_addr or "")
    session.commit()
    return "", 204


@operation("get", "/auth/me", "Пользователь, которому выдан токен", tag="auth", ok=Me,
           errors=(401,), op_id="getMe")
def me():
    return Me(user=user_out(g.api_user)).model_dump(mode="json")
