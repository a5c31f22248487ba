"""Who may act at all: the check every operation makes before any other.

A sign-in that has ended (deactivation, a disabled municipality) does not end an API token
already issued, a session that is still open, or a script that calls the operations
directly; so the domain itself refuses an inactive actor, and a municipal editor whose
municipality is disabled, whatever reached it.
"""

from __future__ import annotations

from .errors import PermissionDenied
from .models import User
from .states import Role

ACCOUNT_DISABLED = "Учётная запись отключена"
MUNICIPALITY_DISABLED = ("Муниципалитет отключён администратором: его специалисты не могут "
                         "работать в системе")


def ensure_active(actor: User) -> None:
    if not actor.active:
        raise PermissionDenied(ACCOUNT_DISABLED)
    if actor.role == Role.MUNICIPAL_EDITOR and actor.municipality is not None \
            and not actor.municipality.active:
        raise PermissionDenied(MUNICIPALITY_DISABLED)
