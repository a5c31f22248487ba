"""What the letters screens share: the blueprint, who may draft, and loading a letter the
user may see."""

from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_login import current_user
from sqlalchemy import select, true

from workflow import letter_visibility
from workflow.models import Letter, User
from workflow.states import LETTER_KIND_LABELS, LETTER_STATE_LABELS, LetterState, Role

from ...database import db
from ...i18n_labels import TranslatedLabels

# Named after the package, as the single module it replaces was (web.blueprints.letters).
bp = Blueprint("letters", __name__.rpartition(".")[0])

DRAFTERS = (Role.REVIEWER, Role.SIGNATORY, Role.ADMIN)
REGISTERED = (LetterState.SIGNED, LetterState.DISPATCHED)


def me() -> User:
    return current_user.user


def is_drafter(user: User) -> bool:
    return user.active and user.role in DRAFTERS


def visible_to(user: User):
    """The journal's condition: the letters this user may see."""
    condition = letter_visibility.visible_letters_filter(user)
    return true() if condition is True else condition


def load_letter(letter_id: int) -> Letter:
    """The letter if this user may see it; another municipality's letter is simply absent.

    No eager joins: the operations refresh the row `FOR UPDATE`, which PostgreSQL refuses
    on the nullable side of the outer joins that eager loading would bring along."""
    letter = db().scalar(select(Letter).where(Letter.id == letter_id, visible_to(me())))
    if letter is None:
        abort(404)
    return letter


def _programme_url(letter: Letter) -> str | None:
    if not letter.programme_id:
        return None
    return url_for("programmes.show", programme_id=letter.programme_id)


@bp.context_processor
def _letter_labels():
    # Other screens use `state_labels`/`kind_labels` for programmes and route stages.
    return {
        "state_labels": TranslatedLabels(LETTER_STATE_LABELS),
        "kind_labels": TranslatedLabels(LETTER_KIND_LABELS),
        "programme_url": _programme_url,
    }
