"""For whom the request's user acts today (workflow.substitution.principals): the programme
page's actions, its "assigned" mark and the API's actions ask. Read once per request, and on a
GET with the statement that loaded the user (the session check, the API token)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow import substitution
from workflow.models import User

from .extensions import cached_per_request, remember_per_request


def remember(user: User, principals: list[int] | None) -> None:
    """The list as the user's own statement read it: `request_principals` then asks nothing."""
    if principals is not None:
        remember_per_request(f"principals:{user.id}", principals)


def request_principals(session: Session, user: User, now) -> list[int]:
    from .organisation import organisation  # read once per request already

    return cached_per_request(
        f"principals:{user.id}",
        lambda: substitution.principals(session, user, now, organisation().timezone))
