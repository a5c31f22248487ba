"""Every trigger x every programme state x every kind of actor, against the DESIGN.md table.

The expected outcome is computed from the table written out below as data, not from
`workflow.machine`: if the machine drifts from the design, these tests say where.

The world is built once per module (per database) and every case runs in its own
transaction that is rolled back, so the cases are independent and fast.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import FakeClock, wipe
from tests.factories import add_external_remark, assess_all, build_world, programme_in
from tests.workflow.support import events_of, snapshot
from workflow import operations, review
from workflow.db import make_session_factory
from workflow.errors import (
    ForeignMunicipality,
    IllegalTransition,
    NotAssignedReviewer,
    PermissionDenied,
)
from workflow.machine import TRIGGERS
from workflow.models import Decision, Letter, Programme, Remark, Revision, User
from workflow.states import LetterKind, LetterState, ProgrammeState

# ------------------------------------------------------------------ the DESIGN.md table

EDITOR, REVIEWER, ASSIGNED = "municipal editor", "reviewer", "assigned reviewer"
# Fired by the route engine only (a signed decision letter, a refusal back to the expert).
SYSTEM = "system"

# trigger: (from states, to state, who may fire it, whether the caller must give a reason)
DESIGN_TABLE = {
    "submit": ({"draft"}, "submitted", EDITOR, False),
    "withdraw": ({"draft", "submitted"}, "withdrawn", EDITOR, True),
    "start_review": ({"submitted"}, "in_review", REVIEWER, False),
    # A proposal: the decision takes effect when its letter is signed.
    "return_for_revision": ({"in_review"}, "decision_pending", ASSIGNED, True),
    "resubmit": ({"returned"}, "submitted", EDITOR, False),
    "approve": ({"in_review"}, "decision_pending", ASSIGNED, False),
    "decision_signed_approval": ({"decision_pending"}, "approved", SYSTEM, False),
    "decision_signed_return": ({"decision_pending"}, "returned", SYSTEM, False),
    "decision_refused": ({"decision_pending"}, "in_review", SYSTEM, False),
}

STATES = ("draft", "submitted", "in_review", "decision_pending", "returned", "approved",
          "withdrawn")

# The actors, by what they are to the programme under test (always of the `own` municipality).
ACTOR_ROLE = {
    "editor": "municipal_editor",
    "foreign_editor": "municipal_editor",
    "reviewer": "reviewer",
    "other_reviewer": "reviewer",
    "signatory": "signatory",
    "admin": "admin",
}
ACTORS = tuple(ACTOR_ROLE)

# In the module world, `reviewer` took every programme that ever reached review; nobody is
# assigned to a programme that never got there.
ASSIGNED_IN_STATES = {"in_review", "decision_pending", "returned", "approved"}

ALLOWED = "allowed"


def expected_outcome(trigger: str, state: str, actor: str):
    """ALLOWED, or the error class. Authorisation is checked before the state, so a refused
    actor learns nothing about where the programme is; a foreign editor learns nothing at all."""
    sources, _dest, who, _reason = DESIGN_TABLE[trigger]
    if actor == "foreign_editor":
        return ForeignMunicipality
    role = ACTOR_ROLE[actor]
    if who == SYSTEM:
        return PermissionDenied
    if who == EDITOR and role != "municipal_editor":
        return PermissionDenied
    if who in (REVIEWER, ASSIGNED) and role != "reviewer":
        return PermissionDenied
    if who == ASSIGNED and not (actor == "reviewer" and state in ASSIGNED_IN_STATES):
        return NotAssignedReviewer
    if state not in sources:
        return IllegalTransition
    return ALLOWED


CASES = [(t, s, a) for t in DESIGN_TABLE for s in STATES for a in ACTORS]


def test_the_table_covers_exactly_the_machines_triggers_and_states():
    assert set(TRIGGERS) == set(DESIGN_TABLE)
    assert {s.value for s in ProgrammeState} == set(STATES)


# ------------------------------------------------------------------ the module world


@pytest.fixture(scope="module")
def matrix(engine):
    """One programme per state, each with the guards of its outgoing transitions satisfied."""
    factory = make_session_factory(engine)
    session = factory()
    w = build_world(session, FakeClock())
    programmes = {}
    for state in ProgrammeState:
        programmes[state.value] = programme_in(w, state, title=f"Матрица {state.value}")
    # in_review, ready for approval: every requirement met, no remark.
    assess_all(w, programmes["in_review"])
    # in_review, ready for return: an open external remark (approval is blocked here).
    ret = programme_in(w, ProgrammeState.IN_REVIEW, title="Матрица in_review с замечанием")
    add_external_remark(w, ret)
    programmes["in_review/return"] = ret
    # returned, ready for resubmission: its remark answered.
    returned = programmes["returned"]
    for remark in session.scalars(select(Remark).where(Remark.programme_id == returned.id)):
        review.answer_remark(session, returned, remark, w.editor, body="Исправлено",
                             now=w.clock.tick())
    session.commit()
    signed = session.scalar(select(func.count(Letter.id)).where(Letter.state != LetterState.DRAFT))
    ids = {
        "signed_letters": signed,
        "programmes": {key: p.id for key, p in programmes.items()},
        "users": {name: u.id for name, u in w.users_by_role().items()},
        "clock": w.clock,
        "factory": factory,
    }
    session.close()
    yield ids
    wipe(engine)


def _programme_key(trigger: str, state: str) -> str:
    if state == "in_review" and trigger == "return_for_revision":
        return "in_review/return"
    return state


def _fire(session, programme, trigger, actor, now):
    reason = "Причина указана" if DESIGN_TABLE[trigger][3] else ""
    return operations.fire(session, programme, trigger, actor, now=now, reason=reason,
                           expected_version=programme.version)


@pytest.mark.parametrize(("trigger", "state", "actor_name"), CASES)
def test_transition_matrix(matrix, trigger, state, actor_name):
    session = matrix["factory"]()
    try:
        programme = session.get(Programme, matrix["programmes"][_programme_key(trigger, state)])
        actor = session.get(User, matrix["users"][actor_name])
        assert programme.state == state
        before = snapshot(session, programme.id)
        expected = expected_outcome(trigger, state, actor_name)
        now = matrix["clock"].tick()

        if expected is ALLOWED:
            event = _fire(session, programme, trigger, actor, now)
            dest = DESIGN_TABLE[trigger][1]
            after = snapshot(session, programme.id)
            assert programme.state == dest
            assert after.state == dest
            assert after.version == before.version + 1
            assert after.events == before.events + 1
            assert (event.trigger, event.from_state, event.to_state, event.actor_id) == (
                trigger, state, dest, actor.id)
            freezes = trigger in ("submit", "resubmit")
            assert after.revisions == before.revisions + (1 if freezes else 0)
            drafts_letter = trigger in ("approve", "return_for_revision")
            assert after.letters == before.letters + (1 if drafts_letter else 0)
            if trigger == "start_review":
                assert after.reviewer_id == actor.id
        else:
            with pytest.raises(expected) as caught:
                _fire(session, programme, trigger, actor, now)
            assert type(caught.value) is expected, caught.value
            # Nothing written, as seen inside the very transaction that tried.
            assert snapshot(session, programme.id) == before
            assert programme.state == state
    finally:
        session.rollback()
        session.close()


def test_the_matrix_cases_left_the_world_untouched(matrix):
    """Every case rolled back: the module world is still exactly as built."""
    session = matrix["factory"]()
    try:
        for key, pid in matrix["programmes"].items():
            assert session.get(Programme, pid).state == key.split("/")[0]
        # Only the decision letters signed while building the world (returned, approved).
        assert session.scalar(
            select(func.count(Letter.id)).where(Letter.state != LetterState.DRAFT)
        ) == matrix["signed_letters"] == 2
    finally:
        session.rollback()
        session.close()


# ------------------------------------------------------------------ available_actions


AVAILABLE_CASES = [(s, a) for s in STATES for a in ACTORS]


@pytest.mark.parametrize(("state", "actor_name"), AVAILABLE_CASES)
def test_available_actions_are_exactly_the_allowed_triggers(matrix, state, actor_name):
    session = matrix["factory"]()
    try:
        programme = session.get(Programme, matrix["programmes"][state])
        actor = session.get(User, matrix["users"][actor_name])
        options = operations.available_actions(session, programme, actor)
        allowed = [t for t in DESIGN_TABLE if expected_outcome(t, state, actor_name) is ALLOWED]
        assert [o.trigger for o in options] == allowed
    finally:
        session.rollback()
        session.close()


def test_available_actions_on_a_ready_programme_are_enabled(matrix):
    session = matrix["factory"]()
    try:
        reviewer = session.get(User, matrix["users"]["reviewer"])
        editor = session.get(User, matrix["users"]["editor"])
        ready = session.get(Programme, matrix["programmes"]["in_review"])
        options = {o.trigger: o for o in operations.available_actions(session, ready, reviewer)}
        assert options["approve"].enabled
        # No open external remark: return is offered but blocked, with the reason.
        assert options["return_for_revision"].blocked_by == (
            "Для возврата на доработку нужно хотя бы одно открытое замечание для муниципалитета",
        )
        assert options["return_for_revision"].needs_reason and options["return_for_revision"].danger

        with_remark = session.get(Programme, matrix["programmes"]["in_review/return"])
        options = {o.trigger: o for o in operations.available_actions(session, with_remark, reviewer)}
        assert options["return_for_revision"].enabled
        assert options["approve"].blocked_by == (
            "Не все требования оценены как «Выполнено»: требования № 1, 2, 3",
            "Есть неснятые замечания (1): снимите их перед согласованием",
        )

        draft = session.get(Programme, matrix["programmes"]["draft"])
        options = {o.trigger: o for o in operations.available_actions(session, draft, editor)}
        # The reason is the caller's input: it does not block the button.
        assert options["withdraw"].enabled and options["withdraw"].needs_reason
        assert options["submit"].enabled
    finally:
        session.rollback()
        session.close()


def test_allowed_transitions_leave_a_frozen_revision_or_a_decision_letter(matrix):
    """Spot-check the effects of the allowed cases beyond the counts."""
    session = matrix["factory"]()
    try:
        reviewer = session.get(User, matrix["users"]["reviewer"])
        programme = session.get(Programme, matrix["programmes"]["in_review"])
        operations.approve_programme(session, programme, reviewer, now=matrix["clock"].tick())
        letter = session.scalars(select(Letter).where(Letter.programme_id == programme.id)).one()
        assert (letter.kind, letter.state) == (LetterKind.APPROVAL, LetterState.DRAFT)
        assert events_of(session, programme.id)[-1].trigger == "approve"
        # A proposal: the decision waits for the letter's signature on the programme's route.
        assert programme.state == ProgrammeState.DECISION_PENDING
        decision = session.scalars(select(Decision).where(
            Decision.programme_id == programme.id)).one()
        assert (decision.letter_id, decision.state, decision.kind) == (letter.id, "active", "approve")
        assert decision.route_version_id == programme.route_version_id is not None

        draft = session.get(Programme, matrix["programmes"]["draft"])
        editor = session.get(User, matrix["users"]["editor"])
        operations.submit_programme(session, draft, editor, now=matrix["clock"].tick())
        revision = session.scalars(select(Revision).where(Revision.programme_id == draft.id)).one()
        assert revision.number == 1 == draft.revision_number
    finally:
        session.rollback()
        session.close()
