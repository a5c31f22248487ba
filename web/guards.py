"""Who may open a blueprint's screens, said once per blueprint: `bp.before_request(
only_for(predicate))` sends an anonymous visitor to sign in and answers 403 to a signed-in user
the predicate refuses. `me()` is the signed-in user of the request."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from workflow.models import User

from .extensions import login_manager


def me() -> User:
    return current_user.user


def only_for(allowed: Callable[[User], bool]) -> Callable[[], object]:
    def guard():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not allowed(current_user.user):
            abort(403)
        return None

    return guard
