"""Tidying of records that only grow: old sign-in attempts, idle throttle rows, expired API
tokens and expired signing sessions. One use case, called by `flask purge` and by the nightly
job; the security log and the audit chains are never purged."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from .api_tokens import purge_expired as purge_expired_tokens
from .signin import purge_signin_records
from .signing_sessions import purge_expired_sessions


def purge_stale_records(session: Session, *, now: datetime, keep_attempts: timedelta,
                        forget_throttle_after: timedelta) -> dict[str, int]:
    counts = purge_signin_records(session, now=now, keep=keep_attempts,
                                  forget_after=forget_throttle_after)
    counts["tokens"] = purge_expired_tokens(session, now=now)
    counts["signing_sessions"] = purge_expired_sessions(session, now) or 0
    return counts
