"""DELETE /programmes/{id}: a draft never sent is deleted; anything else is refused."""

from __future__ import annotations


def test_the_editor_deletes_a_draft(editor, make_programme):
    p = make_programme("draft", title="Лишний черновик")
    response = editor.delete(f"/programmes/{p['id']}?version={p['version']}")
    assert response.status_code == 200
    assert response.get_json() == {"id": p["id"], "title": "Лишний черновик"}
    assert editor.get(f"/programmes/{p['id']}").status_code == 404


def test_a_submitted_programme_is_not_deleted(editor, make_programme):
    p = make_programme("submitted")
    response = editor.delete(f"/programmes/{p['id']}")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "illegal_transition" and "отозвать" in error["message"]
    assert editor.get(f"/programmes/{p['id']}").status_code == 200


def test_the_ministry_and_a_stale_version_are_refused(editor, reviewer, make_programme):
    p = make_programme("draft")
    assert reviewer.delete(f"/programmes/{p['id']}").status_code == 403
    stale = editor.delete(f"/programmes/{p['id']}?version={p['version'] + 5}")
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    bad = editor.delete(f"/programmes/{p['id']}?version=abc")
    assert bad.status_code == 400
