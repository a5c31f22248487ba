"""The whole review cycle over the API alone, from the first draft to the signed approval
letter; it also checks that every documented operation was exercised and that every
response matched the OpenAPI document (the client checks each one)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.api.conftest import Api, draft_body
from tests.conftest import totp_code
from tests.factories import PASSWORD, SIGNING_PIN
from workflow import files
from workflow.models import Programme
from workflow.storage import FileSystemBlobStore


def _login(anonymous: Api, login: str) -> Api:
    body = {"login": login, "password": PASSWORD}
    code = totp_code(anonymous.client.application, login)  # the signatory has a second factor
    if code:
        body["code"] = code
    response = anonymous.post("/auth/token", json=body)
    assert response.status_code == 201, response.get_json()
    return Api(anonymous.client, anonymous.recorder, response.get_json()["token"])


def _attach(app, world, pid: int, data: bytes) -> None:
    programme = world.session.get(Programme, pid)
    files.add_files(world.session, programme, world.editor,
                    [files.NewFile("Программа.pdf", "application/pdf", data)],
                    store=FileSystemBlobStore(app.config["UPLOAD_DIR"]), now=world.clock.tick())
    world.session.commit()


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_full_review_cycle_over_the_api(app, anonymous, recorder, world):
    assert _ok(anonymous.get("/openapi.json"))["openapi"] == "3.1.0"
    assert "POST /programmes/{programme_id}/actions/{trigger}" in anonymous.get("/docs").text
    editor = _login(anonymous, "editor")
    reviewer = _login(anonymous, "reviewer")
    signatory = _login(anonymous, "signatory")
    assert _ok(editor.get("/auth/me"))["user"]["role"] == "municipal_editor"
    requirements = world.campaign.requirements
    # The municipality finds the campaign and its requirements.
    [listed] = _ok(editor.get("/campaigns"))["items"]
    campaign = _ok(editor.get(f"/campaigns/{listed['id']}"))
    assert [r["id"] for r in campaign["requirements"]] == [r.id for r in requirements]

    # The municipality drafts, completes and submits.
    p = _ok(editor.post("/programmes", json=draft_body(world, filled=False)), 201)
    pid = p["id"]
    p = _ok(editor.patch(f"/programmes/{pid}", json={
        "version": p["version"],
        "sections": {str(r.id): f"Раздел {r.position}: мероприятия и показатели" for r in requirements},
    }))
    # A file attached on the screens (the API reads files, it does not upload them yet).
    _attach(app, world, pid, b"%PDF-1.4 programme file")
    p = _ok(editor.get(f"/programmes/{pid}"))
    [attached] = p["files"]
    assert (attached["name"], attached["size"]) == ("Программа.pdf", 23)
    assert editor.get(attached["download_url"].removeprefix("/api/v1")).data == b"%PDF-1.4 programme file"
    p = _ok(editor.post(f"/programmes/{pid}/actions/submit", json={"version": p["version"]}))["programme"]
    assert (p["state"], p["revision_number"]) == ("submitted", 1)
    [frozen] = _ok(reviewer.get(f"/programmes/{pid}/revisions/1"))["files"]
    assert frozen["sha256"] == attached["sha256"]
    assert reviewer.get(frozen["download_url"].removeprefix("/api/v1")).data == b"%PDF-1.4 programme file"
    assert [x["id"] for x in _ok(reviewer.get("/programmes", query={"state": "submitted"}))["items"]] == [pid]

    # The ministry takes it, remarks and returns it.
    p = _ok(reviewer.post(f"/programmes/{pid}/actions/start_review", json={"version": p["version"]}))["programme"]
    assert p["reviewer"]["id"] == world.reviewer.id
    remark = _ok(reviewer.post(f"/programmes/{pid}/remarks", json={
        "requirement_id": requirements[1].id, "body": "Добавьте целевые показатели по годам",
        "visibility": "external"}), 201)
    _ok(reviewer.post(f"/programmes/{pid}/remarks", json={
        "requirement_id": requirements[2].id, "body": "Проверить бюджет", "visibility": "internal"}), 201)
    _ok(reviewer.put(f"/programmes/{pid}/assessments/{requirements[1].id}",
                     json={"verdict": "not_met", "comment": "Нет показателей"}))
    returned = _ok(reviewer.post(f"/programmes/{pid}/actions/return_for_revision",
                                 json={"version": p["version"], "reason": "Нет целевых показателей"}))
    p = returned["programme"]
    # A proposal: the decision takes effect when the signatory signs its letter.
    assert (returned["event"]["trigger"], p["state"]) == ("return_for_revision", "decision_pending")
    return_letter = _ok(reviewer.get("/letters", query={"kind": "return", "programme_id": pid}))["items"][0]
    assert "Добавьте целевые показатели по годам" in return_letter["body"]
    assert "Проверить бюджет" not in return_letter["body"]
    route = _ok(reviewer.get(f"/programmes/{pid}/route"))
    assert [s["status"] for s in route["stages"]] == ["done", "current"]
    [task] = _ok(signatory.get("/tasks"))["items"]
    assert (task["stage_kind"], task["letter_id"]) == ("sign", return_letter["id"])
    assert _ok(signatory.post(f"/tasks/{task['id']}/decision",
                              json={"decision": "reject", "comment": "Смягчите формулировки",
                                    "version": task["version"]}))["programme_state"] == "in_review"
    p = _ok(reviewer.post(f"/programmes/{pid}/actions/return_for_revision",
                          json={"version": _ok(reviewer.get(f"/programmes/{pid}"))["version"],
                                "reason": "Нет целевых показателей"}))["programme"]
    return_letter = next(x for x in _ok(reviewer.get("/letters", query={
        "kind": "return", "programme_id": pid}))["items"] if x["state"] == "draft")
    _ok(signatory.post(f"/letters/{return_letter['id']}/sign", json={"pin": SIGNING_PIN}))
    p = _ok(editor.get(f"/programmes/{pid}"))
    assert p["state"] == "returned"
    sheet = reviewer.get(f"/letters/{return_letter['id']}/approval-sheet")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    [standard] = _ok(reviewer.get("/routes"))["items"]
    assert [s["kind"] for s in _ok(reviewer.get(f"/routes/{standard['id']}"))["versions"][0][
        "stages"]] == ["review", "sign"]

    # The municipality answers, edits and resubmits.
    editor_view = _ok(editor.get(f"/programmes/{pid}/remarks"))["items"]
    assert [r["id"] for r in editor_view] == [remark["id"]]
    base = f"/programmes/{pid}/remarks/{remark['id']}"
    blocked = next(a for a in _ok(editor.get(f"/programmes/{pid}"))["actions"] if a["trigger"] == "resubmit")
    assert blocked["enabled"] is False
    _ok(editor.post(f"{base}/answer", json={"body": "Показатели добавлены в раздел 2"}))
    _ok(editor.post(f"{base}/comments", json={"body": "Таблица на с. 4"}), 201)
    p = _ok(editor.patch(f"/programmes/{pid}", json={
        "version": p["version"], "sections": {str(requirements[1].id): "Раздел 2 с показателями"}}))
    p = _ok(editor.post(f"/programmes/{pid}/actions/resubmit", json={"version": p["version"]}))["programme"]
    # Straight back to the reviewer who returned it.
    assert (p["state"], p["revision_number"]) == ("in_review", 2)
    assert _ok(editor.get(f"/programmes/{pid}/revisions/1"))["sections"][1]["text"].startswith("Раздел 2:")
    assert _ok(editor.get(f"/programmes/{pid}/revisions/2"))["sections"][1]["text"] == "Раздел 2 с показателями"

    # The ministry reviews revision 2, assesses, resolves and approves.
    for r in requirements:
        _ok(reviewer.put(f"/programmes/{pid}/assessments/{r.id}", json={"verdict": "met"}))
    assert _ok(reviewer.get(f"/programmes/{pid}/assessments", query={"revision": 1}))["items"][0]["verdict"] == "not_met"
    assert len(_ok(reviewer.get(f"/programmes/{pid}/assessments"))["items"]) == 3
    _ok(reviewer.post(f"{base}/reopen", json={"body": "Уточните источник"}))
    _ok(reviewer.post(f"{base}/resolve", json={"body": "Принято"}))
    internal = next(r for r in _ok(reviewer.get(f"/programmes/{pid}/remarks"))["items"]
                    if r["visibility"] == "internal")
    _ok(reviewer.post(f"/programmes/{pid}/remarks/{internal['id']}/resolve", json={}))
    approve = next(a for a in _ok(reviewer.get(f"/programmes/{pid}"))["actions"] if a["trigger"] == "approve")
    assert approve["enabled"] is True
    p = _ok(reviewer.post(f"/programmes/{pid}/actions/approve", json={"version": p["version"]}))["programme"]
    assert p["state"] == "decision_pending"
    history = _ok(reviewer.get(f"/programmes/{pid}/history"))["items"]
    assert [e["trigger"] for e in history] == [
        "submit", "start_review", "return_for_revision", "decision_refused",
        "return_for_revision", "decision_signed_return", "resubmit", "approve"]

    # The signatory signs the approval letter; the municipality downloads the signed PDF.
    letter = _ok(signatory.get("/letters", query={"kind": "approval", "programme_id": pid}))["items"][0]
    signed = _ok(signatory.post(f"/letters/{letter['id']}/sign", json={"version": letter["version"],
                                                                        "pin": SIGNING_PIN}))
    assert signed["state"] == "signed"
    assert signed["pdf_available"] is True
    history = _ok(reviewer.get(f"/programmes/{pid}/history"))["items"]
    assert [e["trigger"] for e in history] == [
        "submit", "start_review", "return_for_revision", "decision_refused",
        "return_for_revision", "decision_signed_return", "resubmit", "approve",
        "decision_signed_approval"]
    # The municipality's history holds what took effect, never the proposals on their route.
    assert [e["trigger"] for e in _ok(editor.get(f"/programmes/{pid}/history"))["items"]] == [
        "submit", "start_review", "decision_signed_return", "resubmit",
        "decision_signed_approval"]
    assert _ok(editor.get(f"/letters/{letter['id']}"))["number"] == signed["number"]
    pdf = editor.get(f"/letters/{letter['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert "/ByteRange" in pdf.data.decode("latin-1")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert signed["number"] in text
    # The signed return letter and the approval letter; never the refused draft.
    assert {x["id"] for x in _ok(editor.get("/letters"))["items"]} == {return_letter["id"], letter["id"]}

    # The ministry follows the campaign: the approved programme in its table, the workbook
    # and the minister's report; the municipality is refused them.
    cid = world.campaign.id
    status = _ok(reviewer.get(f"/campaigns/{cid}/status"))
    assert {r["programme_id"]: r["state"] for r in status["rows"]}[pid] == "approved"
    assert status["figures"]["returned_ever"] == 1
    assert reviewer.get(f"/campaigns/{cid}/export.xlsx").data[:2] == b"PK"
    assert reviewer.get(f"/campaigns/{cid}/report.pdf").data.startswith(b"%PDF")
    assert editor.get(f"/campaigns/{cid}/status").status_code == 403
    # A draft never sent is deleted outright.
    spare = _ok(editor.post("/programmes", json=draft_body(world, title="Лишний черновик")), 201)
    assert _ok(editor.delete(f"/programmes/{spare['id']}"))["id"] == spare["id"]
    # Bulk signing refuses a letter that is signed already; no job is made.
    again = signatory.post("/letters/bulk-sign", json={"letter_ids": [letter["id"]], "pin": SIGNING_PIN})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "illegal_transition"
    assert signatory.get("/jobs/1").status_code == 404

    # The editor learnt of the signed letters: their notifications, read one, then all.
    notes = _ok(editor.get("/notifications", query={"unread": "true"}))
    assert any(n["kind"] == "letter.signed" for n in notes["items"]) and notes["unread"] >= 1
    assert _ok(editor.post(f"/notifications/{notes['items'][0]['id']}/read"))["marked"] == 1
    assert _ok(editor.post("/notifications/read-all"))["unread"] == 0
    assert _ok(editor.put("/notifications/preferences", json={"mail_preference": "off"}))[
        "mail_preference"] == _ok(editor.get("/notifications/preferences"))["mail_preference"]

    # Signing out revokes the token.
    assert editor.delete("/auth/token").status_code == 204
    assert editor.get(f"/programmes/{pid}").status_code == 401

    # Reassignment needs a second eligible participant: tests/api/test_routes_api.py.
    assert recorder.missing() == {("/programmes/{programme_id}/reassign", "POST")}, \
        "documented operations no test exercised"
