"""A hand-counted campaign for the status tests, brought about through the real operations,
and a bulk loader of thousands of municipalities for query counts and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from tests.factories import SIGNING_PIN, TEST_SEALER, World, decision_letter
from workflow import letter_registration, operations, programme_drafting, review
from workflow.models import Municipality, Programme, WorkflowEvent
from workflow.states import RemarkVisibility, Verdict


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Scenario:
    p1: Programme  # artem: approved, review 2.5 days
    p2: Programme  # artem: returned once, one open external remark
    p3: Programme  # khasan: submitted 01.06 14:30 UTC = 02.06 00:30 in Vladivostok: late
    p4: Programme  # khasan: a draft never sent
    nadezhdinsky: Municipality  # no programme: "не начата"


def _create(w: World, editor, title: str, when: datetime) -> Programme:
    sections = {r.id: f"Текст раздела {r.position} программы «{title}»" for r in w.campaign.requirements}
    return programme_drafting.create_programme(
        w.session, w.campaign, editor,
        programme_drafting.DraftFields(title=title, period_from=2026, period_to=2028),
        now=when, sections=sections)


def build_scenario(w: World) -> Scenario:
    s = w.session
    req = w.campaign.requirements
    nadezhdinsky = Municipality(code="nadezhdinsky", name="Надеждинский муниципальный округ")
    s.add(nadezhdinsky)
    s.flush()

    p1 = _create(w, w.editor, "Программа один", at(3, 1))
    operations.submit_programme(s, p1, w.editor, now=at(3, 10))
    operations.start_review(s, p1, w.reviewer, now=at(3, 11))
    for r in req:
        review.assess_requirement(s, p1, w.reviewer, requirement_id=r.id, verdict=Verdict.MET,
                                  now=at(3, 11, 1))
    operations.approve_programme(s, p1, w.reviewer, now=at(3, 12, 11, 59))
    # The decisions take effect when their letters are signed (the standard route).
    letter_registration.sign_letter(s, decision_letter(w, p1), w.signatory, now=at(3, 12, 12),
                                    pin=SIGNING_PIN, sealer=TEST_SEALER)

    p2 = _create(w, w.editor, "Программа два", at(3, 2))
    operations.submit_programme(s, p2, w.editor, now=at(3, 20))
    operations.start_review(s, p2, w.reviewer, now=at(3, 21))
    review.assess_requirement(s, p2, w.reviewer, requirement_id=req[0].id, verdict=Verdict.NOT_MET,
                              now=at(3, 21, 1))
    review.assess_requirement(s, p2, w.reviewer, requirement_id=req[1].id, verdict=Verdict.PARTLY,
                              now=at(3, 21, 2))
    review.add_remark(s, p2, w.reviewer, requirement_id=req[0].id,
                      body="Уточните целевые показатели программы", visibility=RemarkVisibility.EXTERNAL,
                      now=at(3, 21, 3))
    operations.return_for_revision(s, p2, w.reviewer, now=at(3, 22), reason="Доработать")
    letter_registration.sign_letter(s, decision_letter(w, p2), w.signatory, now=at(3, 22, 0, 1),
                                    pin=SIGNING_PIN, sealer=TEST_SEALER)

    p3 = _create(w, w.foreign_editor, "Программа три", at(5, 1))
    operations.submit_programme(s, p3, w.foreign_editor, now=at(6, 1, 14, 30))
    p4 = _create(w, w.foreign_editor, "Черновик Хасана", at(5, 1, 1))
    s.commit()
    return Scenario(p1, p2, p3, p4, nadezhdinsky)


STATES = ("draft", "submitted", "in_review", "returned", "approved")


def bulk_campaign(session, w: World, municipalities: int) -> None:
    """`municipalities` more municipalities; five of every six get a programme, one in each
    state (with a submission and, where it applies, a decision in the history), the sixth none.
    Inserted directly: the operations would take minutes for thousands of rows."""
    start = at(3, 1)
    session.execute(insert(Municipality), [
        {"code": f"bulk{i:05d}", "name": f"Муниципальный округ № {i:05d}"}
        for i in range(municipalities)])
    ids = dict(session.execute(select(Municipality.code, Municipality.id)
                               .where(Municipality.code.like("bulk%"))).all())
    programmes = []
    for i in range(municipalities):
        if i % 6 == 5:
            continue
        state = STATES[i % 6]
        programmes.append({
            "campaign_id": w.campaign.id, "municipality_id": ids[f"bulk{i:05d}"],
            "title": f"Программа округа № {i:05d}", "period_from": 2026, "period_to": 2028,
            "state": state, "version": 1, "revision_number": 0 if state == "draft" else 1,
            "reviewer_id": w.reviewer.id if state in ("in_review", "approved", "returned") else None,
            "created_by_id": w.editor.id, "created_at": start, "updated_at": start,
        })
    session.execute(insert(Programme), programmes)
    rows = session.execute(select(Programme.id, Programme.state)
                           .where(Programme.title.like("Программа округа%"))).all()
    events = []
    for n, (pid, state) in enumerate(rows):
        if state == "draft":
            continue
        submitted = start + timedelta(days=1 + n % 60, hours=n % 24)
        chain = [("submit", "draft", "submitted", submitted)]
        if state != "submitted":
            chain.append(("start_review", "submitted", "in_review", submitted + timedelta(days=1)))
        if state in ("returned", "approved"):
            to = "returned" if state == "returned" else "approved"
            trigger = "return_for_revision" if to == "returned" else "approve"
            chain.append((trigger, "in_review", to, submitted + timedelta(days=2 + n % 9)))
        for seq, (trigger, frm, to, when) in enumerate(chain, 1):
            events.append({"programme_id": pid, "seq": seq, "actor_id": w.reviewer.id, "at": when,
                           "trigger": trigger, "from_state": frm, "to_state": to, "reason": "",
                           "revision_number": 1, "prev_hash": "0" * 64, "hash": "0" * 64})
    if events:
        session.execute(insert(WorkflowEvent), events)
    session.commit()
