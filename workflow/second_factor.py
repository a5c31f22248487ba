"""The second factor: TOTP (RFC 6238) codes from an authenticator app, and recovery codes.

Required for the roles that sign letters and grant roles (signatory, administrator): they
cannot act until enrolled. Optional for everybody else.

- Enrolment: a secret is drawn and shown (QR and text); it counts only once the user has
  typed a first code from their app, which proves the app holds it. Ten recovery codes are
  then shown once; only their hashes are stored.
- A code is good for one 30-second step, and the step before and after it (clocks drift,
  people type slowly). The last accepted step is stored per user and moved forward by a
  compare-and-set, so a code cannot be used twice, not even by two requests at once.
- Codes share the password's throttle (workflow/signin.py): a wrong code counts as a failed
  sign-in. On failure the caller commits: the count and the security log are the only
  changes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from .errors import InvalidInput, PermissionDenied, WorkflowError
from .models import RecoveryCode, SecondFactor, User
from .signin import log_event, release_attempt, reserve_attempt
from .states import ROLE_LABELS, Role

PERIOD = 30
DIGITS = 6
# Steps accepted either side of the current one.
WINDOW = 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: the codes are read off paper. 31 symbols, 12 of them: 59 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12
REQUIRED_ROLES = frozenset({Role.SIGNATORY, Role.ADMIN})


class InvalidCode(WorkflowError):
    """Wrong, expired or malformed code. The failure is counted: the caller commits."""

    code = "invalid_code"
    kept = True


class CodeReplayed(InvalidCode):
    code = "code_replayed"


class SecondFactorRequired(PermissionDenied):
    """The role requires a second factor and the user has not enrolled yet."""

    code = "second_factor_required"

    def __init__(self, user: User):
        role = ROLE_LABELS.get(Role(user.role), user.role)
        super().__init__(
            f"Для роли «{role}» обязателен второй фактор входа. Подключите приложение-"
            "аутентификатор на странице «Второй фактор», затем повторите действие.")


def required_for(user: User) -> bool:
    return user.role in REQUIRED_ROLES


def factor_of(session: Session, user: User) -> SecondFactor | None:
    return session.get(SecondFactor, user.id)


def is_enrolled(session: Session, user: User) -> bool:
    factor = factor_of(session, user)
    return factor is not None and factor.confirmed_at is not None


def ensure_may_act(session: Session, user: User) -> None:
    """Refuses a signatory or administrator who has not enrolled yet."""
    if required_for(user) and not is_enrolled(session, user):
        raise SecondFactorRequired(user)


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // PERIOD


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).at(step * PERIOD)


def issuer_name(session: Session) -> str:
    """What the authenticator app shows beside the code: the organisation's own name, from
    its profile (never from code: the product serves any region)."""
    from .models import OrganisationProfile

    return session.scalar(select(OrganisationProfile.name).limit(1)) or "Согласование программ"


def provisioning_uri(secret: str, login: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(
        name=login, issuer_name=issuer)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "")).lower()[:64]


def _recovery_hash(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{_normalise(code)}".encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4))


# ---------------------------------------------------------------- enrolment


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def start_enrolment(session: Session, user: User, *, now: datetime,
                    secret: str | None = None) -> Enrolment:
    """A new secret waiting for its first code. An earlier unconfirmed one is replaced;
    a confirmed one stays until the user turns it off or an administrator resets it."""
    factor = factor_of(session, user)
    if factor is not None and factor.confirmed_at is not None:
        raise InvalidInput("Второй фактор уже подключён")
    secret = secret or pyotp.random_base32()
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=secret, created_at=now)
        session.add(factor)
    else:
        factor.secret, factor.created_at, factor.last_step = secret, now, None
    session.flush()
    return Enrolment(secret, provisioning_uri(secret, user.login, issuer_name(session)))


def pending_enrolment(session: Session, user: User) -> Enrolment | None:
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is not None:
        return None
    return Enrolment(factor.secret, provisioning_uri(factor.secret, user.login,
                                                     issuer_name(session)))


def _accept_totp(session: Session, factor: SecondFactor, code: str, now: datetime) -> bool:
    """True if `code` is the code of an acceptable step not used before; moves
    `last_step` to it. Raises CodeReplayed for a code of a step already used."""
    if not (len(code) == DIGITS and code.isascii() and code.isdigit()):
        return False
    current = step_at(now)
    matched = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(code_at_step(factor.secret, step), code):
            matched = step
            break
    if matched is None:
        return False
    # Compare-and-set: of two requests with the same code, one moves the step, the other
    # finds it moved.
    moved = session.execute(
        update(SecondFactor)
        .where(SecondFactor.user_id == factor.user_id,
               or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < matched))
        .values(last_step=matched)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise CodeReplayed("Этот код уже использован. Дождитесь следующего кода в приложении.")
    factor.last_step = matched
    return True


def _accept_recovery(session: Session, user: User, code: str, now: datetime) -> bool:
    digest = _recovery_hash(user.id, code)
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_sha256 == digest,
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used == 1:
        return True
    if session.scalar(select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_sha256 == digest)):
        raise CodeReplayed("Этот код восстановления уже использован; каждый код действует один раз.")
    return False


@dataclass(frozen=True)
class Throttle:
    max_attempts: int = 5
    window: timedelta = timedelta(minutes=15)


def _check(session: Session, user: User, code: str, *, now: datetime, address: str,
           throttle: Throttle, allow_recovery: bool, secret_of: SecondFactor) -> str:
    """The method that passed ("totp" or "recovery"); raises InvalidCode, CodeReplayed or
    TooManyAttempts. The attempt is counted either way."""
    reservation = reserve_attempt(session, user.login, address=address, now=now,
                                  max_attempts=throttle.max_attempts, window=throttle.window)
    normalised = _normalise(code)
    try:
        if _accept_totp(session, secret_of, normalised, now):
            method = "totp"
        elif allow_recovery and len(normalised) == RECOVERY_LENGTH and _accept_recovery(
                session, user, normalised, now):
            method = "recovery"
        else:
            raise InvalidCode("Неверный или устаревший код. Введите шесть цифр, которые "
                              "приложение показывает сейчас.")
    except InvalidCode as error:
        log_event(session, "auth.2fa.replayed" if isinstance(error, CodeReplayed)
                  else "auth.2fa.failed", now=now, user=user, address=address)
        raise
    release_attempt(session, reservation)
    return method


def confirm_enrolment(session: Session, user: User, code: str, *, now: datetime,
                      address: str = "", throttle: Throttle = Throttle()) -> list[str]:
    """The first code proves the app holds the secret: the factor is on. Returns the ten
    recovery codes, to be shown once."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is not None:
        raise InvalidInput("Начните подключение второго фактора заново")
    _check(session, user, code, now=now, address=address, throttle=throttle,
           allow_recovery=False, secret_of=factor)
    factor.confirmed_at = now
    codes = _replace_recovery_codes(session, user, now)
    log_event(session, "auth.2fa.enrolled", now=now, user=user, address=address)
    session.flush()
    return codes


