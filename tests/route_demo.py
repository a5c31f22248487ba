"""A three-stage route for the screens, API and browser tests of the route UI: the
programme's expert reviews, two heads of department endorse (all), the signatory signs.
The fixtures `rw` and `pending` (the route, a programme pending on it, both committed for the
app under test) are registered by the api and web conftests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import PASSWORD, World, programme_in
from workflow import routes
from workflow.models import Programme, Route, User
from workflow.states import ProgrammeState, Role
from workflow.users import create_user


@dataclass
class RouteWorld:
    route: Route
    head1: User
    head2: User


def add_route(w: World) -> RouteWorld:
    now = w.clock.tick()

    def head(login: str, name: str, position: str) -> User:
        return create_user(w.session, login=login, full_name=name, role=Role.REVIEWER,
                           password=PASSWORD, now=now, position=position,
                           enforce_policy=False)

    head1 = head("head1", "Петрова Анна Сергеевна", "Начальник отдела общего образования")
    head2 = head("head2", "Сидоров Олег Павлович",
                 "Начальник отдела дополнительного образования")
    stages = [
        routes.StageSpec("Экспертиза", "review", "programme_reviewer", mode="any",
                         limit_days=10, on_refusal="municipality"),
        routes.StageSpec("Визы начальников отделов", "endorse", "users",
                         user_ids=[head1.id, head2.id], mode="all", limit_days=3,
                         on_refusal="reviewer"),
        routes.StageSpec("Подпись заместителя министра", "sign", "role", role=Role.SIGNATORY,
                         mode="any", limit_days=2, on_refusal="previous"),
    ]
    route = routes.create_route(w.session, w.admin, code="demo", title="Демонстрационный маршрут",
                                stages=stages, now=now)
    routes.set_campaign_route(w.session, w.campaign, route, w.admin)
    w.session.flush()
    return RouteWorld(route=route, head1=head1, head2=head2)


def pending_programme(w: World, title: str = "Программа профориентации") -> Programme:
    """A programme whose approval was proposed: the endorse stage waits for both heads."""
    return programme_in(w, ProgrammeState.DECISION_PENDING, title=title)


def open_task_of(w: World, programme: Programme, user: User):
    """The open task of `user` on `programme` (the test session's transaction is ended at
    once: on SQLite it would hold the write lock the app needs)."""
    found = next((t for t in routes.open_tasks_for(w.session, user, w.clock())
                  if t.programme_id == programme.id), None)
    w.session.commit()
    return found


@pytest.fixture
def rw(world) -> RouteWorld:
    rw = add_route(world)
    world.session.commit()
    return rw


@pytest.fixture
def pending(world, rw) -> Programme:
    programme = pending_programme(world)
    world.session.commit()
    return programme
