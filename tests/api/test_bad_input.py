"""Bad input is a 400 (or 413) with a stable code, and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.api.conftest import draft_body
from workflow.models import Programme, ProgrammeSection, Remark, WorkflowEvent


def snapshot(fresh) -> tuple:
    with fresh(commit=False) as s:
        programmes = tuple(
            (p.id, p.title, p.version, p.state, p.period_from, p.period_to, p.outgoing_number)
            for p in s.scalars(select(Programme).order_by(Programme.id))
        )
        sections = tuple(s.scalars(select(ProgrammeSection.text).order_by(ProgrammeSection.id)))
        counts = tuple(s.scalar(select(func.count(m.id))) for m in (WorkflowEvent, Remark))
    return programmes, sections, counts


PATCH_CASES = [
    # (raw body, code, field)
    ('{"version": 1, "title": ', "invalid_json", None),
    ("[1, 2]", "invalid_json", None),
    ('"just a string"', "invalid_json", None),
    ('{"version": NaN}', "invalid_json", None),
    (b'{"version": 1, "title": "\xff\xfe"}', "invalid_json", None),
    ("[" * 5000 + "]" * 5000, "invalid_json", None),
    ({"title": "Без версии"}, "missing_field", "version"),
    ({"version": "1", "title": "Строка вместо числа"}, "invalid_type", "version"),
    ({"version": True}, "invalid_type", "version"),
    ({"version": 1.5}, "invalid_type", "version"),
    ({"version": None}, "invalid_type", "version"),
    ({"version": 2 ** 40}, "out_of_range", "version"),
    ({"version": -1}, "out_of_range", "version"),
    ({"version": 1, "colour": "red"}, "unknown_field", "colour"),
    ({"version": 1, "title": 42}, "invalid_type", "title"),
    ({"version": 1, "title": "нуль\x00байт"}, "invalid_value", "title"),
    ({"version": 1, "title": "x" * 501}, "too_long", "title"),
    ({"version": 1, "title": "   "}, "invalid_input", "title"),
    ({"version": 1, "outgoing_number": "9" * 51}, "too_long", "outgoing_number"),
    ({"version": 1, "responsible_phone": "1" * 101}, "too_long", "responsible_phone"),
    ({"version": 1, "period_from": "2026"}, "invalid_type", "period_from"),
    ({"version": 1, "period_from": 1999}, "out_of_range", "period_from"),
    ({"version": 1, "period_from": 2029}, "invalid_input", "period_from"),
    ({"version": 1, "outgoing_date": "2026-13-01"}, "invalid_value", "outgoing_date"),
    ({"version": 1, "outgoing_date": "20260101"}, "invalid_type", "outgoing_date"),
    ({"version": 1, "outgoing_date": 20260101}, "invalid_type", "outgoing_date"),
    ({"version": 1, "sections": ["a"]}, "invalid_type", "sections"),
    ({"version": 1, "sections": {"first": "a"}}, "invalid_type", "sections"),
    ({"version": 1, "sections": {"99999999999": "a"}}, "invalid_type", "sections"),
    ({"version": 1, "sections": {"999999": "a"}}, "invalid_input", "sections"),
]


@pytest.mark.parametrize(("body", "code", "field"), PATCH_CASES,
                         ids=[f"{i}-{c[1]}" for i, c in enumerate(PATCH_CASES)])
def test_bad_patch_bodies_are_400_and_change_nothing(editor, make_programme, fresh, body, code, field):
    p = make_programme("draft")
    before = snapshot(fresh)
    if isinstance(body, dict):
        response = editor.patch(f"/programmes/{p['id']}", json=body)
    else:
        response = editor.request("PATCH", f"/programmes/{p['id']}", data=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert error["message"]
    assert snapshot(fresh) == before


def test_a_lone_surrogate_is_refused(editor, make_programme, fresh):
    p = make_programme("draft")
    before = snapshot(fresh)
    response = editor.request("PATCH", f"/programmes/{p['id']}",
                              data='{"version": 1, "title": "\\ud800"}')
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_value"
    assert snapshot(fresh) == before


def test_a_wrong_section_text_type_names_the_section(editor, make_programme, world):
    p = make_programme("draft")
    rid = world.campaign.requirements[0].id
    response = editor.patch(f"/programmes/{p['id']}", json={"version": 1, "sections": {str(rid): 5}})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == f"sections.{rid}"


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"campaign_id": "1"}, "invalid_type", "campaign_id"),
    ({"campaign_id": None}, "invalid_type", "campaign_id"),
    ({"title": None}, "invalid_type", "title"),
    ({"period_to": 2101}, "out_of_range", "period_to"),
    ({"state": "approved"}, "unknown_field", "state"),
    ({"version": 3}, "unknown_field", "version"),
])
def test_bad_create_bodies_are_400_and_create_nothing(editor, world, fresh, change, code, field):
    response = editor.post("/programmes", json={**draft_body(world), **change})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field
    assert snapshot(fresh) == ((), (), (0, 0))


def test_create_requires_title_and_period(editor, world, fresh):
    for name in ("campaign_id", "title", "period_from", "period_to"):
        body = draft_body(world)
        del body[name]
        response = editor.post("/programmes", json=body)
        assert response.status_code == 400
        assert response.get_json()["error"] == {
            "code": "missing_field", "message": f"Не заполнено обязательное поле «{name}»",
            "field": name}
    assert snapshot(fresh) == ((), (), (0, 0))


@pytest.mark.parametrize(("body", "code", "field"), [
    ({}, "missing_field", "version"),
    ({"version": "1"}, "invalid_type", "version"),
    ({"version": 1, "reason": 5}, "invalid_type", "reason"),
    ({"version": 1, "reason": "x" * 2001}, "too_long", "reason"),
    ({"version": 1, "trigger": "approve"}, "unknown_field", "trigger"),
])
def test_bad_action_bodies_are_400_and_fire_nothing(editor, make_programme, fresh, body, code, field):
    p = make_programme("draft")
    before = snapshot(fresh)
    response = editor.post(f"/programmes/{p['id']}/actions/withdraw", json=body)
    assert response.status_code == 400
    assert (response.get_json()["error"]["code"], response.get_json()["error"]["field"]) == (code, field)
    assert snapshot(fresh) == before


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"body": "x", "visibility": "external"}, "missing_field", "requirement_id"),
    ({"requirement_id": "1", "body": "x", "visibility": "external"}, "invalid_type", "requirement_id"),
    ({"requirement_id": 1, "body": "x", "visibility": "public"}, "invalid_value", "visibility"),
    ({"requirement_id": 1, "body": ["x"], "visibility": "external"}, "invalid_type", "body"),
    ({"requirement_id": 1, "body": "x" * 5001, "visibility": "external"}, "too_long", "body"),
])
def test_bad_remark_bodies_are_400(reviewer, make_programme, fresh, body, code, field):
    p = make_programme("in_review")
    before = snapshot(fresh)
    response = reviewer.post(f"/programmes/{p['id']}/remarks", json=body)
    assert response.status_code == 400
    assert (response.get_json()["error"]["code"], response.get_json()["error"]["field"]) == (code, field)
    assert snapshot(fresh) == before


def test_a_body_over_the_limit_is_413(editor, make_programme, fresh):
    p = make_programme("draft")
    before = snapshot(fresh)
    huge = json.dumps({"version": 1, "title": "x" * (2 * 1024 * 1024)})
    response = editor.request("PATCH", f"/programmes/{p['id']}", data=huge)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert snapshot(fresh) == before


def test_unknown_paths_and_methods_under_the_api_answer_json(editor):
    response = editor.get("/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = editor.client.delete("/api/v1/programmes", headers={"Authorization": f"Bearer {editor.token}"})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
