"""Absences and substitutes: declaring, the refusals (nothing written), principals in the
organisation's calendar, and a substitute acting for an absent reviewer with "за кого"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import add_external_remark, give_certificate, programme_in
from workflow import absences, operations, review, substitution
from workflow.errors import InvalidInput, NotAssignedReviewer, PermissionDenied
from workflow.models import Absence, Assessment, Remark, WorkflowEvent
from workflow.states import ProgrammeState, Role, Verdict
from workflow.users import create_user

TODAY = date(2026, 3, 2)  # the test clock's date in Vladivostok


def _count(session):
    return session.scalar(select(func.count()).select_from(Absence))


def _declare(w, user, substitute, start=TODAY, end=TODAY + timedelta(days=6), actor=None):
    return absences.declare_absence(w.session, user, actor or user, substitute=substitute,
                                    starts_on=start, ends_on=end, now=w.clock(),
                                    reason="Отпуск")


def test_a_declared_absence_makes_the_substitute_act_for_the_absent(world):
    w = world
    assert substitution.principals(w.session, w.other_reviewer, w.clock()) == [w.other_reviewer.id]
    _declare(w, w.reviewer, w.other_reviewer)
    assert substitution.principals(w.session, w.other_reviewer, w.clock()) == [
        w.other_reviewer.id, w.reviewer.id]
    # The absent user does not act for the substitute.
    assert substitution.principals(w.session, w.reviewer, w.clock()) == [w.reviewer.id]


def test_dates_are_inclusive_and_read_in_the_organisations_zone(world):
    w = world
    _declare(w, w.reviewer, w.other_reviewer, start=date(2026, 3, 3), end=date(2026, 3, 4))
    # 13:59 UTC on 2 March is 23:59 in Vladivostok: not yet.
    assert w.reviewer.id not in substitution.principals(
        w.session, w.other_reviewer, datetime(2026, 3, 2, 13, 59, tzinfo=UTC))
    # 14:00 UTC on 2 March is midnight of the 3rd in Vladivostok: the absence has begun.
    assert w.reviewer.id in substitution.principals(
        w.session, w.other_reviewer, datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    # The last day counts whole.
    assert w.reviewer.id in substitution.principals(
        w.session, w.other_reviewer, datetime(2026, 3, 4, 13, 59, tzinfo=UTC))
    assert w.reviewer.id not in substitution.principals(
        w.session, w.other_reviewer, datetime(2026, 3, 4, 14, 0, tzinfo=UTC))


def test_a_cancelled_absence_ends_the_substitution(world):
    w = world
    absence = _declare(w, w.reviewer, w.other_reviewer)
    absences.cancel_absence(w.session, absence, w.admin, now=w.clock.tick())
    assert substitution.principals(w.session, w.other_reviewer, w.clock()) == [w.other_reviewer.id]


@pytest.mark.parametrize("case", [
    "overlap", "substitute_absent", "other_side", "other_role", "ends_before_starts",
    "inactive", "self", "signatory_without_certificate", "stranger_declares",
])
def test_a_refused_absence_writes_nothing(world, case):
    w = world
    if case in ("overlap", "substitute_absent"):
        third = create_user(w.session, login="reviewer3", full_name="Третьякова Анна Ивановна",
                            role=Role.REVIEWER, password="x" * 12, now=w.clock(),
                            enforce_policy=False)
        if case == "overlap":
            _declare(w, w.reviewer, third, start=TODAY + timedelta(days=3),
                     end=TODAY + timedelta(days=10))
        else:
            _declare(w, w.other_reviewer, third, start=TODAY + timedelta(days=5),
                     end=TODAY + timedelta(days=8))
    w.session.commit()
    before = _count(w.session)
    user, substitute, actor = w.reviewer, w.other_reviewer, None
    start, end = TODAY, TODAY + timedelta(days=6)
    expected = InvalidInput
    if case == "other_side":
        substitute = w.editor
    elif case == "other_role":
        substitute = w.admin
    elif case == "ends_before_starts":
        start, end = end, start
    elif case == "inactive":
        w.other_reviewer.active = False
    elif case == "self":
        substitute = w.reviewer
    elif case == "signatory_without_certificate":
        user, substitute = w.signatory, w.other_reviewer
    elif case == "stranger_declares":
        actor, expected = w.other_reviewer, PermissionDenied
    with pytest.raises(expected) as caught:
        _declare(w, user, substitute, start=start, end=end, actor=actor)
    assert caught.value.message  # a Russian reason
    assert _count(w.session) == before


def test_a_signatory_is_substituted_by_someone_able_to_sign(world):
    w = world
    deputy = create_user(w.session, login="deputy", full_name="Орлова Елена Сергеевна",
                         role=Role.SIGNATORY, password="x" * 12, now=w.clock(),
                         enforce_policy=False)
    give_certificate(w.session, deputy, now=w.clock())
    absence = _declare(w, w.signatory, deputy)
    assert absence.substitute_id == deputy.id


def test_a_head_of_department_declares_for_a_colleague(world):
    w = world
    w.other_reviewer.heads_department = True
    third = create_user(w.session, login="reviewer3", full_name="Третьякова Анна Ивановна",
                        role=Role.REVIEWER, password="x" * 12, now=w.clock(),
                        enforce_policy=False)
    absence = _declare(w, w.reviewer, third, actor=w.other_reviewer)
    assert absence.created_by_id == w.other_reviewer.id


def test_the_substitute_reviews_for_the_absent_reviewer_and_history_says_for_whom(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    # Before the absence, the other reviewer cannot touch it.
    with pytest.raises(NotAssignedReviewer):
        review.assess_requirement(w.session, p, w.other_reviewer,
                                  requirement_id=w.campaign.requirements[0].id,
                                  verdict=Verdict.MET, now=w.clock.tick())
    assert "return_for_revision" not in {
        o.trigger for o in operations.available_actions(w.session, p, w.other_reviewer, w.clock())}
    _declare(w, w.reviewer, w.other_reviewer)
    assessment = review.assess_requirement(
        w.session, p, w.other_reviewer, requirement_id=w.campaign.requirements[0].id,
        verdict=Verdict.PARTLY, now=w.clock.tick())
    assert (assessment.assessor_id, assessment.on_behalf_of_id) == (
        w.other_reviewer.id, w.reviewer.id)
    remark = review.add_remark(w.session, p, w.other_reviewer,
                               requirement_id=w.campaign.requirements[0].id, body="Уточните",
                               visibility="external", now=w.clock.tick())
    assert remark.on_behalf_of_id == w.reviewer.id
    assert "return_for_revision" in {
        o.trigger for o in operations.available_actions(w.session, p, w.other_reviewer, w.clock())}
    event = operations.return_for_revision(w.session, p, w.other_reviewer, now=w.clock.tick(),
                                           reason="Доработать")
    assert (event.actor_id, event.on_behalf_of_id) == (w.other_reviewer.id, w.reviewer.id)
    # The programme stays the absent reviewer's.
    assert p.reviewer_id == w.reviewer.id
    w.session.commit()


def test_the_reviewer_acting_for_themselves_records_no_principal(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    add_external_remark(w, p)
    event = operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                           reason="Доработать")
    assert event.on_behalf_of_id is None
    assert w.session.scalar(select(Remark.on_behalf_of_id)) is None
    assert w.session.scalar(select(func.count()).select_from(Assessment)) == 0
    assert w.session.scalar(select(func.count()).select_from(WorkflowEvent)
                            .where(WorkflowEvent.on_behalf_of_id.is_not(None))) == 0


def test_two_overlapping_absences_declared_at_once_one_counts(world, db_url):
    """Two processes declare the same reviewer's absence for the same week with different
    substitutes at the same moment: the account lock orders them, one is refused."""
    from tests.workflow.absence_workers import race_declare
    from tests.workflow.workers import run_in_processes

    w = world
    third = create_user(w.session, login="reviewer3", full_name="Третьякова Анна Ивановна",
                        role=Role.REVIEWER, password="x" * 12, now=w.clock(),
                        enforce_policy=False)
    w.session.commit()
    user_id, subs = w.reviewer.id, [w.other_reviewer.id, third.id]
    w.session.close()
    results = run_in_processes(race_declare, [(db_url, user_id, sub) for sub in subs])
    assert not [r for r in results if r[1] == "error"], results
    assert sorted(r[1] for r in results) == ["InvalidInput", "ok"], results
    assert "пересекается" in next(r[2] for r in results if r[1] == "InvalidInput")
    assert _count(w.session) == 1


def test_the_substitute_is_told_whom_they_replace_in_the_accusative(world):
    from workflow.models import Notification

    w = world
    w.reviewer.full_name = "Лебедева Анна Сергеевна"
    _declare(w, w.reviewer, w.other_reviewer)
    text = w.session.scalar(select(Notification.text).where(
        Notification.recipient_id == w.other_reviewer.id, Notification.kind == "absence.substitute"))
    assert text.startswith("Вы замещаете Лебедеву Анну Сергеевну с ")
