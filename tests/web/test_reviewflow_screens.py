"""The screens of reassignment, substitution, carried-over assessments and draft deletion."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from tests.factories import add_external_remark, new_programme, programme_in
from tests.web.conftest import sign_in, text
from workflow import absences
from workflow.models import Absence, Programme, WorkflowEvent
from workflow.states import ProgrammeState


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_the_admin_reassigns_from_the_programme_page(client, world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    w.session.commit()
    pid = p.id
    sign_in(client, "reviewer2")
    page = text(client.get(f"/programmes/{pid}"))
    assert "Передать другому эксперту" not in page  # a plain reviewer may not
    assert "может руководитель отдела или администратор" in page  # but is told who may
    assert client.post(f"/programmes/{pid}/reassign",
                       data={"version": p.version, "reviewer": w.other_reviewer.id,
                             "reason": "x"}).status_code == 403
    sign_in(client, "admin")
    page = text(client.get(f"/programmes/{pid}"))
    assert "Передать другому эксперту" in page
    # Without a reason: the page says why, nothing changes.
    bad = client.post(f"/programmes/{pid}/reassign",
                      data={"version": _version(page), "reviewer": w.other_reviewer.id,
                            "reason": ""})
    assert bad.status_code == 400 and "Укажите причину передачи" in text(bad)
    # To someone who cannot review (the signatory): the reason, nothing written.
    bad = client.post(f"/programmes/{pid}/reassign",
                      data={"version": _version(page), "reviewer": w.signatory.id,
                            "reason": "Отпуск"})
    assert bad.status_code == 400 and "не эксперт министерства" in text(bad)
    ok = client.post(f"/programmes/{pid}/reassign",
                     data={"version": _version(page), "reviewer": w.other_reviewer.id,
                           "reason": "Отпуск эксперта"})
    assert ok.status_code == 302
    w.session.expire_all()
    assert w.session.get(Programme, pid).reviewer_id == w.other_reviewer.id
    w.session.rollback()
    page = text(client.get(f"/programmes/{pid}"))
    assert "Передана другому эксперту" in page and "Отпуск эксперта" in page


def test_the_substitute_acts_and_history_says_for_whom(client, world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    add_external_remark(w, p)
    w.session.commit()
    pid, sub, short = p.id, w.other_reviewer.id, w.reviewer.short_name()
    w.session.rollback()
    sign_in(client, "reviewer")
    page = text(client.get("/account/absences"))
    assert "Отсутствие и замещение" in page
    bad = client.post("/account/absences", data={
        "starts_on": "2026-03-10", "ends_on": "2026-03-01", "substitute": sub})
    assert bad.status_code == 400 and "раньше даты начала" in text(bad)
    assert w.session.scalar(select(func.count()).select_from(Absence)) == 0
    w.session.rollback()  # hold no read lock while the app writes
    ok = client.post("/account/absences", data={
        "starts_on": "2026-03-01", "ends_on": "2026-03-10", "substitute": sub,
        "reason": "Отпуск"})
    assert ok.status_code == 302
    sign_in(client, "reviewer2")
    page = text(client.get(f"/programmes/{pid}"))
    assert "Вы действуете за отсутствующего эксперта" in page
    done = client.post(f"/programmes/{pid}/actions/return_for_revision",
                       data={"version": _version(page), "reason": "Доработать"})
    assert done.status_code == 302
    page = text(client.get(f"/programmes/{pid}"))
    assert f"(за {short})" in page
    w.session.expire_all()
    event = w.session.scalars(select(WorkflowEvent).where(WorkflowEvent.programme_id == pid)
                              .order_by(WorkflowEvent.seq.desc())).first()
    assert (event.actor_id, event.on_behalf_of_id) == (w.other_reviewer.id, w.reviewer.id)


def test_the_admin_manages_absences_and_cancels_one(client, world):
    w = world
    user, sub = w.reviewer.id, w.other_reviewer.id
    w.session.rollback()
    sign_in(client, "admin")
    assert "Отсутствие и замещение" in text(client.get("/absences/manage"))
    assert client.post("/absences/manage", data={
        "user": user, "substitute": sub, "starts_on": "2026-03-02",
        "ends_on": "2026-03-05"}).status_code == 302
    absence_id = w.session.scalars(select(Absence.id)).one()
    w.session.rollback()
    assert client.post(f"/absences/{absence_id}/cancel",
                       data={"back": "manage"}).status_code == 302
    w.session.expire_all()
    assert w.session.get(Absence, absence_id).cancelled_at is not None
    w.session.rollback()
    sign_in(client, "reviewer2")
    assert client.get("/absences/manage").status_code == 403


def test_a_carried_over_assessment_is_marked_on_the_review_screen(client, world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    from tests.factories import assess_all, sign_decision
    from workflow import operations, programme_drafting, review
    from workflow.models import Remark

    assess_all(w, p)
    add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Ещё")
    sign_decision(w, p)  # the return takes effect when its letter is signed
    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id)):
        review.answer_remark(w.session, p, remark, w.editor, body="Да", now=w.clock.tick())
    r2 = w.campaign.requirements[1].id
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={r2: "Новый текст раздела 2"})
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()
    sign_in(client, "reviewer")
    page = text(client.get(f"/programmes/{p.id}"))
    assert page.count("перенесено из редакции 1") == 2
    assert 'data-trigger="start_review"' not in page  # no second "Взять на рассмотрение"


def test_the_editor_deletes_a_draft_after_confirming(client, world):
    w = world
    p = new_programme(w, title="Лишний черновик")
    sent = programme_in(w, ProgrammeState.SUBMITTED, title="Направленная")
    w.session.commit()
    sign_in(client, "editor")
    page = text(client.get(f"/programmes/{p.id}"))
    assert "Удалить черновик" in page and "восстановить его нельзя" in page
    pid, sent_id, sent_version = p.id, sent.id, sent.version
    w.session.rollback()
    assert "Удалить черновик" not in text(client.get(f"/programmes/{sent.id}"))
    refused = client.post(f"/programmes/{sent.id}/delete", data={"version": sent_version})
    assert refused.status_code == 409
    done = client.post(f"/programmes/{pid}/delete", data={"version": _version(page)})
    assert done.status_code == 302
    w.session.expunge_all()
    assert w.session.get(Programme, pid) is None
    assert w.session.get(Programme, sent_id) is not None


def test_the_admin_edits_department_and_genitive(client, world):
    w = world
    sign_in(client, "admin")
    page = text(client.get(f"/admin/users/{w.signatory.id}"))
    assert "Для подписи замещающего: «И.о. заместителя министра" in page
    # Without a position there is nothing to derive the acting title from: said so, not «И.о. ».
    page = text(client.get(f"/admin/users/{w.admin.id}"))
    assert "«И.о. »" not in page and "образуется из должности, но она не указана" in page
    assert client.post(f"/admin/users/{w.other_reviewer.id}/department", data={
        "heads_department": "1", "department": "Отдел общего образования",
        "position_genitive": ""}).status_code == 302
    w.session.expire_all()
    assert w.session.get(type(w.other_reviewer), w.other_reviewer.id).heads_department


def test_the_signatory_screen_offers_acting_signature(client, world):
    w = world
    from tests.factories import give_certificate
    from workflow import second_factor
    from workflow.states import Role
    from workflow.users import create_user

    deputy = create_user(w.session, login="deputy", full_name="Орлова Елена Сергеевна",
                         role=Role.SIGNATORY, password="correct-horse-battery", now=w.clock(),
                         enforce_policy=False)
    give_certificate(w.session, deputy, now=w.clock())
    from tests.factories import TOTP_SECRET
    second_factor.enrol_with_secret(w.session, deputy, TOTP_SECRET, now=w.clock())
    absences.declare_absence(w.session, w.signatory, w.admin, substitute=deputy,
                             starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 9), now=w.clock())
    p = programme_in(w, ProgrammeState.DECISION_PENDING)  # its approval letter awaits signing
    w.session.commit()
    from tests.workflow.support import letters_of

    (letter,) = letters_of(w.session, p.id)
    letter_id, version, absent_id = letter.id, letter.version, w.signatory.id
    w.session.rollback()
    sign_in(client, "deputy")
    page = text(client.get(f"/letters/{letter_id}"))
    assert "Вы замещаете отсутствующего подписанта" in page
    assert "И.о. заместителя министра" in page
    assert "Вы замещаете отсутствующего подписанта" in text(client.get("/"))
    from tests.factories import SIGNING_PIN

    done = client.post(f"/letters/{letter_id}/sign", data={
        "version": version, "pin": SIGNING_PIN, "acting_for": absent_id}, follow_redirects=True)
    assert done.status_code == 200 and "Письмо подписано и зарегистрировано" in text(done)
    import json

    from workflow.models import Letter

    w.session.expire_all()
    signed = w.session.get(Letter, letter_id)
    data = json.loads(signed.final_data)
    assert data["signatory_position_lines"][0] == "И.о. заместителя министра"
    assert data["signatory_name"] == "Е.С. Орлова" and signed.pdf_sha256


def test_the_substitutes_queue_lists_the_absent_reviewers_programmes(client, world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW, title="Программа отсутствующего")
    absences.declare_absence(w.session, w.reviewer, w.reviewer, substitute=w.other_reviewer,
                             starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 9), now=w.clock())
    w.session.commit()
    assert p.id
    w.session.rollback()
    sign_in(client, "reviewer2")
    assert "Программа отсутствующего" in text(client.get("/review/?tab=mine"))
