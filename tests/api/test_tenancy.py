"""Another municipality's objects do not exist for an editor: 404 everywhere, and lists and
counts leave them out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.conftest import draft_body
from tests.factories import SIGNING_PIN
from workflow.models import Letter, Programme


@pytest.fixture
def returned(make_programme):
    return make_programme("returned")


def test_a_foreign_editor_gets_404_for_every_read(foreign_editor, returned, world):
    pid = returned["id"]
    for path in (f"/programmes/{pid}", f"/programmes/{pid}/remarks", f"/programmes/{pid}/history",
                 f"/programmes/{pid}/revisions/1", f"/programmes/{pid}/assessments"):
        response = foreign_editor.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"] == {"code": "not_found", "message": "Программа не найдена"}


def test_a_foreign_editor_gets_404_for_every_write_and_changes_nothing(
        foreign_editor, editor, returned, world, fresh):
    pid = returned["id"]
    rid = editor.get(f"/programmes/{pid}/remarks").get_json()["items"][0]["id"]
    version = returned["version"]
    requirement = world.campaign.requirements[0].id
    calls = [
        ("PATCH", f"/programmes/{pid}", {"version": version, "title": "Захват"}),
        ("POST", f"/programmes/{pid}/actions/resubmit", {"version": version}),
        ("POST", f"/programmes/{pid}/actions/withdraw", {"version": version, "reason": "x"}),
        ("POST", f"/programmes/{pid}/remarks",
         {"requirement_id": requirement, "body": "x", "visibility": "external"}),
        ("POST", f"/programmes/{pid}/remarks/{rid}/answer", {"body": "x"}),
        ("POST", f"/programmes/{pid}/remarks/{rid}/comments", {"body": "x"}),
        ("POST", f"/programmes/{pid}/remarks/{rid}/resolve", {}),
        ("POST", f"/programmes/{pid}/remarks/{rid}/reopen", {}),
        ("PUT", f"/programmes/{pid}/assessments/{requirement}", {"verdict": "met"}),
    ]
    for method, path, body in calls:
        response = foreign_editor.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
    with fresh() as s:
        row = s.get(Programme, pid)
        assert (row.state, row.version, row.title) == ("returned", version, returned["title"])
    assert editor.get(f"/programmes/{pid}/remarks").get_json()["items"][0]["replies"] == []


def test_lists_and_counts_exclude_foreign_programmes(foreign_editor, editor, reviewer, make_programme, world):
    make_programme("draft", title="Первая")
    make_programme("submitted", title="Вторая")
    assert foreign_editor.post("/programmes", json=draft_body(world, title="Хасанская")).status_code == 201
    own = editor.get("/programmes").get_json()
    assert own["total"] == 2
    assert {p["municipality"]["code"] for p in own["items"]} == {"artem"}
    foreign = foreign_editor.get("/programmes").get_json()
    assert foreign["total"] == 1
    assert foreign["items"][0]["title"] == "Хасанская"
    # Filtering by another municipality's code does not reveal anything either.
    assert foreign_editor.get("/programmes", query={"municipality": "artem"}).get_json()["total"] == 0
    assert foreign_editor.get("/programmes", query={"state": "submitted"}).get_json()["total"] == 0
    assert reviewer.get("/programmes").get_json()["total"] == 3


def test_letters_of_another_municipality_are_hidden(foreign_editor, editor, signatory,
                                                   make_programme, fresh):
    returned = make_programme("return_pending")
    with fresh() as s:
        letter_id = s.scalar(select(Letter.id).where(Letter.programme_id == returned["id"]))
    # A draft letter is hidden even from its own municipality; signed, it is theirs only.
    assert editor.get(f"/letters/{letter_id}").status_code == 404
    assert signatory.post(f"/letters/{letter_id}/sign",
                          json={"pin": SIGNING_PIN}).status_code == 200
    assert editor.get(f"/letters/{letter_id}").status_code == 200
    assert editor.get("/letters").get_json()["total"] == 1
    for path in (f"/letters/{letter_id}", f"/letters/{letter_id}/pdf"):
        response = foreign_editor.get(path)
        assert response.status_code == 404, path
    assert foreign_editor.post(f"/letters/{letter_id}/sign", json={}).status_code == 404
    listed = foreign_editor.get("/letters").get_json()
    assert (listed["total"], listed["items"]) == (0, [])
