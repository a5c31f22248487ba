"""Who may act at all: the check every operation makes before any other.

A sign-in that has ended (deactivation, a disabled municipality) does not end an API token
already issued, a session that is still open, or a script that calls the operations
directly; so the domain itself refuses an inactive actor, and a municipal editor whose
municipality is disabled, whatever reached it.
"""

from __future__ import annotations

from .errors import PermissionDenied
from .models import User

ACCOUNT_DISABLED = "Учётная запись отключена"
MUNICIPALITY_DISABLED = ("Муниципалитет отключён администратором: его специалисты не могут "
                         "работать в системе")


def account_enabled(user: User) -> bool:
    """May this user act at all: active, and (an editor) of a municipality still active.
    Checked at sign-in and on every request too, so switching either off ends open sessions."""
    if not user.active:
        return False
    municipality = user.municipality
    return municipality is None or municipality.active


def ensure_active(actor: User) -> None:
    if not actor.active:
        raise PermissionDenied(ACCOUNT_DISABLED)
    if not account_enabled(actor):
        raise PermissionDenied(MUNICIPALITY_DISABLED)
