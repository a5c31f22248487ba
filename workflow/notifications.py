"""Notifications: a durable message to a user, written in the same transaction as its cause.

`notify` writes one in-app row per recipient (the bell, the notifications page) and, by the
recipient's preference (`User.mail_preference`), either an e-mail in the outbox at once
(`MailOutbox`, delivered by a job after the commit), a mark that the next digest must carry
it (`Notification.mail_pending`), or nothing more. Kinds in `DIGEST_ONLY` (letters awaiting
signature) never make one mail per event: they always wait for a digest.

Nothing here talks to a mail server: see web/jobs/mail.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .db import one_page
from .i18n import N_
from .models import MailOutbox, Notification, User
from .states import Role

MAX_TEXT = 2000
PREFERENCES = ("immediate", "digest", "off")
PREFERENCE_LABELS = {
    "immediate": N_("Сразу, каждое уведомление отдельным письмом"),
    "digest": N_("Раз в день, одной сводкой"),
    "off": N_("Не присылать (только в системе)"),
}
# Kinds that are never mailed one by one: a signatory with 40 drafts wants one mail.
DIGEST_ONLY = frozenset({"letters.awaiting_signature"})
# The links in stored mail bodies start with this; the mail job puts the site's address
# (PUBLIC_BASE_URL) in its place when it sends.
SITE = "{site}"

SUBJECTS = {
    "programme.submitted": "Поступила программа на рассмотрение",
    "programme.resubmitted": "Программа направлена повторно",
    "letter.signed": "Подписано письмо министерства",
    "remark.added": "Новое замечание к программе",
    "remark.answered": "Ответ на замечание",
    "letters.awaiting_signature": "Письма ожидают подписи",
    "signing.role_granted": "Назначен новый подписант",
    "signing.certificate_added": "Добавлен сертификат подписи",
    "deadline.soon": "Приближается срок представления программы",
    "deadline.passed": "Срок представления программы истёк",
    "campaign_opened": "Объявлена кампания: направьте программу",
    "route_task": "Новая задача по согласованию",
    "route_reassigned": "Задача по согласованию передана",
    "route_refused": "Решение по программе не согласовано",
    "programme.reassigned": "Программа передана другому эксперту",
    "absence.substitute": "Вы назначены замещающим",
    "absence.cancelled": "Замещение отменено",
    "task.due": "Завтра срок задачи по согласованию",
    "task.overdue": "Просрочена задача по согласованию",
}
DEFAULT_SUBJECT = "Уведомление системы согласования программ"


def subject_for(kind: str) -> str:
    return SUBJECTS.get(kind, DEFAULT_SUBJECT)


def _mail_body(text: str, link: str) -> str:
    body = text
    if link:
        body += f"\n\nОткрыть: {SITE}{link}"
    return body


def notify(session: Session, recipients: Iterable[User], *, kind: str, text: str, now: datetime,
           link: str = "", letter_id: int | None = None) -> list[Notification]:
    """In-app rows for the active `recipients` (each once) and their e-mail by preference.
    `letter_id`: a signed letter whose PDF the mail carries (sent once the PDF exists)."""
    text, link = text[:MAX_TEXT], (link or "")[:500]
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        users.append(user)
    rows = [Notification(recipient_id=user.id, kind=kind, text=text, link=link,
                         created_at=now) for user in users]
    session.add_all(rows)
    immediate = []
    for user, row in zip(users, rows, strict=True):
        if not user.email or user.mail_preference == "off":
            continue
        if user.mail_preference == "digest" or kind in DIGEST_ONLY:
            row.mail_pending = True
        else:
            immediate.append((user, row))
    if immediate:
        session.flush()  # the rows' ids make the mails' idempotency keys
        mails = [
            MailOutbox(idempotency_key=f"notification:{row.id}", recipient_id=user.id,
                       address=user.email, subject=subject_for(kind),
                       body=_mail_body(text, link), link=link, letter_id=letter_id,
                       state="pending", attempts=0, next_attempt_at=now, created_at=now)
            for user, row in immediate
        ]
        session.add_all(mails)
        _queued(session).extend(mails)
    return rows


def _queued(session: Session) -> list[MailOutbox]:
    """The mails this transaction queued: the web layer enqueues their delivery after the
    commit (a hook on the session); the sweep catches any it misses."""
    return session.info.setdefault("mail_queued", [])


# ---------------------------------------------------------------- who hears what


def active_with_role(session: Session, role: Role) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)))


def editors_of(session: Session, municipality_id: int | None) -> list[User]:
    if municipality_id is None:
        return []
    return list(session.scalars(
        select(User).where(User.role == Role.MUNICIPAL_EDITOR,
                           User.municipality_id == municipality_id,
                           User.active.is_(True)).order_by(User.id)))


# ---------------------------------------------------------------- the bell and the list


def unread_of(user_id: int):
    """WHERE clause: `user_id`'s notifications not read yet (index recipient_id, read_at)."""
    return (Notification.recipient_id == user_id) & Notification.read_at.is_(None)


