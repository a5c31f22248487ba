"""The route engine: each stage kind x mode x decision x refusal target, the decision taking
effect only with its signed letter, the typed refusals of bad input (nothing written)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.factories import (
    PASSWORD,
    SIGNING_PIN,
    TEST_SEALER,
    TOTP_SECRET,
    add_external_remark,
    assess_all,
    give_certificate,
    programme_in,
    sign,
)
from tests.workflow.support import snapshot
from workflow import letter_drafting, letter_registration, operations, routes, second_factor
from workflow.errors import (
    DecisionNotActive,
    IllegalTransition,
    InvalidInput,
    LetterError,
    PermissionDenied,
    StaleTask,
    TaskClosed,
    TaskNotYours,
)
from workflow.models import Decision, Letter, Notification, StageTask, User
from workflow.routes import StageSpec
from workflow.states import (
    DecisionState,
    LetterKind,
    LetterState,
    ProgrammeState,
    Role,
    TaskState,
)
from workflow.users import create_user


@dataclass
class Cast:
    heads: list[User]  # four department heads (reviewer role)
    deputy: User  # a second signatory, with a certificate of their own


def _user(w, login, role, name, position):
    return create_user(w.session, login=login, full_name=name, role=role, password=PASSWORD,
                       now=w.clock(), position=position, phone="1", enforce_policy=False)


@pytest.fixture
def cast(world) -> Cast:
    w = world
    heads = [_user(w, f"head{i}", Role.REVIEWER, f"Начальников{i} Отдел Иванович",
                   f"Начальник отдела № {i}") for i in range(4)]
    deputy = _user(w, "deputy", Role.SIGNATORY, "Заместителев Пётр Петрович",
                   "Заместитель министра")
    give_certificate(w.session, deputy, now=w.clock())
    second_factor.enrol_with_secret(w.session, deputy, TOTP_SECRET, now=w.clock())
    return Cast(heads, deputy)


def _route(w, stages, code="r"):
    route = routes.create_route(w.session, w.admin, code=code, title=f"Маршрут {code}",
                                stages=stages, now=w.clock.tick())
    routes.set_campaign_route(w.session, w.campaign, route, w.admin)
    return route


REVIEW = StageSpec("Экспертиза", "review", "programme_reviewer", on_refusal="municipality")


def SIGN(on_refusal="reviewer", users=None):  # noqa: N802 - reads as a constant in routes
    if users:
        return StageSpec("Подпись", "sign", "users", user_ids=users, on_refusal=on_refusal)
    return StageSpec("Подпись", "sign", "role", role="signatory", on_refusal=on_refusal)


def _propose(w, kind="approve", title="Программа"):
    p = programme_in(w, ProgrammeState.IN_REVIEW, title=title)
    if kind == "approve":
        assess_all(w, p)
        operations.approve_programme(w.session, p, w.reviewer, now=w.clock.tick())
    else:
        add_external_remark(w, p)
        operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                       reason="Доработать")
    assert p.state == ProgrammeState.DECISION_PENDING
    return p


def _tasks(w, p, position=None, state=None):
    q = select(StageTask).join(Decision).where(Decision.programme_id == p.id)
    if position is not None:
        q = q.where(StageTask.stage_position == position)
    if state is not None:
        q = q.where(StageTask.state == state)
    return list(w.session.scalars(q.order_by(StageTask.id)))


def _task_of(w, p, user):
    (task,) = [t for t in _tasks(w, p, state="open") if t.assignee_id == user.id]
    return task


def _decide(w, p, user, decision, comment="Комментарий"):
    return routes.decide_task(w.session, _task_of(w, p, user).id, user, decision=decision,
                              comment=comment, now=w.clock.tick())


def _decision(w, p):
    return w.session.scalars(select(Decision).where(Decision.programme_id == p.id)
                             .order_by(Decision.id.desc())).first()


# ------------------------------------------------------------------ the engine matrix

MODES = {"any": (None, "any"), "all": (None, "all"), "quorum": (2, "quorum")}
RESULTS = ("approve", "approve_with_remarks", "reject")
TARGETS = ("previous", "reviewer", "municipality")


def _endorse_route(w, cast, mode, target):
    quorum, mode_value = MODES[mode]
    h0, h1, h2, h3 = cast.heads
    return _route(w, [
        REVIEW,
        StageSpec("Виза до", "endorse", "users", user_ids=[h0.id], mode="any"),
        StageSpec("Визы", "endorse", "users", user_ids=[h1.id, h2.id, h3.id], mode=mode_value,
                  quorum=quorum, on_refusal=target),
        SIGN(),
    ])


def _expect_refused(w, p, target, letter):
    decision = _decision(w, p)
    if target == "previous":
        # Back one stage on the same draft: the earlier visa is asked again.
        assert (decision.state, decision.current_stage) == ("active", 2)
        assert letter.state == LetterState.DRAFT and p.state == ProgrammeState.DECISION_PENDING
        assert len(_tasks(w, p, position=2, state="open")) == 1
    elif target == "reviewer":
        assert decision.state == DecisionState.REFUSED
        assert letter.state == LetterState.CANCELLED
        assert p.state == ProgrammeState.IN_REVIEW
    else:
        # An approval refused "to the municipality" becomes a return, at the signing stage.
        refused = w.session.get(Decision, decision.id - 1)
        assert refused.state == DecisionState.REFUSED and letter.state == LetterState.CANCELLED
        assert (decision.kind, decision.state, decision.current_stage) == ("return", "active", 4)
        new_letter = w.session.get(Letter, decision.letter_id)
        assert (new_letter.kind, new_letter.state) == (LetterKind.RETURN, LetterState.DRAFT)
        assert "Не согласен" in new_letter.body
        assert p.state == ProgrammeState.DECISION_PENDING
        sign(w, new_letter)
        assert p.state == ProgrammeState.RETURNED


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("result", RESULTS)
@pytest.mark.parametrize("mode", list(MODES))
def test_endorse_stage(world, cast, mode, result, target):
    w = world
    _h0, h1, h2, h3 = cast.heads
    _endorse_route(w, cast, mode, target)
    p = _propose(w)
    letter = w.session.get(Letter, _decision(w, p).letter_id)
    _decide(w, p, cast.heads[0], "approve")
    assert _decision(w, p).current_stage == 3
    assert {t.assignee_id for t in _tasks(w, p, 3, "open")} == {h1.id, h2.id, h3.id}

    comment = "Не согласен" if result == "reject" else "Учтите замечание"
    _decide(w, p, h1, result, comment=comment)
    approves = result != "reject"
    if mode == "any":
        outcome = "passed" if approves else "refused"
    elif mode == "all":
        if approves:
            assert _decision(w, p).current_stage == 3
            _decide(w, p, h2, "approve")
            assert _decision(w, p).current_stage == 3  # one still to decide
            _decide(w, p, h3, "approve")
            outcome = "passed"
        else:
            outcome = "refused"
    else:  # quorum 2 of 3
        assert _decision(w, p).current_stage == 3  # one vote is not two
        if approves:
            _decide(w, p, h2, "approve")
            outcome = "passed"
        else:
            _decide(w, p, h2, "reject", comment="Не согласен")
            outcome = "refused"  # two of three against: two approvals can no longer come

    if outcome == "passed":
        decision = _decision(w, p)
        assert (decision.state, decision.current_stage) == ("active", 4)
        assert not [t for t in _tasks(w, p, 3) if t.state == TaskState.OPEN]
        sign(w, letter)
        assert p.state == ProgrammeState.APPROVED and letter.state == LetterState.SIGNED
        assert _decision(w, p).state == DecisionState.SIGNED
    else:
        assert not [t for t in _tasks(w, p, 3) if t.state == TaskState.OPEN]
        _expect_refused(w, p, target, letter)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("result", RESULTS)
@pytest.mark.parametrize("kind", ["approve", "return"])
def test_sign_stage(world, cast, kind, result, target):
    """The signing stage ends only with the signature; a refusal to sign goes as the route
    says (`previous` from signing lands on the review stage: back to the expert)."""
    w = world
    _route(w, [REVIEW, SIGN(on_refusal=target, users=[w.signatory.id, cast.deputy.id])])
    p = _propose(w, kind)
    decision = _decision(w, p)
    letter = w.session.get(Letter, decision.letter_id)
    task = _task_of(w, p, cast.deputy)
    if result != "reject":
        before = snapshot(w.session, p.id)
        with pytest.raises(IllegalTransition, match="подписью письма"):
            routes.decide_task(w.session, task.id, cast.deputy, decision=result, comment="Да",
                               now=w.clock.tick())
        assert snapshot(w.session, p.id) == before
        letter_registration.sign_letter(w.session, letter, cast.deputy, now=w.clock.tick(), pin=SIGNING_PIN,
                                        sealer=TEST_SEALER)
        assert p.state == (ProgrammeState.APPROVED if kind == "approve" else ProgrammeState.RETURNED)
        w.session.refresh(task)
        assert (task.state, task.decided_by_id) == ("done", cast.deputy.id)
        # The other signatory's task is withdrawn.
        assert _task_of_state(w, p, w.signatory) == TaskState.CANCELLED
        return
    routes.decide_task(w.session, task.id, cast.deputy, decision="reject", comment="Не согласен",
                       now=w.clock.tick())
    if target == "municipality" and kind == "approve":
        new = _decision(w, p)
        assert (new.kind, new.state, new.current_stage) == ("return", "active", 2)
        assert letter.state == LetterState.CANCELLED
        assert p.state == ProgrammeState.DECISION_PENDING
        sign(w, w.session.get(Letter, new.letter_id))
        assert p.state == ProgrammeState.RETURNED
    else:
        assert _decision(w, p).state == DecisionState.REFUSED
        assert letter.state == LetterState.CANCELLED
        assert p.state == ProgrammeState.IN_REVIEW
    with pytest.raises(IllegalTransition, match="аннулирован"):
        sign(w, letter)


def _task_of_state(w, p, user):
    (task,) = [t for t in _tasks(w, p) if t.assignee_id == user.id]
    return task.state


def test_the_review_stage_is_the_proposal_itself(world, cast):
    w = world
    _route(w, [REVIEW, SIGN()])
    p = _propose(w)
    (review_task,) = _tasks(w, p, position=1)
    assert (review_task.state, review_task.result, review_task.decided_by_id) == (
        "done", "approve", w.reviewer.id)
    assert p.route_version_id == _decision(w, p).route_version_id


# ------------------------------------------------------------------ quorum arithmetic


@pytest.mark.parametrize(("mode", "quorum", "results", "expected"), [
    ("any", None, ["approve", None, None], "passed"),
    ("any", None, ["reject", None, None], "refused"),
    ("any", None, [None, "approve_with_remarks"], "passed"),
    ("all", None, ["approve", None], None),
    ("all", None, ["approve", "approve_with_remarks"], "passed"),
    ("all", None, ["approve", "reject", None], "refused"),
    ("quorum", 2, ["approve", None, None], None),
    ("quorum", 2, ["approve", "approve", None], "passed"),
    ("quorum", 2, ["reject", None, None], None),
    ("quorum", 2, ["reject", "reject", None], "refused"),
    ("quorum", 2, ["reject", "approve", None], None),
    ("quorum", 2, ["reject", "approve", "approve"], "passed"),
    ("quorum", 3, ["approve", "approve", "reject"], "refused"),
    ("quorum", 1, ["reject", None], None),
    ("quorum", 1, ["reject", "reject"], "refused"),
    ("quorum", 4, ["approve"] * 3 + [None], None),
    ("quorum", 4, ["approve"] * 4, "passed"),
])
def test_quorum_arithmetic(mode, quorum, results, expected):
    assert routes.quorum_outcome(mode, quorum, results) == expected


# ------------------------------------------------------------------ bad input, nothing written


def test_deciding_a_task_that_is_not_yours_twice_or_without_a_comment(world, cast):
    w = world
    h0, h1, h2, _ = cast.heads
    _route(w, [REVIEW, StageSpec("Визы", "endorse", "users", user_ids=[h0.id, h1.id], mode="all"),
               SIGN()])
    p = _propose(w)
    task = _task_of(w, p, h0)
    before = snapshot(w.session, p.id)
    with pytest.raises(TaskNotYours):
        routes.decide_task(w.session, task.id, h2, decision="approve", now=w.clock.tick())
    for result in ("approve_with_remarks", "reject"):
        with pytest.raises(InvalidInput, match="комментарий"):
            routes.decide_task(w.session, task.id, h0, decision=result, comment="  ",
                               now=w.clock.tick())
    with pytest.raises(InvalidInput):
        routes.decide_task(w.session, task.id, h0, decision="maybe", now=w.clock.tick())
    with pytest.raises(StaleTask):
        routes.decide_task(w.session, task.id, h0, decision="approve", now=w.clock.tick(),
                           expected_version=task.version + 1)
    assert snapshot(w.session, p.id) == before
    routes.decide_task(w.session, task.id, h0, decision="approve_with_remarks",
                       comment="С замечанием", now=w.clock.tick(), expected_version=task.version)
    after = snapshot(w.session, p.id)
    with pytest.raises(TaskClosed):
        routes.decide_task(w.session, task.id, h0, decision="approve", now=w.clock.tick())
    assert snapshot(w.session, p.id) == after


def test_a_task_of_a_decision_that_no_longer_applies_is_refused(world, cast):
    w = world
    h0, h1, *_ = cast.heads
    _route(w, [REVIEW, StageSpec("Визы", "endorse", "users", user_ids=[h0.id, h1.id], mode="all",
                                 on_refusal="reviewer"), SIGN()])
    p = _propose(w)
    stale = _task_of(w, p, h1)
    _decide(w, p, h0, "reject", comment="Нет")
    # h1's task was withdrawn with the refusal.
    with pytest.raises((TaskClosed, DecisionNotActive)):
        routes.decide_task(w.session, stale.id, h1, decision="approve", now=w.clock.tick())


def test_signing_before_the_visas_or_by_someone_not_on_the_stage_is_refused(world, cast):
    w = world
    h0 = cast.heads[0]
    _route(w, [REVIEW, StageSpec("Виза", "endorse", "users", user_ids=[h0.id]),
               SIGN(users=[cast.deputy.id])])
    p = _propose(w)
    letter = w.session.get(Letter, _decision(w, p).letter_id)
    with pytest.raises(LetterError, match="после всех виз"):
        sign(w, letter)
    assert letter.state == LetterState.DRAFT and letter.number is None
    _decide(w, p, h0, "approve")
    with pytest.raises(PermissionDenied, match="не назначены"):
        sign(w, letter)  # the world's signatory is not this route's signatory
    assert letter.state == LetterState.DRAFT and p.state == ProgrammeState.DECISION_PENDING
    letter_registration.sign_letter(w.session, letter, cast.deputy, now=w.clock.tick(), pin=SIGNING_PIN,
                                    sealer=None)
    assert p.state == ProgrammeState.APPROVED


def test_a_draft_left_from_before_never_signs_for_a_later_decision(world, cast):
    """The bug found: a programme returned and then approved kept its return letter as a
    signable draft. Now the newer decision cancels every older decision draft."""
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    assess_all(w, p)
    # A return draft as the engine left them before routes (no decision row).
    old = letter_drafting.draft_decision_letter(w.session, p, w.reviewer, now=w.clock.tick(),
                                                reason="Доработать", kind=LetterKind.RETURN)
    with pytest.raises(LetterError, match="заменён"):
        sign(w, old)  # matches no decision: the programme is not returned
    operations.approve_programme(w.session, p, w.reviewer, now=w.clock.tick())
    assert old.state == LetterState.CANCELLED
    with pytest.raises(IllegalTransition, match="аннулирован"):
        sign(w, old)
    sign(w, w.session.get(Letter, _decision(w, p).letter_id))
    assert p.state == ProgrammeState.APPROVED


def test_reassign_an_open_task(world, cast):
    w = world
    h0, h1, h2, _ = cast.heads
    _route(w, [REVIEW, StageSpec("Виза", "endorse", "users", user_ids=[h0.id]), SIGN()])
    p = _propose(w)
    task = _task_of(w, p, h0)
    with pytest.raises(PermissionDenied):
        routes.reassign_task(w.session, task, h1, h2, reason="Отпуск", now=w.clock.tick())
    with pytest.raises(InvalidInput):
        routes.reassign_task(w.session, task, w.admin, w.editor, reason="Отпуск", now=w.clock.tick())
    with pytest.raises(InvalidInput, match="причину"):
        routes.reassign_task(w.session, task, w.admin, h1, reason=" ", now=w.clock.tick())
    new = routes.reassign_task(w.session, task, w.admin, h1, reason="Отпуск", now=w.clock.tick())
    assert task.state == TaskState.CANCELLED and new.assignee_id == h1.id and new.note == "Отпуск"
    notes = w.session.scalars(select(Notification.recipient_id).where(
        Notification.kind.in_(["route_task", "route_reassigned"]))).all()
    assert h0.id in notes and notes.count(h1.id) == 1
    with pytest.raises(TaskClosed):  # the task given away is closed for its old assignee
        routes.decide_task(w.session, task.id, h0, decision="approve", now=w.clock.tick())
    with pytest.raises(TaskNotYours):
        routes.decide_task(w.session, new.id, h0, decision="approve", now=w.clock.tick())
    routes.decide_task(w.session, new.id, h1, decision="approve", now=w.clock.tick())
    assert _decision(w, p).current_stage == 3


def test_open_tasks_and_notifications(world, cast):
    w = world
    h0, h1, *_ = cast.heads
    _route(w, [REVIEW, StageSpec("Визы", "endorse", "users", user_ids=[h0.id, h1.id], mode="all",
                                 limit_days=2), SIGN()])
    p = _propose(w)
    (mine,) = routes.open_tasks_for(w.session, h0, w.clock())
    assert (mine.programme_id, mine.stage_name, mine.stage_kind, mine.on_behalf_of) == (
        p.id, "Визы", "endorse", None)
    assert mine.due_on > w.clock().date()
    assert routes.open_tasks_for(w.session, cast.heads[2], w.clock()) == []
    assert w.session.scalar(select(Notification.id).where(
        Notification.recipient_id == h0.id, Notification.kind == "route_task")) is not None


def test_the_approval_sheet_lists_each_visa(world, cast):
    w = world
    h0, h1, *_ = cast.heads
    _route(w, [REVIEW, StageSpec("Визы", "endorse", "users", user_ids=[h0.id, h1.id], mode="all"),
               SIGN()])
    p = _propose(w)
    _decide(w, p, h0, "approve", comment="")
    _decide(w, p, h1, "approve_with_remarks", comment="Уточнить сроки")
    letter = w.session.get(Letter, _decision(w, p).letter_id)
    sign(w, letter)
    sheet = routes.approval_sheet(w.session, letter)
    assert sheet.letter_number == letter.number and sheet.programme_title == p.title
    assert [(v.stage_name, v.result_label, v.comment) for v in sheet.visas] == [
        ("Экспертиза", "Согласовано", ""), ("Визы", "Согласовано", ""),
        ("Визы", "Согласовано с замечаниями", "Уточнить сроки")]
    assert sheet.visas[1].position == "Начальник отдела № 0"


def test_municipality_sees_a_pending_decision_as_under_review(world):
    from workflow.states import programme_state_label, programme_state_label_for

    assert programme_state_label("decision_pending") == "На согласовании решения"
    assert programme_state_label("decision_pending", municipal=True) == "На рассмотрении"
    assert programme_state_label_for("decision_pending", world.editor) == "На рассмотрении"
    assert programme_state_label_for("decision_pending", world.reviewer) == "На согласовании решения"
