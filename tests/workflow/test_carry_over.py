"""On resubmission unchanged sections keep their assessment; the programme goes straight back
to the reviewer who returned it."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import add_external_remark, programme_in, sign_decision
from workflow import operations, programme_drafting, review
from workflow.facts import ProgrammeFacts
from workflow.models import Assessment, Remark, Revision
from workflow.states import ProgrammeState, Verdict


def _assessments(session, programme, number):
    rev = session.scalar(select(Revision).where(Revision.programme_id == programme.id,
                                                Revision.number == number))
    return {a.requirement_id: a for a in session.scalars(
        select(Assessment).where(Assessment.revision_id == rev.id))}


def _return_with_assessments(w):
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    r1, r2, r3 = (r.id for r in w.campaign.requirements)
    review.assess_requirement(w.session, p, w.reviewer, requirement_id=r1, verdict=Verdict.MET,
                              comment="Хорошо", now=w.clock.tick())
    review.assess_requirement(w.session, p, w.reviewer, requirement_id=r2,
                              verdict=Verdict.PARTLY, now=w.clock.tick())
    review.assess_requirement(w.session, p, w.reviewer, requirement_id=r3, verdict=Verdict.MET,
                              now=w.clock.tick())
    add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                   reason="Доработать")
    sign_decision(w, p)  # the return takes effect when its letter is signed
    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id)):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено",
                             now=w.clock.tick())
    return p, (r1, r2, r3)


def test_unchanged_sections_keep_their_assessment_and_changed_ones_wait(world):
    w = world
    p, (r1, r2, r3) = _return_with_assessments(w)
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={r2: "Раздел 2 переписан по замечанию"})
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    assert (p.state, p.reviewer_id, p.revision_number) == ("in_review", w.reviewer.id, 2)
    carried = _assessments(w.session, p, 2)
    assert set(carried) == {r1, r3}
    assert carried[r1].verdict == Verdict.MET and carried[r1].comment == "Хорошо"
    assert carried[r1].carried_from_revision == 1
    # The changed section waits: approval is blocked on requirement 2 only.
    facts = ProgrammeFacts(w.session, p)
    assert facts.requirements_not_met_positions == [2]
    # The reviewer assesses it anew, without taking the programme again.
    fresh = review.assess_requirement(w.session, p, w.reviewer, requirement_id=r2,
                                      verdict=Verdict.MET, now=w.clock.tick())
    assert fresh.carried_from_revision is None
    review.resolve_remark(w.session, p, w.session.scalars(select(Remark)).first(), w.reviewer,
                          now=w.clock.tick())
    operations.approve_programme(w.session, p, w.reviewer, now=w.clock.tick())
    sign_decision(w, p)
    assert p.state == "approved"


def test_a_carry_over_names_the_revision_the_verdict_was_given_on(world):
    w = world
    p, (r1, r2, _r3) = _return_with_assessments(w)
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={r2: "Раздел 2 переписан"})
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    add_external_remark(w, p, "Ещё раз уточните")
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                   reason="Снова")
    sign_decision(w, p)  # the return takes effect when its letter is signed
    for remark in w.session.scalars(select(Remark).where(Remark.state == "open",
                                                         Remark.visibility == "external")):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено",
                             now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    third = _assessments(w.session, p, 3)
    assert third[r1].carried_from_revision == 1


def test_every_section_changed_means_nothing_is_carried(world):
    w = world
    p, ids = _return_with_assessments(w)
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={rid: f"Новый текст {rid}" for rid in ids})
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    assert _assessments(w.session, p, 2) == {}
    assert p.state == "in_review"