def unread(session: Session, user: User, limit: int = 20) -> list[Notification]:
    return list(session.scalars(
        select(Notification)
        .where(unread_of(user.id))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ))


def unread_count(session: Session, user_id: int) -> int:
    """The bell: one indexed count (recipient_id, read_at)."""
    return session.scalar(
        select(func.count(Notification.id)).where(unread_of(user_id))
    ) or 0


@dataclass
class Page:
    rows: list[Notification]
    total: int
    page: int
    pages: int


def page_of(session: Session, user: User, *, page: int = 1, page_size: int = 25,
            unread_only: bool = False, clamp: bool = True) -> Page:
    """One page, newest first. `clamp`: a page past the last shows the last (the screen);
    without it, a page past the last is empty (the API answers what was asked)."""
    where = [Notification.recipient_id == user.id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = session.scalar(select(func.count(Notification.id)).where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages) if clamp else max(1, page)
    rows = list(session.scalars(one_page(
        select(Notification).where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        limit=page_size, offset=(page - 1) * page_size)))
    return Page(rows, total, page, pages)


def mark_read(session: Session, user: User, notification_id: int, *, now: datetime) -> bool:
    """Only the recipient marks their own notification; True if it was unread."""
    return session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.recipient_id == user.id,
               Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount == 1


def mark_all_read(session: Session, user: User, *, now: datetime) -> int:
    return session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount


def set_preference(session: Session, user_id: int, preference: str) -> None:
    """How the user wants their notifications mailed: immediate, digest or off."""
    from .errors import InvalidInput

    if preference not in PREFERENCES:
        raise InvalidInput("Выберите, как присылать уведомления", field="mail_preference")
    session.execute(update(User).where(User.id == user_id).values(mail_preference=preference))


# ---------------------------------------------------------------- digests


def send_digests(session: Session, now: datetime, *, batches_only: bool = False) -> list[str]:
    """One mail per recipient with what waits for a digest; returns the mails' keys.

    The daily run (`batches_only=False`) takes everything pending; the frequent run takes
    only the `DIGEST_ONLY` kinds of recipients who want mail at once (a signatory learns
    of 40 drafts in one mail within the hour, not in 40 mails nor the next morning).
    Idempotent: the rows it takes stop being pending in the same transaction (a
    compare-and-set: a concurrent run makes this one fail and roll back)."""
    query = (
        select(Notification, User)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.mail_pending.is_(True))
        .order_by(Notification.recipient_id, Notification.created_at, Notification.id)
    )
    if batches_only:
        query = query.where(Notification.kind.in_(DIGEST_ONLY),
                            User.mail_preference == "immediate")
    by_user: dict[int, list[Notification]] = defaultdict(list)
    users: dict[int, User] = {}
    for note, user in session.execute(query):
        users[user.id] = user
        by_user[user.id].append(note)
    keys = []
    for user_id, notes in by_user.items():
        user = users[user_id]
        ids = [n.id for n in notes]
        taken = session.execute(
            update(Notification).where(Notification.id.in_(ids),
                                       Notification.mail_pending.is_(True))
            .values(mail_pending=False).execution_options(synchronize_session=False)
        ).rowcount
        if taken != len(ids):
            raise RuntimeError("digest taken by a concurrent run")
        if not user.active or not user.email or user.mail_preference == "off":
            continue
        key = f"digest:{user.id}:{max(ids)}"
        mail = MailOutbox(
            idempotency_key=key, recipient_id=user.id, address=user.email,
            subject=_digest_subject(notes), body=_digest_body(notes), link="",
            state="pending", attempts=0, next_attempt_at=now, created_at=now)
        session.add(mail)
        _queued(session).append(mail)
        keys.append(key)
    session.flush()
    return keys


def _digest_subject(notes: list[Notification]) -> str:
    from .names import plural_ru

    if all(n.kind in DIGEST_ONLY for n in notes):
        return subject_for(notes[0].kind)
    count = len(notes)
    return f"Сводка: {count} {plural_ru(count, 'уведомление', 'уведомления', 'уведомлений')}"


def _digest_body(notes: list[Notification]) -> str:
    lines = []
    for n in notes:
        lines.append(f"• {n.text}")
        if n.link:
            lines.append(f"  {SITE}{n.link}")
    lines.append("")
    lines.append(f"Все уведомления: {SITE}/notifications")
    return "\n".join(lines)
