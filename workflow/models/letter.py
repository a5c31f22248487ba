from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import get_history

from ..states import LetterKind, LetterState, sql_in
from .base import Base, UTCDateTime
from .organisation import Municipality
from .user import User


class Letter(Base):
    """An outgoing official letter. Draft fields are editable; from signing on, the
    registration and `final_data` (the exact values rendered) never change."""

    __tablename__ = "letter"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(LetterKind)})", name="kind"),
        CheckConstraint(f"state IN ({sql_in(LetterState)})", name="state"),
        CheckConstraint(
            "state NOT IN ('signed', 'dispatched') OR (number IS NOT NULL AND registered_on "
            "IS NOT NULL AND signed_at IS NOT NULL AND signatory_id IS NOT NULL "
            "AND final_data IS NOT NULL)",
            name="signed_is_registered",
        ),
        CheckConstraint("pdf IS NULL OR pdf_sha256 IS NOT NULL", name="pdf_has_hash"),
        UniqueConstraint("journal_index", "journal_year", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=LetterState.DRAFT, index=True)
    version: Mapped[int] = mapped_column(default=1)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    # NULL means "to every municipality" (a circular).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)

    addressee: Mapped[str] = mapped_column(Text)
    heading: Mapped[str] = mapped_column(String(500))
    salutation: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    reply_to_number: Mapped[str | None] = mapped_column(String(50))
    reply_to_date: Mapped[date | None]
    executor_name: Mapped[str] = mapped_column(String(200), default="")
    executor_phone: Mapped[str] = mapped_column(String(100), default="")

    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Registration, set atomically with signing.
    journal_index: Mapped[str | None] = mapped_column(String(20))
    journal_year: Mapped[int | None]
    seq: Mapped[int | None]
    number: Mapped[str | None] = mapped_column(String(50), index=True)
    registered_on: Mapped[date | None]
    signatory_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_data: Mapped[str | None] = mapped_column(Text)
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # Keyed seal over the columns that change after registration (state, PDF hash,
    # dispatch) bound to `hash`: see workflow/audit.py.
    seal: Mapped[str | None] = mapped_column(String(64))

    # Rendered and signed after commit; retryable, so these may lag behind `state`.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    render_error: Mapped[str | None] = mapped_column(Text)

    municipality: Mapped[Municipality | None] = relationship()
    signatory: Mapped[User | None] = relationship(foreign_keys=[signatory_id])
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])


class RegistrationCounter(Base):
    """The journal's counter: the last number issued for an index (and year, if yearly)."""

    __tablename__ = "registration_counter"
    __table_args__ = (UniqueConstraint("journal_index", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journal_index: Mapped[str] = mapped_column(String(20))
    # 0 for continuous numbering.
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)


# Fields that are frozen from signing on: a correction is a new letter, never an edit.
FROZEN_AFTER_SIGNING = (
    "kind", "programme_id", "campaign_id", "municipality_id", "addressee", "heading", "salutation",
    "body", "reply_to_number", "reply_to_date", "executor_name", "executor_phone",
    "journal_index", "journal_year", "seq", "number", "registered_on", "signatory_id",
    "signed_at", "final_data", "verification_code", "prev_hash", "hash",
)


class SignedLetterChanged(RuntimeError):
    pass


@event.listens_for(Letter, "before_update")
def _signed_letters_never_change(_mapper, _connection, target: Letter) -> None:
    # get_history per attribute: `inspect(target).attrs` builds every attribute's view and
    # cost a fifth of registering 2,300 letters at once.
    state_history = get_history(target, "state")
    was = state_history.deleted[0] if state_history.deleted else target.state
    if was not in (LetterState.SIGNED, LetterState.DISPATCHED):
        return
    for name in FROZEN_AFTER_SIGNING:
        if get_history(target, name).has_changes():
            raise SignedLetterChanged(f"signed letter {target.id}: {name} cannot change")
    if any(old is not None for old in get_history(target, "pdf_sha256").deleted):
        raise SignedLetterChanged(f"signed letter {target.id}: its PDF cannot be replaced")
