"""Sign-in with throttling, and the security log.

Throttling is keyed so that an attacker elsewhere cannot lock the real user out:
- per account AND address ("pair"): after `pair_attempts` failures from one address on
  one account, each further try waits, and the wait doubles with every failure (1, 2, 4,
  8 minutes ... up to `max_delay`). The same account from another address is unaffected.
- per address across accounts ("address"): password spraying from one address meets
  the same growing waits after `address_attempts` failures, whatever the logins.
A key's count is forgotten after `forget_after` without failures (counted from the end of its
last wait); a success clears its pair.

Atomicity: each key is one row of `login_throttle`, created if missing (INSERT ... ON
CONFLICT DO NOTHING) and locked (SELECT ... FOR UPDATE; on SQLite the BEGIN IMMEDIATE of
workflow/db.py holds the write lock). Under that lock the attempt is checked AND counted
as in flight (`pending`), committed before the password is hashed; a new attempt that
in-flight ones could push over a limit waits for them (a short real-time pause) rather
than being checked. So of thirty parallel tries exactly `pair_attempts` test a password,
while honest parallel sign-ins of one account (scripts) are only delayed. The outcome is
settled under the same locks: a failure counts, a success clears its pair. An attempt
left in flight by a process that died is forgotten after PENDING_TIMEOUT.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .access import account_enabled
from .errors import WorkflowError
from .models import LoginAttempt, LoginThrottle, SecurityEvent, User
from .users import password_matches

PAIR, ADDRESS = "pair", "address"
# An attempt in flight longer than this belongs to a process that died mid-check.
PENDING_TIMEOUT = timedelta(seconds=30)
# While attempts in flight could reach a limit, a new one waits for them (real seconds).
BUSY_PAUSES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1)
BUSY_RETRY_AFTER = 5


class TooManyAttempts(WorkflowError):
    """The throttling event is logged: the caller commits it."""

    code = "too_many_attempts"
    kept = True

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__("Слишком много неудачных попыток входа с этого адреса. "
                         f"Повторите через {wait_phrase(retry_after)}.")


@dataclass(frozen=True)
class ThrottlePolicy:
    pair_attempts: int = 5
    address_attempts: int = 20
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(minutes=15)

    def limit(self, scope: str) -> int:
        return self.pair_attempts if scope == PAIR else self.address_attempts

    def delay(self, failures: int, scope: str) -> timedelta | None:
        over = failures - self.limit(scope)
        if over < 0:
            return None
        return min(self.first_delay * (2 ** min(over, 20)), self.max_delay)


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def wait_phrase(seconds: int) -> str:
    """45 -> "45 секунд", 120 -> "2 минуты", 61 -> "2 минуты" (rounded up)."""
    if seconds < 60:
        seconds = max(seconds, 1)
        return f"{seconds} {_plural(seconds, 'секунду', 'секунды', 'секунд')}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} {_plural(minutes, 'минуту', 'минуты', 'минут')}"


def log_event(session: Session, action: str, *, now: datetime, user: User | None = None,
              login: str = "", address: str = "", detail: str = "") -> None:
    session.add(SecurityEvent(at=now, action=action, user_id=user.id if user else None,
                              login=(login or (user.login if user else ""))[:64],
                              address=(address or "")[:64], detail=detail[:2000]))


def _keys(login: str, address: str) -> dict[str, str]:
    return {PAIR: f"{login}\x1f{address}"[:200], ADDRESS: address[:200] or "-"}


def _locked_rows(session: Session, keys: dict[str, str]) -> dict[str, LoginThrottle]:
    """The throttle rows of `keys`, created if missing, locked until the transaction ends.
    Always in the same order (pair, then address), so two sign-ins cannot deadlock."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = {}
    for scope in (PAIR, ADDRESS):
        session.execute(insert(LoginThrottle).values(scope=scope, key=keys[scope], failures=0,
                                                     pending=0)
                        .on_conflict_do_nothing(index_elements=["scope", "key"]))
        rows[scope] = session.scalars(
            select(LoginThrottle).where(LoginThrottle.scope == scope,
                                        LoginThrottle.key == keys[scope])
            .with_for_update().execution_options(populate_existing=True)).one()
    return rows


