"""Which letters a user may see."""

from __future__ import annotations

from .models import Letter, User
from .states import LetterState, Role


def visible_letters_filter(actor: User):
    """A municipality sees signed letters addressed to it and circulars; the ministry sees all."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return (Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED])) & (
            (Letter.municipality_id == actor.municipality_id) | (Letter.municipality_id.is_(None))
        )
    return True
