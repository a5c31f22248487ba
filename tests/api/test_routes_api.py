"""The route API: tasks, decisions (and their refusals), routes, a programme's route,
reassignment and the approval sheet, each response checked against the OpenAPI document."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from sqlalchemy import update

from tests.factories import SIGNING_PIN
from workflow.models import Decision, StageTask
from workflow.states import TaskState


@pytest.fixture
def head1(as_user, rw):
    return as_user(rw.head1)


@pytest.fixture
def head2(as_user, rw):
    return as_user(rw.head2)


def _task(api, programme_id: int) -> dict:
    items = api.get("/tasks").get_json()["items"]
    return next(t for t in items if t["programme_id"] == programme_id)


def test_demo_route_through_the_api(head1, head2, signatory, reviewer, pending, world):
    t1 = _task(head1, pending.id)
    assert t1["stage_kind"] == "endorse" and t1["stage_name"] == "Визы начальников отделов"
    assert t1["decision_kind"] == "approve" and t1["on_behalf_of"] is None
    assert reviewer.get("/tasks").get_json()["items"] == []
    route = reviewer.get(f"/programmes/{pending.id}/route").get_json()
    assert route["state"] == "decision_pending" and route["current_stage"] == 2
    assert [s["status"] for s in route["stages"]] == ["done", "current", "pending"]
    assert {t["assignee"]["full_name"] for t in route["open_tasks"]} == {
        "Петрова Анна Сергеевна", "Сидоров Олег Павлович"}

    ok = head1.post(f"/tasks/{t1['id']}/decision",
                    json={"decision": "approve", "version": t1["version"]})
    assert ok.status_code == 200
    assert ok.get_json()["programme_state"] == "decision_pending"
    t2 = _task(head2, pending.id)
    ok = head2.post(f"/tasks/{t2['id']}/decision",
                    json={"decision": "approve_with_remarks", "comment": "Уточнить сроки"})
    assert ok.status_code == 200

    sign_task = _task(signatory, pending.id)
    assert sign_task["stage_kind"] == "sign"
    signed = signatory.post(f"/letters/{sign_task['letter_id']}/sign",
                            json={"pin": SIGNING_PIN})
    assert signed.status_code == 200
    route = reviewer.get(f"/programmes/{pending.id}/route").get_json()
    assert route["state"] == "approved"
    assert [s["status"] for s in route["stages"]] == ["done", "done", "done"]
    assert [(d["person"], d["result"]) for d in route["decisions"]] == [
        (world.reviewer.short_name(), "approve"), ("А.С. Петрова", "approve"),
        ("О.П. Сидоров", "approve_with_remarks")]
    assert route["open_tasks"] == []

    sheet = reviewer.get(f"/letters/{sign_task['letter_id']}/approval-sheet")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(sheet.data)) as pdf:
        text = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "к письму от" in text and "№ 23/" in text


def test_decision_errors_are_typed_and_write_nothing(head1, head2, pending, fresh):
    t1, t2 = _task(head1, pending.id), _task(head2, pending.id)
    # Not yours.
    response = head1.post(f"/tasks/{t2['id']}/decision", json={"decision": "approve"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "task_not_yours"
    # A comment is required for remarks and refusals.
    response = head1.post(f"/tasks/{t1['id']}/decision", json={"decision": "reject"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "comment"
    # Bad shapes.
    response = head1.post(f"/tasks/{t1['id']}/decision", json={"decision": "maybe"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_value"
    response = head1.post(f"/tasks/{t1['id']}/decision", json={"decision": "approve", "x": 1})
    assert response.get_json()["error"]["code"] == "unknown_field"
    # Stale version.
    response = head1.post(f"/tasks/{t1['id']}/decision",
                          json={"decision": "approve", "version": t1["version"] + 1})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "stale_version"
    with fresh() as s:
        assert s.get(StageTask, t1["id"]).state == TaskState.OPEN
    # Twice.
    assert head1.post(f"/tasks/{t1['id']}/decision", json={"decision": "approve"}).status_code == 200
    response = head1.post(f"/tasks/{t1['id']}/decision", json={"decision": "approve"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "task_closed"


def test_a_decision_that_no_longer_applies(head2, pending, fresh):
    t2 = _task(head2, pending.id)
    with fresh() as s:  # as if the route had moved on meanwhile
        s.execute(update(Decision).where(Decision.programme_id == pending.id)
                  .values(current_stage=3))
    response = head2.post(f"/tasks/{t2['id']}/decision", json={"decision": "approve"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "decision_not_active"


def test_refusal_returns_the_programme_to_the_reviewer(head1, head2, reviewer, pending):
    t1 = _task(head1, pending.id)
    response = head1.post(f"/tasks/{t1['id']}/decision",
                          json={"decision": "reject", "comment": "Не согласен с разделом 2"})
    assert response.status_code == 200
    assert response.get_json()["programme_state"] == "in_review"
    assert head2.get("/tasks").get_json()["items"] == []
    route = reviewer.get(f"/programmes/{pending.id}/route").get_json()
    assert route["decisions"][-1]["result"] == "reject"
    assert route["decisions"][-1]["comment"] == "Не согласен с разделом 2"


def test_routes_list_and_versions(admin, reviewer, editor, rw):
    items = reviewer.get("/routes").get_json()["items"]
    assert [r["title"] for r in items] == ["Демонстрационный маршрут"]
    route = reviewer.get(f"/routes/{rw.route.id}").get_json()
    assert route["current_version"] == 1
    assert [s["kind"] for s in route["versions"][0]["stages"]] == ["review", "endorse", "sign"]
    assert route["versions"][0]["stages"][1]["participants"] == [
        "Начальник отдела общего образования А.С. Петрова",
        "Начальник отдела дополнительного образования О.П. Сидоров"]
    assert reviewer.get("/routes/999").status_code == 404
    assert editor.get("/routes").status_code == 403
    assert editor.get("/tasks").status_code == 403


def test_reassign_through_the_api(admin, reviewer, other_reviewer, head1, pending, world):
    t1 = _task(head1, pending.id)
    # Several open tasks: which one must be said.
    response = admin.post(f"/programmes/{pending.id}/reassign",
                          json={"to_user_id": world.other_reviewer.id, "reason": "Отпуск"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "task_id"
    response = admin.post(f"/programmes/{pending.id}/reassign",
                          json={"task_id": t1["id"], "to_user_id": world.editor.id,
                                "reason": "Отпуск"})
    assert response.status_code == 400
    assert "специалист муниципалитета" in response.get_json()["error"]["message"]
    response = reviewer.post(f"/programmes/{pending.id}/reassign",
                             json={"task_id": t1["id"], "to_user_id": world.other_reviewer.id,
                                   "reason": "Отпуск"})
    assert response.status_code == 403
    response = admin.post(f"/programmes/{pending.id}/reassign",
                          json={"task_id": t1["id"], "to_user_id": world.other_reviewer.id,
                                "reason": "Отпуск"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["task"]["assignee"]["full_name"] == world.other_reviewer.full_name
    assert body["reason"] == "Отпуск"
    assert head1.get("/tasks").get_json()["items"] == []
    assert _task(other_reviewer, pending.id)["stage_name"] == "Визы начальников отделов"


def test_approval_sheet_of_a_letter_without_a_route_is_404(reviewer, signatory, world):
    from workflow import letter_drafting

    letter = letter_drafting.draft_reminders(world.session, world.campaign, world.reviewer,
                                             now=world.clock.tick())
    world.session.commit()
    letter_id = (letter[0] if isinstance(letter, list) else letter).id
    assert reviewer.get(f"/letters/{letter_id}/approval-sheet").status_code == 404
