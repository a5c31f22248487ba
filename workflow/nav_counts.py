"""The navigation's two badges, the unread notifications and the route tasks waiting for a
user, counted in one statement: every signed-in page shows them, so each costs a round trip
to the database on every page (on PostgreSQL, more than the page's own work).

The tasks are counted as `workflow.route_inbox` lists them: open tasks on the current stage
of an active decision, assigned to the user or to someone the user substitutes today
(`workflow.substitution`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, bindparam, func, literal, or_, select
from sqlalchemy.orm import Session

from .models import Absence, Decision, Notification, StageTask
from .notifications import unread_of
from .route_inbox import waiting_now
from .substitution import absent_on


@dataclass(frozen=True, slots=True)
class NavCounts:
    unread: int
    tasks: int


_USER = bindparam("user_id", type_=Integer)
_TODAY = bindparam("today", type_=Date())
# Built once, for both kinds of users, with who ("user_id") and when ("today") bound: every
# page runs one of them, or reads both with the session check (workflow.user_sessions).
UNREAD = select(func.count(Notification.id)).where(unread_of(_USER)).scalar_subquery()
TASKS = (
    select(func.count(StageTask.id))
    .join(Decision, Decision.id == StageTask.decision_id)
    .where(or_(StageTask.assignee_id == _USER, StageTask.assignee_id.in_(
        select(Absence.user_id).where(Absence.substitute_id == _USER, absent_on(_TODAY)))),
        *waiting_now())
    .scalar_subquery()
)
_WITH_TASKS = select(UNREAD.label("unread"), TASKS.label("tasks"))
_WITHOUT_TASKS = select(UNREAD.label("unread"), literal(0).label("tasks"))


def nav_counts(session: Session, user_id: int, today: date, *, with_tasks: bool) -> NavCounts:
    """`today`: in the organisation's time zone. `with_tasks`: False for users who have no
    route tasks (municipal editors): their count is not asked for."""
    if with_tasks:
        found = session.execute(_WITH_TASKS, {"user_id": user_id, "today": today}).one()
    else:
        found = session.execute(_WITHOUT_TASKS, {"user_id": user_id}).one()
    return NavCounts(unread=found.unread or 0, tasks=found.tasks or 0)
