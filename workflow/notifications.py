"""Notifications: a durable message to a user, written in the same transaction as its cause.

Deliberately minimal: a row per recipient, read on the home page. Delivery channels (a bell,
e-mail) are to read these rows later; nothing here sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Notification, User

MAX_TEXT = 2000


def notify(session: Session, recipients: Iterable[User], *, kind: str, text: str, now: datetime,
           link: str = "") -> list[Notification]:
    rows = [Notification(recipient_id=user.id, kind=kind, text=text[:MAX_TEXT], link=link[:500],
                         created_at=now) for user in recipients]
    session.add_all(rows)
    return rows


def unread(session: Session, user: User, limit: int = 20) -> list[Notification]:
    return list(session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ))


def mark_read(session: Session, user: User, notification_id: int, *, now: datetime) -> bool:
    """Only the recipient marks their own notification; True if it was unread."""
    return session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.recipient_id == user.id,
               Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount == 1
