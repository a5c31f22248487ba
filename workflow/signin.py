"""Sign-in with throttling per account and per address, and the security log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import WorkflowError
from .models import LoginAttempt, SecurityEvent, User
from .users import password_matches


class TooManyAttempts(WorkflowError):
    code = "too_many_attempts"


def log_event(session: Session, action: str, *, now: datetime, user: User | None = None,
              login: str = "", address: str = "", detail: str = "") -> None:
    session.add(SecurityEvent(at=now, action=action, user_id=user.id if user else None,
                              login=(login or (user.login if user else ""))[:64],
                              address=(address or "")[:64], detail=detail[:2000]))


def sign_in(session: Session, login: str, password: str, *, address: str, now: datetime,
            max_attempts: int = 5, window: timedelta = timedelta(minutes=15)) -> User | None:
    """The user, or None for a wrong login or password. Raises TooManyAttempts when the
    account or the address has failed `max_attempts` times within `window`.

    Ends the session's current transaction before checking the password: scrypt is slow by
    design, and on SQLite a transaction holds the database's write lock from its first
    statement, so hashing inside it would queue every other writer behind each sign-in.
    The attempt is recorded in a new transaction that the caller commits.
    """
    login = (login or "").strip().lower()[:64]
    since = now - window
    failures_account = session.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.login == login, LoginAttempt.at >= since, LoginAttempt.success.is_(False)))
    # An address may host many honest users (a municipality's NAT): allow it more.
    failures_address = session.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.address == address, LoginAttempt.at >= since, LoginAttempt.success.is_(False)))
    if failures_account >= max_attempts or failures_address >= max_attempts * 4:
        log_event(session, "auth.login.throttled", now=now, login=login, address=address)
        minutes = int(window.total_seconds() // 60)
        raise TooManyAttempts(f"Слишком много неудачных попыток входа. Повторите через {minutes} минут.")
    found = session.execute(
        select(User.id, User.password_hash, User.active).where(func.lower(User.login) == login)
    ).first()
    session.rollback()
    user = None
    if found is None:
        password_matches(None, password)  # same cost as a real check: no timing oracle
    elif password_matches(found.password_hash, password) and found.active:
        user = session.get(User, found.id)
    session.add(LoginAttempt(login=login, address=address, at=now, success=user is not None))
    log_event(session, "auth.login.ok" if user else "auth.login.failed", now=now, user=user,
              login=login, address=address)
    return user


# A second step of sign-in (the code of the second factor) shares the password's throttle:
# a wrong code counts like a wrong password. `reserve_attempt` refuses a throttled account
# or address, else counts the attempt as a failure in advance; `release_attempt` turns the
# reservation into a success when the step passed.


def reserve_attempt(session: Session, login: str, *, address: str, now: datetime,
                    max_attempts: int = 5, window: timedelta = timedelta(minutes=15)) -> LoginAttempt:
    login = (login or "").strip().lower()[:64]
    address = (address or "")[:64]
    since = now - window
    failures_account = session.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.login == login, LoginAttempt.at >= since, LoginAttempt.success.is_(False)))
    failures_address = session.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.address == address, LoginAttempt.at >= since, LoginAttempt.success.is_(False)))
    if failures_account >= max_attempts or failures_address >= max_attempts * 4:
        log_event(session, "auth.login.throttled", now=now, login=login, address=address,
                  detail="second factor")
        minutes = int(window.total_seconds() // 60)
        raise TooManyAttempts(f"Слишком много неудачных попыток входа. Повторите через {minutes} минут.")
    attempt = LoginAttempt(login=login, address=address, at=now, success=False)
    session.add(attempt)
    return attempt


def release_attempt(session: Session, reservation: LoginAttempt) -> None:
    reservation.success = True
