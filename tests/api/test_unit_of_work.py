"""The one unit of work of web handlers (web/work.py), seen from the API: a use case that
fails after writing leaves nothing behind and answers with the stable JSON error codes."""

from __future__ import annotations

from tests.api.conftest import draft_body
from tests.unit_of_work_support import committed_count, duplicate_municipality, fail_after
from workflow import programme_drafting
from workflow.errors import InvalidInput
from workflow.models import Programme


def _body(world) -> dict:
    body = draft_body(world)
    world.session.rollback()  # reading the world may have begun a transaction (SQLite's lock)
    return body


def test_a_refused_use_case_leaves_nothing(editor, world, monkeypatch):
    def refuse(_session):
        raise InvalidInput("Последний шаг не удался", field="title")

    fail_after(monkeypatch, programme_drafting, "create_programme", refuse)
    body = _body(world)
    before = committed_count(world, Programme)
    response = editor.post("/programmes", json=body)
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "code": "invalid_input", "message": "Последний шаг не удался", "field": "title"}}
    assert committed_count(world, Programme) == before


def test_a_constraint_the_domain_missed_is_the_conflict_code(editor, world, monkeypatch):
    fail_after(monkeypatch, programme_drafting, "create_programme", duplicate_municipality(world))
    body = _body(world)
    before = committed_count(world, Programme)
    response = editor.post("/programmes", json=body)
    assert response.status_code == 409
    assert response.get_json() == {"error": {
        "code": "conflict",
        "message": "Данные конфликтуют с уже сохранёнными; обновите и повторите"}}
    assert committed_count(world, Programme) == before


def test_the_use_case_commits_once(editor, world):
    body = _body(world)
    before = committed_count(world, Programme)
    assert editor.post("/programmes", json=body).status_code == 201
    assert committed_count(world, Programme) == before + 1
