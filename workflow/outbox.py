"""The e-mail outbox's state changes: due mails, claiming one for delivery, and recording
what became of it. Each is a compare-and-set, so any number of workers may run.

    pending --claim--> sending --sent--> sent
                          |---retry--> pending (attempts + 1, next_attempt_at later)
                          |---give up--> failed (after MAX attempts)
                          '---wait-----> pending (its letter's PDF is not ready; no attempt)

A row left in `sending` by a crashed worker is claimable again once its lease expires.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from .models import Letter, MailOutbox

LEASE = timedelta(minutes=10)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to an hour, after the `attempts`-th failure."""
    return min(BACKOFF_FIRST * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


def _claimable(now: datetime):
    return or_(
        and_(MailOutbox.state == "pending", MailOutbox.next_attempt_at <= now),
        and_(MailOutbox.state == "sending", MailOutbox.claimed_at < now - LEASE),
    )


def due_ids(session: Session, now: datetime, limit: int = 500) -> list[int]:
    return list(session.scalars(
        select(MailOutbox.id).where(_claimable(now))
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(limit)))


@dataclass(frozen=True)
class Claimed:
    """A plain copy of a claimed mail: what the sender needs, no ORM object."""

    id: int
    token: str
    key: str
    address: str
    subject: str
    body: str
    link: str
    letter_id: int | None
    attempts: int
    created_at: datetime


def claim(session: Session, mail_id: int, now: datetime) -> Claimed | None:
    """Take the mail for delivery (pending and due, or a stale `sending`); None if another
    worker has it, it is sent, failed, or not due yet. The caller commits before sending."""
    token = secrets.token_hex(16)
    taken = session.execute(
        update(MailOutbox).where(MailOutbox.id == mail_id, _claimable(now))
        .values(state="sending", claimed_at=now, claim_token=token)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        return None
    row = session.get(MailOutbox, mail_id, populate_existing=True)
    return Claimed(row.id, token, row.idempotency_key, row.address, row.subject, row.body,
                   row.link, row.letter_id, row.attempts, row.created_at)


def _finish(session: Session, claimed: Claimed, **values) -> bool:
    return session.execute(
        update(MailOutbox)
        .where(MailOutbox.id == claimed.id, MailOutbox.state == "sending",
               MailOutbox.claim_token == claimed.token)
        .values(claimed_at=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def mark_sent(session: Session, claimed: Claimed, now: datetime) -> bool:
    return _finish(session, claimed, state="sent", sent_at=now, last_error=None,
                   attempts=claimed.attempts + 1)


def mark_failed_attempt(session: Session, claimed: Claimed, now: datetime, error: str, *,
                        max_attempts: int) -> datetime | None:
    """Count a failed attempt; the time of the next one, or None when it gave up (failed)."""
    attempts = claimed.attempts + 1
    if attempts >= max_attempts:
        _finish(session, claimed, state="failed", attempts=attempts, last_error=error[:2000])
        return None
    at = now + backoff(attempts)
    _finish(session, claimed, state="pending", attempts=attempts, last_error=error[:2000],
            next_attempt_at=at)
    return at


def postpone(session: Session, claimed: Claimed, until: datetime, reason: str) -> None:
    """Not an attempt: what the mail needs is not ready (its letter's PDF)."""
    _finish(session, claimed, state="pending", next_attempt_at=until, last_error=reason)


def letter_pdf(session: Session, letter_id: int) -> tuple[str | None, bytes | None]:
    """(number, PDF) of a letter; the PDF is None until it has been rendered and signed."""
    row = session.execute(select(Letter.number, Letter.pdf).where(Letter.id == letter_id)).first()
    return (row.number, row.pdf) if row else (None, None)
