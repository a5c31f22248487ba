"""The navigation's badges are read with the session check (workflow.user_sessions.load_live):
a page shows the same counts as the badges' own statement (workflow.nav_counts), runs no
statement of its own for them, and counts them anew when the organisation's time zone is not
the one the process expected (the day, and so the substitutions, may differ)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.route_demo import add_route, pending_programme
from tests.statement_counting import counting
from tests.web.conftest import sign_in
from web import organisation
from workflow import notifications, substitution
from workflow.models import OrganisationProfile
from workflow.nav_counts import nav_counts


def _badges(page: str) -> tuple[int, int]:
    tasks = re.search(r'id="nav-tasks"[^>]*>[^<]*(?:<span class="badge">(\d+)</span>)?', page)
    bell = re.search(r'id="bell-count">(\d+)<', page)
    return int(tasks.group(1) or 0), int(bell.group(1)) if bell else 0


def _counted(w, user) -> tuple[int, int]:
    w.session.rollback()  # a fresh read
    counts = nav_counts(w.session, user.id, substitution.local_today(w.session, w.clock()),
                        with_tasks=True)
    return counts.tasks, counts.unread


def _own_badge_statements(statements: list[str]) -> list[str]:
    # The badges' own statement selects the counts alone; the session check selects the user.
    return [s for s in statements if "FROM notification" in s and "user_account.login" not in s]


def test_the_badges_come_with_the_session_check(app, client, world):
    w = world
    route = add_route(w)
    pending_programme(w, "Первая")
    pending_programme(w, "Вторая")
    notifications.notify(w.session, [route.head1], kind="returned", text="Первое уведомление",
                         now=w.clock())
    w.session.commit()
    sign_in(client, "head1")
    with counting(app) as statements:
        page = client.get("/tasks/").get_data(as_text=True)
    before = _counted(w, route.head1)
    assert before[0] == 2 and before[1] >= 1
    assert _badges(page) == before
    assert _own_badge_statements(statements) == []

    notifications.notify(w.session, [route.head1], kind="returned", text="Второе уведомление",
                         now=w.clock.tick())
    w.session.commit()
    assert _badges(client.get("/tasks/").get_data(as_text=True)) == (2, before[1] + 1)


def test_another_time_zone_counts_the_badges_on_their_own(app, client, world):
    w = world
    route = add_route(w)
    pending_programme(w, "Первая")
    w.session.commit()
    sign_in(client, "head1")
    client.get("/tasks/")
    profile = w.session.scalar(select(OrganisationProfile))
    profile.timezone = "Europe/Kaliningrad"
    w.session.commit()
    assert organisation.expected_today(w.clock())[0] == "Asia/Vladivostok"
    expected = _counted(w, route.head1)
    assert expected[0] == 1
    with counting(app) as statements:
        page = client.get("/tasks/").get_data(as_text=True)
    assert _badges(page) == expected
    assert len(_own_badge_statements(statements)) == 1  # the guess was wrong: counted again
    assert organisation.expected_today(w.clock())[0] == "Europe/Kaliningrad"
    with counting(app) as statements:
        assert _badges(client.get("/tasks/").get_data(as_text=True)) == expected
    assert _own_badge_statements(statements) == []


def test_an_editor_has_no_task_badge(app, client, world):
    notifications.notify(world.session, [world.editor], kind="returned", text="Уведомление",
                         now=world.clock())
    world.session.commit()
    sign_in(client, "editor")
    page = client.get("/").get_data(as_text=True)
    assert 'id="nav-tasks"' not in page
    assert re.search(r'id="bell-count">1<', page)
