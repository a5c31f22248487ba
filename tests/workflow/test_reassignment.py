"""Reassigning a review: who may, to whom, what it writes, and refusals that write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import add_external_remark, programme_in
from tests.workflow.support import snapshot
from workflow import operations, reassignment, review
from workflow.errors import (
    IllegalTransition,
    IneligibleAssignee,
    InvalidInput,
    NotAssignedReviewer,
    PermissionDenied,
)
from workflow.models import Notification
from workflow.states import ProgrammeState, Verdict


def test_the_admin_reassigns_and_both_reviewers_are_told(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    before = snapshot(w.session, p.id)
    event = reassignment.reassign_review(w.session, p, w.admin, w.other_reviewer,
                                         now=w.clock.tick(), reason="Эксперт в командировке")
    after = snapshot(w.session, p.id)
    assert after.reviewer_id == w.other_reviewer.id
    assert (after.state, after.version, after.events) == (
        "in_review", before.version + 1, before.events + 1)
    assert (event.trigger, event.from_state, event.to_state) == ("reassign", "in_review",
                                                                  "in_review")
    assert "Эксперт в командировке" in event.reason
    assert w.other_reviewer.full_name in event.reason
    told = {n.recipient_id for n in w.session.scalars(
        select(Notification).where(Notification.kind == "programme.reassigned"))}
    assert told == {w.reviewer.id, w.other_reviewer.id}
    # The new reviewer works on it; the old one no longer can.
    review.assess_requirement(w.session, p, w.other_reviewer,
                              requirement_id=w.campaign.requirements[0].id,
                              verdict=Verdict.MET, now=w.clock.tick())
    with pytest.raises(NotAssignedReviewer):
        review.assess_requirement(w.session, p, w.reviewer,
                                  requirement_id=w.campaign.requirements[0].id,
                                  verdict=Verdict.MET, now=w.clock.tick())


def test_a_head_of_department_reassigns_a_submitted_programme_before_anyone_takes_it(world):
    w = world
    w.reviewer.heads_department = True
    p = programme_in(w, ProgrammeState.SUBMITTED)
    reassignment.reassign_review(w.session, p, w.reviewer, w.other_reviewer,
                                 now=w.clock.tick(), reason="По профилю отдела")
    assert p.state == "submitted" and p.reviewer_id == w.other_reviewer.id
    # Assigned beforehand: only that reviewer takes it.
    with pytest.raises(NotAssignedReviewer):
        operations.start_review(w.session, p, w.reviewer, now=w.clock.tick())
    operations.start_review(w.session, p, w.other_reviewer, now=w.clock.tick())
    assert p.reviewer_id == w.other_reviewer.id


def test_a_returned_programme_comes_back_to_the_new_reviewer(world):
    w = world
    p = programme_in(w, ProgrammeState.RETURNED)
    reassignment.reassign_review(w.session, p, w.admin, w.other_reviewer,
                                 now=w.clock.tick(), reason="Отпуск эксперта")
    from workflow.models import Remark

    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id)):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено",
                             now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    assert (p.state, p.reviewer_id) == ("in_review", w.other_reviewer.id)


@pytest.mark.parametrize("case", ["inactive", "wrong_role", "same", "none"])
def test_reassigning_to_someone_who_cannot_act_writes_nothing(world, case):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    target = {"inactive": w.other_reviewer, "wrong_role": w.signatory, "same": w.reviewer,
              "none": None}[case]
    if case == "inactive":
        w.other_reviewer.active = False
    w.session.flush()
    before = snapshot(w.session, p.id)
    with pytest.raises(IneligibleAssignee) as caught:
        reassignment.reassign_review(w.session, p, w.admin, target, now=w.clock.tick(),
                                     reason="Причина")
    assert caught.value.code == "ineligible_assignee" and caught.value.message
    assert snapshot(w.session, p.id) == before


@pytest.mark.parametrize("case", ["plain_reviewer", "editor", "no_reason", "approved"])
def test_other_refusals_write_nothing(world, case):
    w = world
    p = programme_in(w, ProgrammeState.APPROVED if case == "approved" else
                     ProgrammeState.IN_REVIEW)
    if case != "approved":
        add_external_remark(w, p)
    actor = {"plain_reviewer": w.other_reviewer, "editor": w.editor}.get(case, w.admin)
    reason = "" if case == "no_reason" else "Причина"
    before = snapshot(w.session, p.id)
    expected = {"plain_reviewer": PermissionDenied, "editor": PermissionDenied,
                "no_reason": InvalidInput, "approved": IllegalTransition}[case]
    with pytest.raises(expected):
        reassignment.reassign_review(w.session, p, actor, w.other_reviewer, now=w.clock.tick(),
                                     reason=reason)
    assert snapshot(w.session, p.id) == before
