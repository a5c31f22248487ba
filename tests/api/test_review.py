"""Remarks, their threads, and assessments over the API."""

from __future__ import annotations

from sqlalchemy import func, select

from workflow.models import Assessment, Remark


def _remark(api, pid, world, visibility="external", body="Уточните показатели", position=0):
    return api.post(f"/programmes/{pid}/remarks", json={
        "requirement_id": world.campaign.requirements[position].id, "body": body,
        "visibility": visibility})


def test_the_assigned_reviewer_adds_remarks_and_the_editor_sees_only_external_ones(
        reviewer, editor, make_programme, world):
    p = make_programme("in_review")
    external = _remark(reviewer, p["id"], world)
    assert external.status_code == 201
    remark = external.get_json()
    assert remark["state"] == "open"
    assert remark["revision_number"] == 1
    assert remark["requirement_position"] == 1
    assert remark["replies"] == []
    internal = _remark(reviewer, p["id"], world, visibility="internal", body="Между нами")
    assert internal.status_code == 201
    ministry = reviewer.get(f"/programmes/{p['id']}/remarks").get_json()["items"]
    assert [r["visibility"] for r in ministry] == ["external", "internal"]
    municipality = editor.get(f"/programmes/{p['id']}/remarks").get_json()["items"]
    assert [r["id"] for r in municipality] == [remark["id"]]
    # An internal remark does not exist for the municipality.
    rid = internal.get_json()["id"]
    response = editor.post(f"/programmes/{p['id']}/remarks/{rid}/comments", json={"body": "?"})
    assert response.status_code == 404


def test_only_the_assigned_reviewer_may_remark(editor, other_reviewer, make_programme, world):
    p = make_programme("in_review")
    assert _remark(other_reviewer, p["id"], world).status_code == 403
    assert _remark(editor, p["id"], world).status_code == 403


def test_a_remark_on_an_unknown_requirement_is_400_and_adds_nothing(reviewer, make_programme, fresh):
    p = make_programme("in_review")
    response = reviewer.post(f"/programmes/{p['id']}/remarks", json={
        "requirement_id": 999999, "body": "Текст", "visibility": "external"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "requirement_id"
    with fresh() as s:
        assert s.scalar(select(func.count(Remark.id))) == 0


def test_answer_resolve_reopen_and_comment(reviewer, editor, make_programme):
    p = make_programme("returned")
    rid = editor.get(f"/programmes/{p['id']}/remarks").get_json()["items"][0]["id"]
    base = f"/programmes/{p['id']}/remarks/{rid}"
    answered = editor.post(f"{base}/answer", json={"body": "Исправили"})
    assert answered.status_code == 200
    assert answered.get_json()["state"] == "answered"
    assert [(x["action"], x["body"]) for x in answered.get_json()["replies"]] == [("answer", "Исправили")]
    comment = editor.post(f"{base}/comments", json={"body": "См. раздел 1"})
    assert comment.status_code == 201
    assert len(comment.get_json()["replies"]) == 2
    # While returned the reviewer cannot resolve: the programme is not in review.
    assert reviewer.post(f"{base}/resolve", json={}).status_code == 409
    version = editor.get(f"/programmes/{p['id']}").get_json()["version"]
    assert editor.post(f"/programmes/{p['id']}/actions/resubmit", json={"version": version}).status_code == 200
    # Back in review with the reviewer who returned it: no second "start_review".
    assert editor.get(f"/programmes/{p['id']}").get_json()["state"] == "in_review"
    resolved = reviewer.post(f"{base}/resolve", json={"body": "Принято"})
    assert resolved.status_code == 200
    assert resolved.get_json()["state"] == "resolved"
    # The editor may not resolve or reopen.
    assert editor.post(f"{base}/reopen").status_code == 403
    reopened = reviewer.post(f"{base}/reopen")
    assert reopened.status_code == 200
    assert reopened.get_json()["state"] == "open"
    assert [x["action"] for x in reopened.get_json()["replies"]] == [
        "answer", "comment", "resolve", "reopen"]


def test_answering_needs_a_body(editor, make_programme):
    p = make_programme("returned")
    rid = editor.get(f"/programmes/{p['id']}/remarks").get_json()["items"][0]["id"]
    response = editor.post(f"/programmes/{p['id']}/remarks/{rid}/answer", json={})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "missing_field"
    response = editor.post(f"/programmes/{p['id']}/remarks/{rid}/answer", json={"body": "   "})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_input"


def test_assessments_are_put_per_requirement_and_listed_per_revision(reviewer, make_programme, world, fresh):
    p = make_programme("in_review")
    req = world.campaign.requirements[0]
    response = reviewer.put(f"/programmes/{p['id']}/assessments/{req.id}",
                            json={"verdict": "partly", "comment": "Не хватает показателей"})
    assert response.status_code == 200
    assert response.get_json()["verdict_label"] == "Выполнено частично"
    # PUT again replaces the verdict of the same revision.
    response = reviewer.put(f"/programmes/{p['id']}/assessments/{req.id}", json={"verdict": "met"})
    assert response.get_json()["verdict"] == "met"
    listed = reviewer.get(f"/programmes/{p['id']}/assessments").get_json()
    assert listed["revision_number"] == 1
    assert [(a["requirement_id"], a["verdict"]) for a in listed["items"]] == [(req.id, "met")]
    assert reviewer.get(f"/programmes/{p['id']}/assessments", query={"revision": 1}).get_json() == listed
    assert reviewer.get(f"/programmes/{p['id']}/assessments", query={"revision": 7}).status_code == 404
    assert reviewer.get(f"/programmes/{p['id']}/assessments", query={"revision": "x"}).status_code == 400
    with fresh() as s:
        assert s.scalar(select(func.count(Assessment.id))) == 1


def test_assessment_errors(reviewer, other_reviewer, editor, make_programme, world):
    p = make_programme("in_review")
    req = world.campaign.requirements[0]
    path = f"/programmes/{p['id']}/assessments/{req.id}"
    assert reviewer.put(path, json={"verdict": "excellent"}).get_json()["error"]["code"] == "invalid_value"
    assert reviewer.put(f"/programmes/{p['id']}/assessments/999999", json={"verdict": "met"}).status_code == 404
    assert other_reviewer.put(path, json={"verdict": "met"}).status_code == 403
    assert editor.put(path, json={"verdict": "met"}).status_code == 403
    # Assessments are the ministry's working notes.
    assert editor.get(f"/programmes/{p['id']}/assessments").status_code == 403


def test_assessments_of_a_draft_are_empty(reviewer, make_programme):
    p = make_programme("draft")
    assert reviewer.get(f"/programmes/{p['id']}/assessments").get_json() == {
        "revision_number": 0, "items": []}
