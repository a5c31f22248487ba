"""Bearer tokens of the JSON API.

Only the SHA-256 of a token is stored, so a copy of the database does not let anyone call the
API. A token is bound to the user's `session_epoch`: deactivation, a password reset or
"sign out everywhere" bump the epoch and so revoke every token issued before. Tokens live
12 hours at most.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import String, bindparam, delete, select
from sqlalchemy.orm import Session

from .access import account_enabled
from .models import ApiToken, OrganisationProfile, User
from .organisation_profile import profile_column
from .substitution import SUBSTITUTED_COLUMN, principals_from
from .timefmt import DEFAULT_TIMEZONE, local_date

TOKEN_LIFETIME = timedelta(hours=12)
# Recognisable in logs and secret scanners; the random part carries 256 bits.
PREFIX = "pa_"
MAX_TOKEN_LENGTH = 200


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    record: ApiToken


def issue_token(
    session: Session, user: User, *, now: datetime, lifetime: timedelta = TOKEN_LIFETIME,
    address: str = "", user_agent: str = "",
) -> IssuedToken:
    """A new token for `user`; the plain value is returned once and never stored."""
    lifetime = min(lifetime, TOKEN_LIFETIME)
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        token_sha256=token_hash(token),
        user_id=user.id,
        session_epoch=user.session_epoch,
        created_at=now,
        expires_at=now + lifetime,
        address=(address or "")[:64],
        user_agent=(user_agent or "")[:300],
    )
    session.add(record)
    session.flush()
    return IssuedToken(token, record.expires_at, record)


def _lookup(session: Session, token: str) -> ApiToken | None:
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.startswith(PREFIX):
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_hash(token)))


class Verified(NamedTuple):
    user: User
    record: ApiToken
    # The organisation's profile, read in the same statement (None before it is filled in):
    # the answers' dates and the substitutions are reckoned in its time zone.
    organisation_name: str | None = None
    organisation_timezone: str | None = None
    # For whom the user acts on the day asked for (workflow.substitution.principals).
    principals: list[int] | None = None


# Every API request runs it: built once, the token's hash and the day bound.
_VERIFIED = (
    select(ApiToken, User, profile_column(OrganisationProfile.name),
           profile_column(OrganisationProfile.timezone), SUBSTITUTED_COLUMN)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_sha256 == bindparam("token_sha256", type_=String()))
)


def verified(session: Session, token: str, *, now: datetime,
             today: date | None = None) -> Verified | None:
    """The token's user and its record, or None when the token is unknown, expired, revoked
    by an epoch change, or its user is deactivated. One statement: every API request pays
    for it. `today`: the day the user's principals are read for (in the organisation's time
    zone, which this statement reads: the caller guesses it and checks the guess)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.startswith(PREFIX):
        return None
    if today is None:
        today = local_date(now, DEFAULT_TIMEZONE)
    found = session.execute(_VERIFIED, {"token_sha256": token_hash(token),
                                        "today": today}).first()
    if found is None:
        return None
    record, user, name, zone, substituted = found
    if record.expires_at <= now or not account_enabled(user) \
            or user.session_epoch != record.session_epoch:
        return None
    return Verified(user, record, name, zone, principals_from(user.id, substituted))


def verify_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The token's user (see `verified`)."""
    found = verified(session, token, now=now)
    return found.user if found else None


def revoke_token(session: Session, token: str) -> bool:
    """Forget one token (sign-out of an API client). True if it existed."""
    record = _lookup(session, token)
    if record is None:
        return False
    session.delete(record)
    session.flush()
    return True


def purge_expired(session: Session, *, now: datetime) -> int:
    result = session.execute(delete(ApiToken).where(ApiToken.expires_at <= now))
    return result.rowcount or 0