BUSY, OK = -1, 0


def _wait_or_forget(rows: dict[str, LoginThrottle], policy: ThrottlePolicy,
                    now: datetime) -> int:
    """The seconds a blocked key still waits (0: none); failures quiet for long enough are
    forgotten, and attempts of a process that died mid-check are dropped."""
    wait = 0
    for row in rows.values():
        if row.pending and row.pending_since and now - row.pending_since >= PENDING_TIMEOUT:
            row.pending = 0  # attempts of a process that died mid-check: not failures
        if row.blocked_until is not None and row.blocked_until > now:
            wait = max(wait, math.ceil((row.blocked_until - now).total_seconds()))
        elif row.last_failure_at is not None:
            # Forgotten after a quiet `forget_after` counted from the end of its last wait,
            # so that sitting out the longest wait does not reset the growth.
            quiet_since = max(row.last_failure_at, row.blocked_until or row.last_failure_at)
            if now - quiet_since >= policy.forget_after:
                row.failures, row.blocked_until = 0, None
    return wait


def _count_failure(row: LoginThrottle, scope: str, policy: ThrottlePolicy,
                   now: datetime) -> None:
    row.failures += 1
    row.last_failure_at = now
    delay = policy.delay(row.failures, scope)
    if delay:
        row.blocked_until = now + delay


def _reserve(session: Session, keys: dict[str, str], policy: ThrottlePolicy,
             now: datetime) -> int:
    """Under the rows' locks: the seconds to wait if a key is blocked; BUSY if attempts
    still being checked could reach a limit (the caller waits for them); else OK with this
    attempt counted as in flight on every key."""
    rows = _locked_rows(session, keys)
    wait = _wait_or_forget(rows, policy, now)
    if wait:
        return wait
    for scope, row in rows.items():
        if row.pending and row.failures + row.pending >= policy.limit(scope):
            return BUSY
    for row in rows.values():
        row.pending += 1
        row.pending_since = now
    return OK


def _settle(session: Session, keys: dict[str, str], policy: ThrottlePolicy, now: datetime,
            *, success: bool) -> None:
    """The attempt's outcome, under the rows' locks: no longer in flight; a failure
    counts (and blocks once a limit is reached), a success clears its pair."""
    rows = _locked_rows(session, keys)
    for scope, row in rows.items():
        row.pending = max(row.pending - 1, 0)
        if not success:
            _count_failure(row, scope, policy, now)
    if success:
        rows[PAIR].failures, rows[PAIR].blocked_until = 0, None


def sign_in(session: Session, login: str, password: str, *, address: str, now: datetime,
            max_attempts: int = 5, window: timedelta = timedelta(minutes=15),
            address_attempts: int | None = None, policy: ThrottlePolicy | None = None,
            sleep=time.sleep) -> User | None:
    """The user, or None for a wrong login or password. Raises TooManyAttempts (with the
    seconds to wait) when the pair or the address is waiting. A user switched off, or an
    editor whose municipality is, gets None like a wrong password.

    `max_attempts` free failures per account and address, `address_attempts` (default four
    times as many: an address may be a municipality's NAT) per address; the wait grows up
    to `window`. Commits inside: the reservation (so parallel tries see it) before the
    password is hashed, since scrypt is slow by design and on SQLite a transaction holds
    the write lock. The outcome is recorded in a new transaction that the caller commits.
    """
    policy = policy or policy_for(max_attempts, window, address_attempts)
    login = (login or "").strip().lower()[:64]
    address = (address or "")[:64]
    keys = _keys(login, address)
    session.rollback()  # the reservation starts its own transaction: it must commit alone
    for pause in BUSY_PAUSES:
        wait = _reserve(session, keys, policy, now)
        session.commit()
        if wait != BUSY:
            break
        sleep(pause)
    else:
        wait = BUSY_RETRY_AFTER
    if wait:
        log_event(session, "auth.login.throttled", now=now, login=login, address=address,
                  detail=f"retry_after={wait}")
        session.commit()
        raise TooManyAttempts(wait)
    found = session.execute(
        select(User.id, User.password_hash).where(func.lower(User.login) == login)
    ).first()
    session.commit()
    user = None
    if found is None:
        password_matches(None, password)  # same cost as a real check: no timing oracle
    elif password_matches(found.password_hash, password):
        user = session.get(User, found.id)
    if user is not None and not account_enabled(user):
        # Switched off (the user, or an editor's municipality): the same answer as a wrong
        # password, so the screen does not tell a guesser which accounts exist.
        log_event(session, "auth.login.disabled", now=now, user=user, address=address)
        user = None
    _settle(session, keys, policy, now, success=user is not None)
    session.add(LoginAttempt(login=login, address=address, at=now, success=user is not None))
    log_event(session, "auth.login.ok" if user else "auth.login.failed", now=now, user=user,
              login=login, address=address)
    return user


