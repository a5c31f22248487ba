"""A registered letter's life after registration: its PDF stored (re-sealed under the
audit key), the letter marked as sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import audit_sealing
from .access import ensure_active
from .errors import IllegalTransition, PermissionDenied
from .letter_drafting import cas_letter
from .models import Letter, User
from .states import LetterState, Role


def dispatch_letter(session: Session, letter: Letter, actor: User, *, now: datetime) -> Letter:
    ensure_active(actor)
    if actor.role not in (Role.SIGNATORY, Role.ADMIN, Role.REVIEWER):
        raise PermissionDenied("Отметить отправку может сотрудник министерства")
    if letter.pdf_sha256 is None:
        raise IllegalTransition("Письмо ещё не сформировано в PDF; повторите формирование")
    values = {"state": LetterState.DISPATCHED, "dispatched_at": now, "version": letter.version + 1}
    # A legitimate change after registration: re-sealed under the audit key (audit.py).
    cas_letter(session, letter, letter.version, LetterState.SIGNED,
               audit_sealing.reseal_values(session, letter, values),
               "Отправить можно только подписанное письмо")
    return letter


def store_pdf(session: Session, letter_id: int, pdf: bytes, sha256: str) -> bool:
    """Store a registered letter's rendered PDF, unless another render stored one first;
    re-seals the letter (its `pdf_sha256` is under the audit seal). True if stored."""
    letter = session.get(Letter, letter_id, with_for_update={"of": Letter},
                         populate_existing=True)
    if letter is None or letter.pdf_sha256 is not None or letter.hash is None:
        return False
    values = audit_sealing.reseal_values(session, letter,
                                         {"pdf": pdf, "pdf_sha256": sha256, "render_error": None})
    stored = session.execute(
        update(Letter).where(Letter.id == letter_id, Letter.pdf_sha256.is_(None))
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    return stored == 1
