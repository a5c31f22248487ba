"""Letters over the API: the journal, requisites, signing, and the PDF."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, update

from tests.factories import SIGNING_PIN
from workflow.models import Letter


@pytest.fixture
def approval_letter_id(make_programme, fresh):
    p = make_programme("approval_pending")  # the letter is a draft until signed
    with fresh() as s:
        return s.scalar(select(Letter.id).where(Letter.programme_id == p["id"]))


def test_ministry_staff_see_draft_letters_with_their_requisites(reviewer, approval_letter_id):
    listed = reviewer.get("/letters").get_json()
    assert listed["total"] == 1
    letter = reviewer.get(f"/letters/{approval_letter_id}").get_json()
    assert letter == listed["items"][0]
    assert (letter["kind"], letter["state"], letter["number"]) == ("approval", "draft", None)
    assert letter["heading"] == "О согласовании муниципальной программы"
    assert letter["reply_to_number"] == "01-12/345"
    assert letter["pdf_available"] is False
    assert "pdf" not in letter
    assert reviewer.get("/letters", query={"kind": "return"}).get_json()["total"] == 0
    assert reviewer.get("/letters", query={"state": "draft", "kind": "approval"}).get_json()["total"] == 1
    assert reviewer.get("/letters", query={"programme_id": 424242}).get_json()["total"] == 0
    assert reviewer.get("/letters", query={"state": "burnt"}).status_code == 400


def test_only_a_signatory_signs(reviewer, editor, signatory, approval_letter_id):
    assert reviewer.post(f"/letters/{approval_letter_id}/sign", json={}).status_code == 403
    # The municipality does not see the draft at all.
    assert editor.post(f"/letters/{approval_letter_id}/sign", json={}).status_code == 404
    response = signatory.post(f"/letters/{approval_letter_id}/sign",
                              json={"version": 1, "pin": SIGNING_PIN})
    assert response.status_code == 200
    letter = response.get_json()
    assert letter["state"] == "signed"
    assert letter["number"] == "23/1"
    assert letter["signatory"]["full_name"] == "Шкуратская Мария Викторовна"
    again = signatory.post(f"/letters/{approval_letter_id}/sign", json={})
    assert again.status_code == 409


def test_signing_with_a_stale_version_is_409(signatory, approval_letter_id):
    response = signatory.post(f"/letters/{approval_letter_id}/sign", json={"version": 7})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "stale_version"


def test_the_pdf_is_409_until_rendered_then_an_attachment(editor, signatory, approval_letter_id, fresh,
                                                          monkeypatch):
    import documents.issue

    # As if the process stopped between the registration and the rendering.
    monkeypatch.setattr(documents.issue, "render_and_store", lambda app, letter_id: False)
    assert signatory.post(f"/letters/{approval_letter_id}/sign",
                          json={"pin": SIGNING_PIN}).status_code == 200
    response = editor.get(f"/letters/{approval_letter_id}/pdf")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_rendered"
    pdf = b"%PDF-1.7\n% stand-in bytes\n%%EOF\n"
    with fresh() as s:
        s.execute(update(Letter).where(Letter.id == approval_letter_id).values(
            pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest()))
    response = editor.get(f"/letters/{approval_letter_id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="letter-23-1.pdf"'
    assert response.data == pdf
    assert editor.get(f"/letters/{approval_letter_id}").get_json()["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_missing_letters_are_404(reviewer):
    for path in ("/letters/999999", "/letters/999999/pdf"):
        assert reviewer.get(path).status_code == 404
    assert reviewer.post("/letters/999999/sign").status_code == 404
