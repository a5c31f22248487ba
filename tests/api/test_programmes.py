"""Programmes over the API: drafts, reading, lists, transitions and their errors."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.conftest import draft_body
from workflow.models import Programme, WorkflowEvent


def test_an_editor_creates_a_draft_with_sections(editor, world):
    response = editor.post("/programmes", json=draft_body(world))
    assert response.status_code == 201
    p = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/programmes/{p['id']}")
    assert p["state"] == "draft"
    assert p["state_label"] == "Черновик"
    assert p["version"] == 1
    assert p["municipality"]["code"] == "artem"
    assert [s["position"] for s in p["sections"]] == [1, 2, 3]
    assert p["sections"][0]["text"] == "Текст раздела 1"
    assert p["outgoing_date"] == "2026-02-20"
    actions = {a["trigger"]: a for a in p["actions"]}
    assert set(actions) == {"submit", "withdraw"}
    assert actions["submit"]["enabled"] is True
    assert actions["withdraw"]["needs_reason"] is True


def test_submit_is_shown_blocked_while_a_section_is_empty(editor, world):
    p = editor.post("/programmes", json=draft_body(world, filled=False)).get_json()
    submit = next(a for a in p["actions"] if a["trigger"] == "submit")
    assert submit["enabled"] is False
    assert submit["blocked_by"] == ["Не заполнены разделы программы по требованиям № 1, 2, 3"]


def test_ministry_staff_cannot_create_programmes(reviewer, world):
    response = reviewer.post("/programmes", json=draft_body(world))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_a_duplicate_title_is_400_on_create_and_on_update(editor, world):
    editor.post("/programmes", json=draft_body(world))
    response = editor.post("/programmes", json=draft_body(world))
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "title"
    other = editor.post("/programmes", json=draft_body(world, title="Другая")).get_json()
    response = editor.patch(f"/programmes/{other['id']}",
                            json={"version": 1, "title": "Программа профориентации"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "title"


def test_an_unknown_campaign_is_400(editor, world):
    response = editor.post("/programmes", json={**draft_body(world), "campaign_id": 999999})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "campaign_id"


def test_patch_updates_fields_and_sections_and_bumps_the_version(editor, world):
    p = editor.post("/programmes", json=draft_body(world, filled=False)).get_json()
    rid = str(world.campaign.requirements[1].id)
    response = editor.patch(f"/programmes/{p['id']}", json={
        "version": 1, "title": "Новое название", "period_to": 2030, "sections": {rid: "Новый текст"},
        "outgoing_number": None,
    })
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 2
    assert body["title"] == "Новое название"
    assert (body["period_from"], body["period_to"]) == (2026, 2030)
    assert body["outgoing_number"] is None
    assert body["sections"][1]["text"] == "Новый текст"
    assert editor.get(f"/programmes/{p['id']}").get_json() == body


def test_patch_with_a_stale_version_is_409_and_changes_nothing(editor, world, fresh):
    p = editor.post("/programmes", json=draft_body(world)).get_json()
    assert editor.patch(f"/programmes/{p['id']}", json={"version": 1, "title": "Первое"}).status_code == 200
    response = editor.patch(f"/programmes/{p['id']}", json={"version": 1, "title": "Второе"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "stale_version"
    with fresh() as s:
        row = s.get(Programme, p["id"])
        assert (row.title, row.version) == ("Первое", 2)


def test_patch_requires_the_version(editor, world):
    p = editor.post("/programmes", json=draft_body(world)).get_json()
    response = editor.patch(f"/programmes/{p['id']}", json={"title": "Без версии"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "missing_field"


def test_a_submitted_programme_cannot_be_edited(editor, make_programme):
    p = make_programme("submitted")
    response = editor.patch(f"/programmes/{p['id']}", json={"version": p["version"], "title": "X"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "illegal_transition"


def test_a_reviewer_cannot_edit_a_draft(reviewer, make_programme):
    p = make_programme("draft")
    response = reviewer.patch(f"/programmes/{p['id']}", json={"version": 1, "title": "Чужое"})
    assert response.status_code == 403


def test_an_unknown_action_is_404_unknown_action(editor, make_programme):
    p = make_programme("draft")
    response = editor.post(f"/programmes/{p['id']}/actions/explode", json={"version": 1})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_action"


def test_an_action_on_a_stale_version_is_409_stale_version(editor, make_programme, fresh):
    p = make_programme("draft")
    editor.patch(f"/programmes/{p['id']}", json={"version": 1, "title": "Правка"})
    response = editor.post(f"/programmes/{p['id']}/actions/submit", json={"version": 1})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "stale_version"
    assert "изменена" in error["message"]
    with fresh() as s:
        assert s.get(Programme, p["id"]).state == "draft"


def test_an_action_illegal_in_the_current_state_is_409(reviewer, make_programme):
    p = make_programme("draft")
    response = reviewer.post(f"/programmes/{p['id']}/actions/approve", json={"version": p["version"]})
    assert response.status_code in (403, 409)
    p = make_programme("in_review", title="Вторая")
    response = reviewer.post(f"/programmes/{p['id']}/actions/start_review",
                             json={"version": p["version"]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "illegal_transition"


def test_an_unmet_guard_is_422_with_the_reasons(reviewer, make_programme, fresh):
    p = make_programme("in_review")
    response = reviewer.post(f"/programmes/{p['id']}/actions/approve", json={"version": p["version"]})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "guard_failed"
    assert error["reasons"] == ["Не все требования оценены как «Выполнено»: требования № 1, 2, 3"]
    response = reviewer.post(f"/programmes/{p['id']}/actions/return_for_revision",
                             json={"version": p["version"]})
    assert response.status_code == 422
    assert len(response.get_json()["error"]["reasons"]) == 2
    with fresh() as s:
        assert s.get(Programme, p["id"]).state == "in_review"


def test_wrong_role_is_403_and_another_reviewer_is_not_assigned(editor, other_reviewer, make_programme):
    p = make_programme("submitted")
    response = editor.post(f"/programmes/{p['id']}/actions/start_review", json={"version": p["version"]})
    assert response.status_code == 403
    p = make_programme("in_review", title="Вторая")
    response = other_reviewer.post(f"/programmes/{p['id']}/actions/return_for_revision",
                                   json={"version": p["version"], "reason": "Чужая"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_assigned"


def test_withdraw_needs_a_reason_and_records_it(editor, make_programme):
    p = make_programme("draft")
    response = editor.post(f"/programmes/{p['id']}/actions/withdraw", json={"version": 1})
    assert response.status_code == 422
    response = editor.post(f"/programmes/{p['id']}/actions/withdraw",
                           json={"version": 1, "reason": "Передумали"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["event"]["trigger"] == "withdraw"
    assert body["event"]["reason"] == "Передумали"
    assert body["programme"]["state"] == "withdrawn"
    assert body["programme"]["actions"] == []


def test_list_filters_paginates_and_counts(editor, reviewer, make_programme, world):
    for i in range(3):
        make_programme("draft", title=f"Черновик {i}")
    make_programme("submitted", title="Направленная")
    everything = editor.get("/programmes").get_json()
    assert everything["total"] == 4
    assert everything["page"] == 1
    drafts = editor.get("/programmes", query={"state": "draft"}).get_json()
    assert drafts["total"] == 3
    assert {p["state"] for p in drafts["items"]} == {"draft"}
    page2 = editor.get("/programmes", query={"per_page": 3, "page": 2}).get_json()
    assert (page2["total"], len(page2["items"]), page2["per_page"]) == (4, 1, 3)
    by_campaign = reviewer.get("/programmes", query={"campaign_id": world.campaign.id}).get_json()
    assert by_campaign["total"] == 4
    assert reviewer.get("/programmes", query={"campaign_id": 424242}).get_json()["total"] == 0
    by_code = reviewer.get("/programmes", query={"municipality": "artem"}).get_json()
    assert by_code["total"] == 4
    assert reviewer.get("/programmes", query={"municipality": "khasan"}).get_json()["total"] == 0
    # The ministry's totals come from the queue's counters (workflow.queue.counted_total):
    # the same numbers as the rows.
    for query, total in (({}, 4), ({"state": "draft"}, 3), ({"state": "submitted"}, 1),
                         ({"state": "approved"}, 0),
                         ({"state": "draft", "campaign_id": world.campaign.id}, 3)):
        body = reviewer.get("/programmes", query={**query, "per_page": 100}).get_json()
        assert (body["total"], len(body["items"])) == (total, total), query
    # The counters' total rides on the page's rows; a page past the end has none to carry it.
    past = reviewer.get("/programmes", query={"per_page": 3, "page": 9}).get_json()
    assert (past["total"], past["items"]) == (4, [])


def test_list_query_parameters_are_validated(editor):
    for query, field in (
        ({"per_page": 101}, "per_page"), ({"per_page": 0}, "per_page"), ({"page": "two"}, "page"),
        ({"state": "lost"}, "state"), ({"campaign_id": "1e3"}, "campaign_id"),
        ({"municipality": "a\x00b"}, "municipality"), ({"page": "99999999999"}, "page"),
    ):
        response = editor.get("/programmes", query=query)
        assert response.status_code == 400, query
        assert response.get_json()["error"]["field"] == field


def test_history_and_revisions_follow_the_transitions(editor, make_programme, fresh):
    p = make_programme("in_review")
    history = editor.get(f"/programmes/{p['id']}/history").get_json()["items"]
    assert [(e["seq"], e["trigger"], e["to_state"]) for e in history] == [
        (1, "submit", "submitted"), (2, "start_review", "in_review")]
    assert history[0]["trigger_label"] == "Направить в министерство"
    revision = editor.get(f"/programmes/{p['id']}/revisions/1").get_json()
    assert revision["number"] == 1
    assert [s["text"] for s in revision["sections"]] == [f"Текст раздела {i}" for i in (1, 2, 3)]
    assert editor.get(f"/programmes/{p['id']}/revisions/2").status_code == 404
    with fresh() as s:
        assert len(s.scalars(select(WorkflowEvent)).all()) == 2


def test_missing_programmes_are_404(editor):
    for path in ("/programmes/999999", "/programmes/999999/history", "/programmes/999999/remarks",
                 "/programmes/999999/revisions/1", "/programmes/2147483648"):
        response = editor.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
