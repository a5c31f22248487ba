"""For whom a user acts today, read as a column of the statement that loads the user on every
request (workflow.substitution.SUBSTITUTED_COLUMN + principals_from), is the list that
`principals` reads on its own: current, cancelled, past and future absences alike."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import PASSWORD
from workflow import absences, substitution
from workflow.models import User
from workflow.states import Role
from workflow.users import create_user


def _from_column(w, user, today):
    value = w.session.scalar(select(substitution.SUBSTITUTED_COLUMN)
                             .select_from(User).where(User.id == user.id), {"today": today})
    return substitution.principals_from(user.id, value)


def test_the_column_names_whom_the_statement_names(world):
    w = world
    today = substitution.local_today(w.session, w.clock())
    others = [create_user(w.session, login=f"absent{i}", full_name=f"Отсутствующий {i} Иванович",
                          role=Role.REVIEWER, password=PASSWORD, now=w.clock(),
                          enforce_policy=False) for i in range(4)]
    w.session.flush()
    s = w.other_reviewer

    def declare(user, start, end):
        return absences.declare_absence(w.session, user, user, substitute=s, starts_on=start,
                                        ends_on=end, now=w.clock(), reason="Отпуск")

    declare(others[2], today, today + timedelta(days=3))
    declare(w.reviewer, today - timedelta(days=2), today)
    declare(others[0], today + timedelta(days=1), today + timedelta(days=5))  # not yet
    cancelled = declare(others[1], today, today + timedelta(days=1))
    absences.cancel_absence(w.session, cancelled, others[1], now=w.clock())
    w.session.flush()
    for day in (today - timedelta(days=3), today, today + timedelta(days=1),
                today + timedelta(days=4)):
        moment = w.clock() + (day - today)
        assert _from_column(w, s, day) == substitution.principals(w.session, s, moment), day
    assert _from_column(w, s, today) == sorted([s.id]) + sorted([w.reviewer.id, others[2].id])
    assert _from_column(w, others[3], today) == [others[3].id]
