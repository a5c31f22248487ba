"""The navigation's badges in one statement (workflow/nav_counts.py) count what the inbox
lists and what the bell lists: a substitute's badge includes the absent principal's tasks
while the absence lasts, and no longer."""

from __future__ import annotations

from datetime import timedelta

from tests.route_demo import add_route, pending_programme
from workflow import absences, notifications, routes, substitution
from workflow.nav_counts import nav_counts


def _counts(w, user, now=None):
    now = now or w.clock()
    today = substitution.local_today(w.session, now)
    return nav_counts(w.session, user.id, today, with_tasks=True)


def test_the_task_badge_counts_the_inbox_of_the_user_and_of_whom_they_substitute(world):
    w = world
    rw = add_route(w)
    pending_programme(w, "Первая")
    pending_programme(w, "Вторая")
    w.session.flush()
    head1_tasks = len(routes.open_tasks_for(w.session, rw.head1, w.clock()))
    assert head1_tasks == 2
    assert _counts(w, rw.head1).tasks == head1_tasks
    assert _counts(w, rw.head2).tasks == 2
    assert _counts(w, w.other_reviewer).tasks == 0

    today = substitution.local_today(w.session, w.clock())
    absences.declare_absence(w.session, rw.head1, rw.head1, substitute=w.other_reviewer,
                             starts_on=today, ends_on=today + timedelta(days=2),
                             now=w.clock(), reason="Отпуск")
    w.session.flush()
    inbox = routes.open_tasks_for(w.session, w.other_reviewer, w.clock())
    assert len(inbox) == 2
    assert _counts(w, w.other_reviewer).tasks == len(inbox)
    # After the absence: the substitute's badge is empty again.
    later = w.clock() + timedelta(days=4)
    assert len(routes.open_tasks_for(w.session, w.other_reviewer, later)) == 0
    assert _counts(w, w.other_reviewer, later).tasks == 0


def test_the_unread_badge_is_the_bells_count_and_editors_have_no_tasks(world):
    w = world
    unread = notifications.unread_count(w.session, w.editor.id)
    counts = nav_counts(w.session, w.editor.id, substitution.local_today(w.session, w.clock()),
                        with_tasks=False)
    assert counts.unread == unread
    assert counts.tasks == 0
    notes = notifications.notify(w.session, [w.editor, w.reviewer], kind="returned",
                                 text="Программа возвращена на доработку", now=w.clock())
    w.session.flush()
    notifications.mark_read(w.session, w.reviewer, notes[1].id, now=w.clock())
    assert notifications.unread_count(w.session, w.editor.id) > unread
    assert _counts(w, w.editor).unread == notifications.unread_count(w.session, w.editor.id)
    # Read ones are not counted.
    assert _counts(w, w.reviewer).unread == notifications.unread_count(w.session, w.reviewer.id)
