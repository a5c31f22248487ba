"""The one unit of work of web handlers (web/work.py), seen from the API: a use case that
fails after writing leaves nothing behind and answers with the stable JSON error codes."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.api.conftest import draft_body
from workflow import operations
from workflow.errors import InvalidInput
from workflow.models import Municipality, Programme


def _body(world) -> dict:
    body = draft_body(world)
    world.session.rollback()  # reading the world may have begun a transaction (SQLite's lock)
    return body


def _programmes(world) -> int:
    world.session.rollback()  # a new transaction sees what the API committed
    try:
        return world.session.scalar(select(func.count(Programme.id)))
    finally:
        world.session.rollback()  # and holds no lock while the API works (SQLite)


def _create_then(monkeypatch, last_step):
    real = operations.create_programme

    def create_programme(session, *args, **kw):
        programme = real(session, *args, **kw)
        session.flush()
        last_step(session)
        return programme

    monkeypatch.setattr(operations, "create_programme", create_programme)


def test_a_refused_use_case_leaves_nothing(editor, world, monkeypatch):
    def refuse(_session):
        raise InvalidInput("Последний шаг не удался", field="title")

    _create_then(monkeypatch, refuse)
    body = _body(world)
    before = _programmes(world)
    response = editor.post("/programmes", json=body)
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "code": "invalid_input", "message": "Последний шаг не удался", "field": "title"}}
    assert _programmes(world) == before


def test_a_constraint_the_domain_missed_is_the_conflict_code(editor, world, monkeypatch):
    code = world.own.code
    world.session.rollback()

    def duplicate(session):
        session.add(Municipality(code=code, name="Дубль"))
        session.flush()

    _create_then(monkeypatch, duplicate)
    body = _body(world)
    before = _programmes(world)
    response = editor.post("/programmes", json=body)
    assert response.status_code == 409
    assert response.get_json() == {"error": {
        "code": "conflict",
        "message": "Данные конфликтуют с уже сохранёнными; обновите и повторите"}}
    assert _programmes(world) == before


def test_the_use_case_commits_once(editor, world):
    body = _body(world)
    before = _programmes(world)
    assert editor.post("/programmes", json=body).status_code == 201
    assert _programmes(world) == before + 1
