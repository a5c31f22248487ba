"""Bearer-token authentication and the token endpoints."""

from __future__ import annotations

from flask import current_app, g, request

from workflow import api_tokens
from workflow.signin import TooManyAttempts, log_event, sign_in

from ..database import db, now
from ..errors import json_error
from . import bp
from .serialize import iso, user_profile
from .validation import ApiError, F, parse

API_MAX_BODY = 1024 * 1024
# Endpoints reachable without a token.
PUBLIC_ENDPOINTS = frozenset({"api.issue_token", "api.openapi_document"})

TOKEN_REQUEST = {
    "login": F("string", required=True, max_length=64),
    "password": F("string", required=True, max_length=200),
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
    return None


@bp.post("/auth/token")
def issue_token():
    data = parse(TOKEN_REQUEST)
    session = db()
    try:
        user = sign_in(
            session, data["login"], data["password"],
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
    issued = api_tokens.issue_token(session, user, now=now())
    log_event(session, "api.token.issued", now=now(), user=user, address=request.remote_addr or "")
    session.commit()
    response = current_app.json.response(
        {"token": issued.token, "token_type": "Bearer", "expires_at": iso(issued.expires_at),
         "user": user_profile(user)}
    )
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/auth/token")
def revoke_token():
    session = db()
    api_tokens.revoke_token(session, g.api_token)
    log_event(session, "api.token.revoked", now=now(), user=g.api_user,
              address=request.remote_addr or "")
    session.commit()
    return "", 204


@bp.get("/auth/me")
def me():
    return {"user": user_profile(g.api_user)}