def purge_signin_records(session: Session, *, now: datetime,
                         keep: timedelta = timedelta(days=90),
                         forget_after: timedelta = timedelta(minutes=15)) -> dict[str, int]:
    """Delete sign-in attempts older than `keep` and throttle rows that no longer hold
    anything (not blocked, quiet for `forget_after`). The security log is kept."""
    attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - keep))
    idle = session.execute(delete(LoginThrottle).where(
        (LoginThrottle.pending == 0) | (LoginThrottle.pending_since <= now - PENDING_TIMEOUT),
        (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until <= now),
        (LoginThrottle.last_failure_at.is_(None))
        | (LoginThrottle.last_failure_at <= now - forget_after),
    ))
    return {"attempts": attempts.rowcount or 0, "throttles": idle.rowcount or 0}


# A second step of sign-in (the code of the second factor) shares the password's throttle:
# a wrong code counts like a wrong password, on the same account-and-address and address
# rows. `reserve_attempt` refuses while a key waits, else counts the attempt as a failure in
# advance (so a caller that commits after a wrong code has recorded it); `release_attempt`
# takes the failure back when the step passed.


@dataclass
class Reservation:
    attempt: LoginAttempt
    keys: dict[str, str]
    policy: ThrottlePolicy


def policy_for(max_attempts: int = 5, window: timedelta = timedelta(minutes=15),
               address_attempts: int | None = None) -> ThrottlePolicy:
    return ThrottlePolicy(
        pair_attempts=max_attempts,
        address_attempts=address_attempts if address_attempts is not None else max_attempts * 4,
        max_delay=window, forget_after=window, first_delay=min(timedelta(minutes=1), window))


def reserve_attempt(session: Session, login: str, *, address: str, now: datetime,
                    max_attempts: int = 5, window: timedelta = timedelta(minutes=15),
                    address_attempts: int | None = None) -> Reservation:
    policy = policy_for(max_attempts, window, address_attempts)
    login = (login or "").strip().lower()[:64]
    address = (address or "")[:64]
    # Codes are counted per account, apart from passwords: a right password clears the
    # password's count, and must not clear the codes' (else whoever holds the password could
    # try codes without end); per account, not per address, so that many addresses do not
    # multiply the guesses at six digits.
    keys = {PAIR: f"2fa\x1f{login}"[:200], ADDRESS: address[:200] or "-"}
    rows = _locked_rows(session, keys)
    wait = _wait_or_forget(rows, policy, now)
    if wait:
        log_event(session, "auth.login.throttled", now=now, login=login, address=address,
                  detail=f"second factor; retry_after={wait}")
        raise TooManyAttempts(wait)
    for scope, row in rows.items():
        _count_failure(row, scope, policy, now)
    attempt = LoginAttempt(login=login, address=address, at=now, success=False)
    session.add(attempt)
    return Reservation(attempt, keys, policy)


def release_attempt(session: Session, reservation: Reservation) -> None:
    rows = _locked_rows(session, reservation.keys)
    address_row = rows[ADDRESS]
    address_row.failures = max(address_row.failures - 1, 0)
    if reservation.policy.delay(address_row.failures, ADDRESS) is None:
        address_row.blocked_until = None
    rows[PAIR].failures, rows[PAIR].blocked_until = 0, None
    reservation.attempt.success = True
