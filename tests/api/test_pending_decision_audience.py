"""A decision travelling its route stays the ministry's business: over the API the municipality
sees its programme under review and no proposal in the history until the letter is signed."""

from __future__ import annotations


def _json(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_municipality_sees_a_pending_approval_as_under_review(make_programme, editor, reviewer):
    pid = make_programme("approval_pending")["id"]

    assert _json(reviewer.get(f"/programmes/{pid}"))["state"] == "decision_pending"
    mine = _json(editor.get(f"/programmes/{pid}"))
    assert (mine["state"], mine["state_label"]) == ("in_review", "На рассмотрении")
    listed = {p["id"]: p["state"] for p in _json(editor.get("/programmes"))["items"]}
    assert listed[pid] == "in_review"

    ministry = [e["trigger"] for e in _json(reviewer.get(f"/programmes/{pid}/history"))["items"]]
    municipality = [e["trigger"] for e in _json(editor.get(f"/programmes/{pid}/history"))["items"]]
    assert ministry[-1] == "approve"
    assert "approve" not in municipality and municipality == ministry[:-1]
