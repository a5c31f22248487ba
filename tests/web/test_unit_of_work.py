"""The one unit of work of web handlers (web/work.py), seen from the screens: a use case that
fails after writing leaves nothing behind, and the user sees the Russian message with what
they typed."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DataError

from tests.unit_of_work_support import committed_count, duplicate_municipality, fail_after
from tests.web.conftest import sign_in, text
from web.work import unit_of_work
from workflow import users
from workflow.errors import Conflict, InvalidInput, UnstorableValue
from workflow.models import Municipality, SecurityEvent, User
from workflow.signing_errors import WrongPin


def _new_user(world) -> dict:
    municipality = world.own.id
    world.session.rollback()  # reading the id may have begun a transaction (SQLite's lock)
    return {"login": "ivanova", "full_name": "Иванова Анна Петровна",
            "role": "municipal_editor", "municipality": str(municipality),
            "password": "Strong-Pass-2026!"}


def test_a_refused_use_case_leaves_nothing_and_keeps_the_form(client, world, monkeypatch):
    def refuse(_session):
        raise InvalidInput("Последний шаг не удался: пользователь не создан", field="login")

    fail_after(monkeypatch, users, "create_user", refuse)
    before = committed_count(world, User)
    sign_in(client, "admin")
    page = client.post("/admin/users/new", data=_new_user(world))
    assert page.status_code == 400
    assert "Последний шаг не удался: пользователь не создан" in text(page)
    assert "Иванова Анна Петровна" in text(page)  # what was typed stays in the form
    assert committed_count(world, User) == before
    assert committed_count(world, User, User.login == "ivanova") == 0


def test_a_constraint_the_domain_missed_is_a_russian_conflict_not_a_500(client, world,
                                                                        monkeypatch):
    fail_after(monkeypatch, users, "create_user", duplicate_municipality(world))
    sign_in(client, "admin")
    page = client.post("/admin/users/new", data=_new_user(world))
    assert page.status_code == 409
    assert "Данные конфликтуют с уже сохранёнными" in text(page)
    assert "Иванова Анна Петровна" in text(page)
    assert committed_count(world, User, User.login == "ivanova") == 0
    assert committed_count(world, Municipality, Municipality.name == "Дубль") == 0


def test_the_same_use_case_succeeds_and_commits_once(client, world):
    sign_in(client, "admin")
    assert client.post("/admin/users/new", data=_new_user(world)).status_code == 302
    assert committed_count(world, User, User.login == "ivanova") == 1


# ---------------------------------------------------------------- the helper itself


def _event(detail: str) -> SecurityEvent:
    from datetime import UTC, datetime

    return SecurityEvent(at=datetime(2026, 3, 2, tzinfo=UTC), action="test.uow", login="t",
                         address="", detail=detail)


def test_a_kept_refusal_commits_its_record_then_is_raised(app, world):
    with (app.test_request_context("/", method="POST"), pytest.raises(WrongPin),
          unit_of_work() as session):
        session.add(_event("kept"))
        raise WrongPin(left=2)
    assert committed_count(world, SecurityEvent, SecurityEvent.detail == "kept") == 1


def test_any_other_error_rolls_everything_back(app, world):
    with (app.test_request_context("/", method="POST"), pytest.raises(RuntimeError),
          unit_of_work() as session):
        session.add(_event("lost"))
        session.flush()
        raise RuntimeError("boom")
    assert committed_count(world, SecurityEvent, SecurityEvent.detail == "lost") == 0


def test_a_value_the_database_refuses_becomes_invalid_value(app, world):
    with (app.test_request_context("/", method="POST"),
          pytest.raises(UnstorableValue) as caught, unit_of_work() as session):
        session.add(_event("refused"))
        session.flush()
        raise DataError("INSERT ...", {}, ValueError("out of range"))
    assert caught.value.code == "invalid_value"
    assert committed_count(world, SecurityEvent, SecurityEvent.detail == "refused") == 0


def test_conflict_is_a_409():
    from web.errors import status_for

    assert status_for(Conflict()) == 409
    assert status_for(UnstorableValue()) == 400
