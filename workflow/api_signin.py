"""Signing in to the JSON API: a login and password (and the second factor's code, when the
user has one) for a bearer token, and signing out. One use case, one transaction.

Refusals that are themselves recorded (a wrong password or code counts towards the
throttle, a throttled attempt is logged) are `kept`: the caller's unit of work commits the
record before the refusal is answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from . import api_tokens, second_factor
from .errors import WorkflowError
from .models import User
from .signin import log_event, sign_in


class InvalidCredentials(WorkflowError):
    code = "invalid_credentials"
    kept = True

    def __init__(self):
        super().__init__("Неверный логин или пароль")


class CodeMissing(WorkflowError):
    """The user has a second factor and sent no code (the password's success is kept)."""

    code = "second_factor_required"
    kept = True

    def __init__(self):
        super().__init__("Требуется код второго фактора: передайте его в поле code")


class EnrolmentRequired(second_factor.SecondFactorRequired):
    """A signatory or administrator without a second factor gets no token until they enrol
    (on the screens); the password's success is kept."""

    kept = True


def issue_token(session: Session, login: str, password: str, code: str | None, *,
                now: datetime, address: str, user_agent: str, max_attempts: int,
                window: timedelta, address_attempts: int | None,
                throttle: second_factor.Throttle) -> tuple[User, api_tokens.IssuedToken]:
    """The user and their new token. Raises TooManyAttempts, InvalidCredentials,
    EnrolmentRequired, CodeMissing or InvalidCode."""
    user = sign_in(session, login, password, address=address, now=now,
                   max_attempts=max_attempts, window=window, address_attempts=address_attempts)
    if user is None:
        raise InvalidCredentials()
    if not second_factor.is_enrolled(session, user):
        if second_factor.required_for(user):
            raise EnrolmentRequired(user)
    elif not code:
        raise CodeMissing()
    else:
        second_factor.verify(session, user, code, now=now, address=address, throttle=throttle)
    issued = api_tokens.issue_token(session, user, now=now, address=address,
                                    user_agent=user_agent)
    log_event(session, "api.token.issued", now=now, user=user, address=address)
    return user, issued


def revoke_token(session: Session, token: str, user: User, *, now: datetime,
                 address: str) -> None:
    api_tokens.revoke_token(session, token)
    log_event(session, "api.token.revoked", now=now, user=user, address=address)
