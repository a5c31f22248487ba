"""Routes as versioned data: validation refusals, versions, the standard route, and the
races on an `any` stage and on signing versus a refusal (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    assess_all,
    give_certificate,
    programme_in,
    sign,
)
from tests.workflow.workers import decide_at_once, run_in_processes, sign_or_refuse
from workflow import operations, routes, second_factor
from workflow.errors import PermissionDenied, RouteInvalid
from workflow.models import (
    Decision,
    ImmutableRowError,
    Letter,
    Programme,
    Route,
    RouteVersion,
    StageTask,
)
from workflow.routes import StageSpec
from workflow.states import DecisionState, LetterState, ProgrammeState, Role, TaskState
from workflow.users import create_user

REVIEW = StageSpec("Экспертиза", "review", "programme_reviewer", on_refusal="municipality")
SIGN = StageSpec("Подпись", "sign", "role", role="signatory")


def _head(w, i, role=Role.REVIEWER):
    return create_user(w.session, login=f"head{i}", full_name=f"Начальников{i} Отдел Иванович",
                       role=role, password=PASSWORD, now=w.clock(), position=f"Начальник {i}",
                       phone="1", enforce_policy=False)


def _refused(w, stages) -> list[str]:
    with pytest.raises(RouteInvalid) as caught:
        routes.create_route(w.session, w.admin, code="bad", title="Плохой", stages=stages,
                            now=w.clock.tick())
    assert w.session.scalar(select(Route.id).where(Route.code == "bad")) is None
    return caught.value.reasons


def test_validation_refuses_a_route_that_cannot_run(world):
    w = world
    h = _head(w, 1)
    off = _head(w, 2)
    off.active = False
    assert _refused(w, [REVIEW]) == ["Маршрут должен заканчиваться этапом подписания"]
    assert _refused(w, []) == ["В маршруте нет ни одного этапа"]
    assert _refused(w, [REVIEW, StageSpec("Визы", "endorse", "users", user_ids=[h.id],
                                          mode="quorum", quorum=2), SIGN]) == [
        "Этап 2 «Визы»: кворум 2 больше числа участников (1)"]
    assert _refused(w, [REVIEW, StageSpec("Визы", "endorse", "users", user_ids=[off.id]),
                        SIGN]) == [
        "Этап 2 «Визы»: пользователь Начальников2 Отдел Иванович отключён: действовать он не может"]
    assert _refused(w, [StageSpec("Виза", "endorse", "users", user_ids=[h.id],
                                  on_refusal="previous"), SIGN]) == [
        "Этап 1 «Виза»: отказ на первом этапе не может вести «на предыдущий этап»: его нет"]
    assert "этап подписания может быть только последним" in _refused(w, [SIGN, SIGN])[0]
    assert "этап экспертизы может быть только первым" in _refused(
        w, [StageSpec("Виза", "endorse", "users", user_ids=[h.id]), REVIEW, SIGN])[0]
    assert "режим «любой из участников»" in _refused(
        w, [StageSpec("Подпись", "sign", "role", role="signatory", mode="all")])[0]
    assert "не подписант" in _refused(w, [StageSpec("Подпись", "sign", "users", user_ids=[h.id])])[0]
    # Nobody holds the role: nobody can act.
    w.signatory.active = False
    assert "нет ни одного активного пользователя" in _refused(w, [REVIEW, SIGN])[0]
    w.signatory.active = True
    assert "неизвестное значение" in _refused(
        w, [StageSpec("X", "vote", "role", role="signatory")])[0]


def test_only_the_admin_defines_routes(world):
    with pytest.raises(PermissionDenied):
        routes.create_route(world.session, world.reviewer, code="r", title="Маршрут",
                            stages=[REVIEW, SIGN], now=world.clock.tick())


def test_a_programme_keeps_its_route_version_after_an_edit(world):
    w = world
    h = _head(w, 1)
    route = routes.create_route(w.session, w.admin, code="r", title="Маршрут",
                                stages=[REVIEW, SIGN], now=w.clock.tick())
    routes.set_campaign_route(w.session, w.campaign, route, w.admin)
    first = programme_in(w, ProgrammeState.IN_REVIEW, title="Первая")
    v1 = first.route_version_id
    assert w.session.get(RouteVersion, v1).number == 1

    v2 = routes.edit_route(w.session, route, w.admin, now=w.clock.tick(), stages=[
        REVIEW, StageSpec("Виза", "endorse", "users", user_ids=[h.id]), SIGN])
    assert v2.number == 2
    second = programme_in(w, ProgrammeState.IN_REVIEW, title="Вторая")
    assert second.route_version_id == v2.id

    # The first goes on its version 1: no visa stage, straight to signature.
    assess_all(w, first)
    operations.approve_programme(w.session, first, w.reviewer, now=w.clock.tick())
    decision = w.session.scalar(select(Decision).where(Decision.programme_id == first.id))
    assert (decision.route_version_id, decision.current_stage) == (v1, 2)
    sign(w, w.session.get(Letter, decision.letter_id))
    assert first.state == ProgrammeState.APPROVED
    assert first.route_version_id == v1
    assert [s.name for s in routes.route_view(w.session, first).stages] == ["Экспертиза", "Подпись"]
    assert [s.name for s in routes.route_view(w.session, second).stages] == [
        "Экспертиза", "Виза", "Подпись"]
    assert routes.definition_view(w.session, v2).version == 2

    # A version never changes.
    stage = v2.stages[0]
    stage.name = "Другое"
    with pytest.raises(ImmutableRowError):
        w.session.flush()
    w.session.rollback()


def test_the_standard_route_serves_a_campaign_that_names_none(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    version = w.session.get(RouteVersion, p.route_version_id)
    assert version.route.code == routes.STANDARD_CODE
    assert [(s.kind, s.participant_type) for s in version.stages] == [
        ("review", "programme_reviewer"), ("sign", "role")]
    view = routes.route_view(w.session, p)
    assert [s.status for s in view.stages] == ["current", "pending"]


# ------------------------------------------------------------------ races


def _committed_world(world, session_factory, stages):
    w = world
    heads = [_head(w, i) for i in range(3)]
    stages = [s(heads) if callable(s) else s for s in stages]
    route = routes.create_route(w.session, w.admin, code="race", title="Гонка", stages=stages,
                                now=w.clock.tick())
    routes.set_campaign_route(w.session, w.campaign, route, w.admin)
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    assess_all(w, p)
    operations.approve_programme(w.session, p, w.reviewer, now=w.clock.tick())
    w.session.commit()
    return p.id, heads


def test_two_participants_of_an_any_stage_deciding_at_once_exactly_one_counts(
        world, session_factory, db_url):
    w = world
    pid, heads = _committed_world(world, session_factory, [
        REVIEW,
        lambda hs: StageSpec("Виза", "endorse", "users", user_ids=[h.id for h in hs], mode="any"),
        SIGN])
    with session_factory() as s:
        tasks = {t.assignee_id: t.id for t in s.scalars(select(StageTask).where(
            StageTask.state == TaskState.OPEN))}
    decisions = ["approve", "reject", "approve_with_remarks"]
    results = run_in_processes(decide_at_once, [
        (db_url, tasks[h.id], h.id, d) for h, d in zip(heads, decisions, strict=True)])
    assert not [r for r in results if r[1] == "error"], results
    winners = [r for r in results if r[1] == "ok"]
    assert len(winners) == 1, results
    assert {r[1] for r in results if r[1] != "ok"} <= {"StaleTask", "TaskClosed",
                                                       "DecisionNotActive"}
    with session_factory() as s:
        done = s.scalars(select(StageTask).where(StageTask.stage_position == 2,
                                                 StageTask.state == TaskState.DONE)).all()
        assert [t.decided_by_id for t in done] == [winners[0][0]]
        won = dict(zip([h.id for h in heads], decisions, strict=True))[winners[0][0]]
        decision = s.scalar(select(Decision).where(Decision.programme_id == pid))
        programme = s.get(Programme, pid)
        if won == "reject":  # the standard refusal: back to the expert
            assert (decision.state, programme.state) == ("refused", "in_review")
        else:
            assert (decision.state, decision.current_stage) == ("active", 3)
        assert not s.scalars(select(StageTask).where(StageTask.stage_position == 2,
                                                     StageTask.state == TaskState.OPEN)).all()
    w.session.rollback()


def test_signing_against_a_concurrent_refusal_exactly_one_wins(world, session_factory, db_url):
    w = world
    second = create_user(w.session, login="deputy", full_name="Заместителев Пётр Петрович",
                         role=Role.SIGNATORY, password=PASSWORD, now=w.clock(),
                         position="Заместитель министра", phone="1", enforce_policy=False)
    give_certificate(w.session, second, now=w.clock())
    second_factor.enrol_with_secret(w.session, second, TOTP_SECRET, now=w.clock())
    pid, _heads = _committed_world(world, session_factory, [
        REVIEW, StageSpec("Подпись", "sign", "users", user_ids=[w.signatory.id, second.id],
                          on_refusal="reviewer")])
    with session_factory() as s:
        decision = s.scalar(select(Decision).where(Decision.programme_id == pid))
        letter_id = decision.letter_id
        refuse_task = s.scalar(select(StageTask.id).where(StageTask.assignee_id == second.id,
                                                          StageTask.state == TaskState.OPEN))
    results = run_in_processes(sign_or_refuse, [
        (db_url, letter_id, None, w.signatory.id, "sign"),
        (db_url, letter_id, refuse_task, second.id, "refuse")])
    assert not [r for r in results if r[1] == "error"], results
    winners = [r[0] for r in results if r[1] == "ok"]
    assert len(winners) == 1, results
    with session_factory() as s:
        letter = s.get(Letter, letter_id)
        programme = s.get(Programme, pid)
        decision = s.scalar(select(Decision).where(Decision.programme_id == pid))
        if winners == ["sign"]:
            assert (letter.state, programme.state, decision.state) == (
                LetterState.SIGNED, ProgrammeState.APPROVED, DecisionState.SIGNED)
            assert letter.number is not None
        else:
            assert (letter.state, programme.state, decision.state) == (
                LetterState.CANCELLED, ProgrammeState.IN_REVIEW, DecisionState.REFUSED)
            assert letter.number is None
    w.session.rollback()
