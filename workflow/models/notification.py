from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class Notification(Base):
    """A message for one user, written in the transaction of the event it reports. Shown
    under the bell and on the notifications page; e-mailed at once (a `MailOutbox` row written
    with it) or in the recipient's digest (`mail_pending` until the digest takes it)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_read", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(64))  # dotted key: signing.role_granted
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Waiting for the recipient's next digest mail (their preference, or a kind that is only
    # ever sent as a digest, such as letters awaiting signature).
    mail_pending: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)


MAIL_STATES = ("pending", "sending", "sent", "failed")


class MailOutbox(Base):
    """One e-mail to send, written in the transaction of its cause; a job delivers it.

    `idempotency_key` is unique: the same mail cannot be queued twice. Delivery claims the
    row with a compare-and-set (pending -> sending) before talking to the server, so two
    workers never both send it; see web/jobs/mail.py for what a crash mid-way means."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name="state"),
        CheckConstraint("state != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        Index("ix_mail_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A path of the site ("/programmes/5"), made absolute with PUBLIC_BASE_URL when sent.
    link: Mapped[str] = mapped_column(String(500), default="")
    # The letter whose signed PDF is attached: the mail waits until the PDF exists.
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeadlineMark(Base):
    """What the daily deadline job has done for a campaign and a municipality: a reminder
    letter drafted for a date, a notice sent. Unique, so running the job twice does nothing
    twice."""

    __tablename__ = "deadline_mark"
    __table_args__ = (UniqueConstraint("campaign_id", "municipality_id", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # "reminder:2026-05-25" (a letter drafted for that reminder date), "notice:7",
    # "notice:1", "notice:passed".
    action: Mapped[str] = mapped_column(String(64))
    on_date: Mapped[date]
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
