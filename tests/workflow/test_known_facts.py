"""The guards give the same answers from what a page has read (KnownFacts) as from their own
queries: the programme page lists its actions from the former."""

from sqlalchemy import select

from tests.factories import add_external_remark, programme_in
from workflow import review
from workflow.facts import KnownFacts, ProgrammeFacts
from workflow.models import Assessment, Remark
from workflow.states import ProgrammeState, RemarkVisibility, Verdict

FACTS = ("open_external_remarks", "unresolved_remarks", "requirements_not_met_positions")


def _answers(facts: ProgrammeFacts) -> dict:
    return {name: getattr(facts, name) for name in FACTS}


def test_known_remarks_and_assessments_give_the_queried_answers(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    first, second = w.campaign.requirements[:2]
    add_external_remark(w, p, "Открытое")
    answered = add_external_remark(w, p, "Будет снято")
    review.resolve_remark(w.session, p, answered, w.reviewer, now=w.clock.tick())
    review.add_remark(w.session, p, w.reviewer, requirement_id=second.id, body="Внутреннее",
                      visibility=RemarkVisibility.INTERNAL, now=w.clock.tick())
    review.assess_requirement(w.session, p, w.reviewer, requirement_id=first.id,
                              verdict=Verdict.MET, now=w.clock.tick())
    review.assess_requirement(w.session, p, w.reviewer, requirement_id=second.id,
                              verdict=Verdict.PARTLY, now=w.clock.tick())
    w.session.flush()

    queried = _answers(ProgrammeFacts(w.session, p))
    assert queried["open_external_remarks"] == 1
    assert queried["unresolved_remarks"] == 2
    assert first.position not in queried["requirements_not_met_positions"]
    assert second.position in queried["requirements_not_met_positions"]

    remarks = w.session.scalars(select(Remark).where(Remark.programme_id == p.id)).all()
    met = frozenset(a.requirement_id for a in w.session.scalars(
        select(Assessment).where(Assessment.programme_id == p.id)) if a.verdict == Verdict.MET)
    known = KnownFacts(remarks=remarks, all_remarks=True, met_requirement_ids=met)
    assert _answers(ProgrammeFacts(w.session, p, known=known)) == queried

    # A municipality's page has read only the external remarks: the count of open external
    # ones comes from them, the unresolved ones of any kind are still queried.
    external = [r for r in remarks if r.visibility == RemarkVisibility.EXTERNAL]
    municipal = ProgrammeFacts(w.session, p, known=KnownFacts(remarks=external))
    assert municipal.open_external_remarks == 1
    assert municipal.unresolved_remarks == 2
