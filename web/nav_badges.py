"""The navigation's badges (tasks, unread notifications): counted once per page, in one
statement (workflow.nav_counts), whichever of the layout's parts asks first."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from workflow.nav_counts import NavCounts, nav_counts
from workflow.states import MINISTRY_ROLES

from .database import db, now
from .extensions import cached_per_request, remember_per_request
from .viewmodels.formatting import local_today

_NONE = NavCounts(unread=0, tasks=0)


def _shown(user, counts: NavCounts) -> NavCounts:
    # A municipal editor has no route tasks: no badge for them.
    return counts if user.role in MINISTRY_ROLES else NavCounts(unread=counts.unread, tasks=0)


def remember(user, counts: NavCounts) -> None:
    """The badges as the session check read them (web/sessions.py): no statement of their own."""
    remember_per_request("nav_counts", _shown(user, counts))


def current_counts() -> NavCounts:
    if not current_user.is_authenticated:
        return _NONE
    user = current_user.user
    return cached_per_request("nav_counts", lambda: nav_counts(
        db(), user.id, local_today(now()), with_tasks=user.role in MINISTRY_ROLES))


def topbar_key() -> tuple:
    """What the top bar (base.html, _nav.html) shows besides the language and the address
    (web/fragment_cache.request_key): who, the badges, which section is current."""
    user = current_user.user
    counts = current_counts()
    return (user.id, user.full_name, user.role, user.heads_department,
            user.municipality.name if user.municipality else None,
            counts.unread, counts.tasks, request.endpoint)


def init_app(app: Flask) -> None:
    @app.context_processor
    def _badges():
        return {
            "open_task_count": lambda: current_counts().tasks,
            "unread_notifications": lambda: current_counts().unread,
            "topbar_key": topbar_key,
        }
