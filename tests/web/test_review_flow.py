"""A programme's whole life through the screens: submit, review, remarks, return,
answer, resubmit with a redline, approve."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.factories import new_programme, sign_decision
from tests.web.conftest import sign_in, text
from workflow.models import Letter, Programme, Remark
from workflow.states import ProgrammeState


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _act(client, pid, trigger, **data):
    page = text(client.get(f"/programmes/{pid}"))
    return client.post(f"/programmes/{pid}/actions/{trigger}",
                       data={"version": _version(page), **data})


def test_round_trip_through_the_screens(client, world):
    w = world
    p = new_programme(w, title="Программа для проверки")
    w.session.commit()
    r1, r2, r3 = w.campaign.requirements
    pid = p.id

    sign_in(client, "editor")
    assert _act(client, pid, "submit").status_code == 302

    sign_in(client, "reviewer")
    queue = text(client.get("/review/"))
    assert "Программа для проверки" in queue
    assert _act(client, pid, "start_review").status_code == 302
    page = text(client.get(f"/programmes/{pid}"))
    # Approve and return are blocked, with reasons and without buttons.
    assert "Для возврата на доработку нужно хотя бы одно открытое замечание" in page
    assert 'data-trigger="approve"' not in page
    assert client.post(f"/programmes/{pid}/assessments/{r1.id}",
                       data={"verdict": "partly", "comment": "Мало показателей"}).status_code == 302
    assert client.post(f"/programmes/{pid}/remarks", data={
        "requirement_id": r1.id, "visibility": "external",
        "body": "Добавьте целевые показатели по годам"}).status_code == 302
    assert client.post(f"/programmes/{pid}/remarks", data={
        "requirement_id": r2.id, "visibility": "internal",
        "body": "Внутреннее: сверить с планом министерства"}).status_code == 302
    # Return without a reason: refused, page re-rendered, nothing changed.
    refused = _act(client, pid, "return_for_revision", reason="")
    assert refused.status_code == 422 and "Укажите причину возврата" in text(refused)
    assert _act(client, pid, "return_for_revision",
                reason="Нужны показатели").status_code == 302

    # A proposal: until its letter is signed the municipality still sees the programme
    # under review, and cannot answer yet.
    sign_in(client, "editor")
    page = text(client.get(f"/programmes/{pid}"))
    assert "На рассмотрении" in page and "На согласовании решения" not in page
    assert "Ответьте на все замечания министерства" not in page
    w.session.expire_all()
    sign_decision(w, w.session.get(Programme, pid))  # the signatory signs the return letter
    w.session.commit()
    assert all((r1.id, r2.id, r3.id))  # reloaded now, not later while the app writes
    w.session.commit()

    page = text(client.get(f"/programmes/{pid}"))
    assert "Добавьте целевые показатели по годам" in page
    assert "Внутреннее: сверить" not in page  # internal remarks stay in the ministry
    assert "Ответьте на все замечания министерства" in page
    remark_id = w.session.scalar(select(Remark.id).where(Remark.visibility == "external"))
    w.session.commit()  # release SQLite's lock for the app
    empty = client.post(f"/programmes/{pid}/remarks/{remark_id}/answer", data={"body": ""})
    assert empty.status_code == 400 and "Заполните поле «Ответ»" in text(empty)
    assert client.post(f"/programmes/{pid}/remarks/{remark_id}/answer",
                       data={"body": "Показатели добавлены в раздел 1"}).status_code == 302
    edit = text(client.get(f"/programmes/{pid}/edit"))
    data = {"version": re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1),
            "title": "Программа для проверки", "period_from": "2026", "period_to": "2028",
            f"section_{r1.id}": "Текст раздела 1 с показателями на 2026 год",
            f"section_{r2.id}": "Текст раздела 2", f"section_{r3.id}": "Текст раздела 3"}
    assert client.post(f"/programmes/{pid}/edit", data=data).status_code == 302
    assert _act(client, pid, "resubmit").status_code == 302

    sign_in(client, "reviewer")
    page = text(client.get(f"/programmes/{pid}"))
    assert "<ins>" in page and "Изменения относительно редакции № 1" in page
    assert "Показатели добавлены в раздел 1" in page  # which remarks were answered
    remark_ids = w.session.scalars(select(Remark.id)).all()
    w.session.commit()
    for rid in remark_ids:
        assert client.post(f"/programmes/{pid}/remarks/{rid}/resolve",
                           data={"body": ""}).status_code == 302
    for r in (r1, r2, r3):
        assert client.post(f"/programmes/{pid}/assessments/{r.id}",
                           data={"verdict": "met"}).status_code == 302
    assert _act(client, pid, "approve").status_code == 302

    w.session.expire_all()
    assert w.session.get(Programme, pid).state == ProgrammeState.DECISION_PENDING
    sign_decision(w, w.session.get(Programme, pid))
    w.session.commit()
    w.session.expire_all()
    done = w.session.get(Programme, pid)
    assert done.state == ProgrammeState.APPROVED and done.revision_number == 2
    assert w.session.scalar(select(func.count(Letter.id)).where(Letter.programme_id == pid)) == 2
    w.session.commit()
    history = text(client.get(f"/programmes/{pid}?rev=1"))
    for label in ("Направить в министерство", "Взять на рассмотрение", "Вернуть на доработку",
                  "Направить повторно", "Согласовать", "Причина: Нужны показатели"):
        assert label in history
    assert "Показана редакция № 1" in history


def test_reviewer_who_is_not_assigned_cannot_remark(client, world):
    from tests.factories import programme_in

    p = programme_in(world, ProgrammeState.IN_REVIEW)
    world.session.commit()
    sign_in(client, "reviewer2")
    page = text(client.get(f"/programmes/{p.id}"))
    assert "Добавить замечание" not in page
    response = client.post(f"/programmes/{p.id}/remarks", data={
        "requirement_id": world.campaign.requirements[0].id, "visibility": "external",
        "body": "Чужое замечание"})
    assert response.status_code == 403
    assert "Программа назначена другому эксперту" in text(response)


def test_a_remark_on_a_requirement_that_is_no_id_is_a_bad_request(client, world):
    from tests.factories import programme_in

    p = programme_in(world, ProgrammeState.IN_REVIEW)
    world.session.commit()
    sign_in(client, "reviewer")
    # Beyond any database integer (it once reached SQLite and failed with a 500), or not a
    # number: refused, nothing stored.
    for requirement_id in ("99999999999999999999", "2147483648", "abc"):
        response = client.post(f"/programmes/{p.id}/remarks", data={
            "requirement_id": requirement_id, "visibility": "external", "body": "Замечание"})
        assert response.status_code == 400, requirement_id
    assert world.session.scalar(
        select(func.count(Remark.id)).where(Remark.programme_id == p.id)) == 0
