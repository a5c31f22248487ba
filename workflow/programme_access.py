"""Who may see and act on a programme, and the row discipline every programme write follows.

A municipality sees only its own programmes; the assigned reviewer (or their substitute)
acts on a programme in review; every write reloads the row under a lock and compares the
version it was shown (`lock_programme`, `stale_version`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .access import ensure_active
from .errors import ForeignMunicipality, NotAssignedReviewer, PermissionDenied, StaleVersion
from .models import Programme, User
from .states import Role
from .substitution import principals


def ensure_can_see(programme: Programme, actor: User) -> None:
    """A municipality sees only its own programmes; the ministry sees all."""
    ensure_active(actor)
    if actor.role == Role.MUNICIPAL_EDITOR and programme.municipality_id != actor.municipality_id:
        raise ForeignMunicipality()


def visible_programmes_filter(actor: User):
    """A WHERE clause for lists and counts: the same rule as `ensure_can_see`."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return Programme.municipality_id == actor.municipality_id
    return True


def acting_for_reviewer(programme: Programme, actor: User, principals: list[int] | None,
                        label: str | None = None) -> int | None:
    """None if `actor` is the assigned reviewer, the reviewer's id if the actor substitutes
    them now, else NotAssignedReviewer."""
    if programme.reviewer_id == actor.id:
        return None
    if programme.reviewer_id is not None and programme.reviewer_id in (principals or ()):
        return programme.reviewer_id
    if label is None:
        raise NotAssignedReviewer("Программа назначена другому эксперту")
    raise NotAssignedReviewer(
        f"Действие «{label}» может выполнить только эксперт, которому программа назначена"
    )


def principals_now(session: Session, actor: User, now: datetime | None) -> list[int]:
    """For whom `actor` may act at `now` (themselves only when there is no clock)."""
    if now is None:
        return [actor.id]
    return principals(session, actor, now)


def stale_version(session: Session, programme: Programme) -> StaleVersion:
    """Name who made the latest change (a transition or a saved draft) and when."""
    session.refresh(programme, ["updated_at", "updated_by_id"])
    author = session.get(User, programme.updated_by_id) if programme.updated_by_id else None
    return StaleVersion(author.full_name if author else None, programme.updated_at)


def lock_programme(session: Session, programme: Programme) -> None:
    """Reload the row under a row lock (PostgreSQL; SQLite already holds the write lock).
    `of` limits the lock to this table: PostgreSQL refuses FOR UPDATE on the nullable side
    of the outer joins that eager-loaded relationships add."""
    session.refresh(programme, with_for_update={"of": Programme})


def check_editor(programme_or_municipality_id: int, actor: User) -> None:
    if actor.role != Role.MUNICIPAL_EDITOR:
        raise PermissionDenied("Программу составляет специалист муниципалитета")
    if actor.municipality_id != programme_or_municipality_id:
        raise ForeignMunicipality()


def compare_and_set(session: Session, programme: Programme, values: dict, *seen) -> None:
    """Write `values` to the programme's row only if it still is as the writer saw it (the
    row's id and the conditions `seen`, its version at least), else StaleVersion naming who
    changed it; the loaded object then carries the values as committed."""
    result = session.execute(
        update(Programme)
        .where(Programme.id == programme.id, *seen)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise stale_version(session, programme)
    for key, value in values.items():
        set_committed_value(programme, key, value)