def _replace_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_sha256=_recovery_hash(user.id, c),
                                 created_at=now) for c in codes)
    return codes


def enrol_with_secret(session: Session, user: User, secret: str, *, now: datetime) -> list[str]:
    """Enrol with a known secret without a first code: for the demo and the tests only
    (the secret is printed, so a person can add it to an app)."""
    start_enrolment(session, user, now=now, secret=secret)
    factor = factor_of(session, user)
    factor.confirmed_at = now
    codes = _replace_recovery_codes(session, user, now)
    session.flush()
    return codes


# ---------------------------------------------------------------- sign-in


def verify(session: Session, user: User, code: str, *, now: datetime, address: str = "",
           throttle: Throttle = Throttle()) -> str:
    """The second step of sign-in (and of issuing an API token): "totp" or "recovery"."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is None:
        raise InvalidInput("Второй фактор не подключён")
    method = _check(session, user, code, now=now, address=address, throttle=throttle,
                    allow_recovery=True, secret_of=factor)
    log_event(session, "auth.2fa.ok" if method == "totp" else "auth.2fa.recovery_used",
              now=now, user=user, address=address)
    return method


def recovery_codes_left(session: Session, user: User) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def new_recovery_codes(session: Session, user: User, code: str, *, now: datetime,
                       address: str = "", throttle: Throttle = Throttle()) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working), for a current TOTP code."""
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is None:
        raise InvalidInput("Второй фактор не подключён")
    _check(session, user, code, now=now, address=address, throttle=throttle,
           allow_recovery=False, secret_of=factor)
    codes = _replace_recovery_codes(session, user, now)
    log_event(session, "auth.2fa.recovery_renewed", now=now, user=user, address=address)
    session.flush()
    return codes


# ---------------------------------------------------------------- turning off


def _remove(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))


def disable(session: Session, user: User, code: str, *, now: datetime, address: str = "",
            throttle: Throttle = Throttle()) -> None:
    """The user turns their own optional second factor off, with a current code."""
    if required_for(user):
        raise PermissionDenied("Для вашей роли второй фактор обязателен; отключить его нельзя")
    factor = factor_of(session, user)
    if factor is None or factor.confirmed_at is None:
        raise InvalidInput("Второй фактор не подключён")
    _check(session, user, code, now=now, address=address, throttle=throttle,
           allow_recovery=True, secret_of=factor)
    _remove(session, user)
    log_event(session, "auth.2fa.disabled", now=now, user=user, address=address)
    session.flush()


def reset(session: Session, user: User, *, actor: User, now: datetime, address: str = "") -> None:
    """An administrator removes a user's second factor (a lost phone and no recovery
    codes). The user's sessions and API tokens end; at the next sign-in a signatory or
    administrator is led to enrol again."""
    if actor.role != Role.ADMIN or not actor.active:
        raise PermissionDenied("Сбросить второй фактор может администратор")
    if factor_of(session, user) is None:
        raise InvalidInput("У пользователя не подключён второй фактор")
    _remove(session, user)
    user.session_epoch += 1
    log_event(session, "auth.2fa.reset", now=now, user=user, address=address,
              detail=f"by {actor.login} (id {actor.id})")
    session.flush()
