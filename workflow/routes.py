"""Approval routes, one import for screens and the API: definitions (routes_definition),
the engine (route_engine, route_stages, route_reassignment, route_inbox), and the plain
views of both (route_views dataclasses)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .models import (
    Campaign,
    Decision,
    Letter,
    Municipality,
    OrganisationProfile,
    Programme,
    Route,
    RouteStage,
    RouteVersion,
    StageTask,
    User,
)
from .route_engine import (
    active_decision,
    decide_task,
    latest_decision,
    on_letter_signing,
    start_decision,
)
from .route_inbox import OpenTask, open_tasks_for
from .route_reassignment import eligible_for, may_reassign, reassign_task
from .route_stages import quorum_outcome, stage_participants
from .route_views import ApprovalSheet, RouteView, StageView, Visa
from .routes_definition import (
    STANDARD_CODE,
    STANDARD_STAGES,
    STANDARD_TITLE,
    StageSpec,
    create_route,
    edit_route,
    latest_version,
    route_version_for,
    set_campaign_route,
    standard_route,
    validate_route,
)
from .states import (
    ROLE_LABELS,
    TASK_RESULT_LABELS,
    DecisionState,
    ParticipantType,
    ProgrammeState,
    Role,
    RouteStageKind,
    TaskResult,
    TaskState,
    programme_state_label,
)

__all__ = [
    "ApprovalSheet", "OpenTask", "RouteView", "StageSpec", "StageView", "Visa",
    "STANDARD_CODE", "STANDARD_STAGES", "STANDARD_TITLE",
    "active_decision", "approval_sheet", "create_route", "decide_task", "definition_view",
    "edit_route", "eligible_for", "latest_decision", "latest_version", "may_reassign",
    "on_letter_signing", "open_tasks_for", "quorum_outcome", "reassign_task", "route_view",
    "route_version_for", "set_campaign_route", "stage_participants", "standard_route",
    "start_decision", "validate_route", "visas_of", "NOT_READ",
]


def _user_line(user: User) -> str:
    position = " ".join((user.position or "").split())
    return f"{position} {user.short_name()}".strip()


def _participants(session: Session, stage, programme: Programme | None) -> tuple[str, ...]:
    if stage.participant_type == ParticipantType.PROGRAMME_REVIEWER:
        reviewer = (session.get(User, programme.reviewer_id)
                    if programme is not None and programme.reviewer_id else None)
        return (f"Эксперт программы: {_user_line(reviewer)}" if reviewer
                else "Эксперт программы",)
    if stage.participant_type == ParticipantType.ROLE:
        role = stage.participant_role if isinstance(stage, RouteStage) else stage.role
        return (f"Роль: {ROLE_LABELS[Role(role)]}",)
    ids = stage.user_ids if isinstance(stage, RouteStage) else list(stage.user_ids)
    return tuple(_user_line(u) for uid in ids if (u := session.get(User, uid)) is not None)


def _stage_view(session, stage, position: int, programme, status: str) -> StageView:
    return StageView(position=position, name=stage.name, kind=str(stage.kind),
                     mode=str(stage.mode), quorum=stage.quorum, limit_days=stage.limit_days,
                     on_refusal=str(stage.on_refusal),
                     participants=_participants(session, stage, programme), status=status)


def definition_view(session: Session, route_version: RouteVersion) -> RouteView:
    """A route version as the admin page and the diagram show it."""
    route = session.get(Route, route_version.route_id)
    return RouteView(route_title=route.title, version=route_version.number, stages=tuple(
        _stage_view(session, s, s.position, None, "pending") for s in route_version.stages))


# "Not read yet": a caller may pass a decision it has read (None for none), or leave this.
NOT_READ = object()


def _statuses(session: Session, programme: Programme, stages, decision=NOT_READ) -> list[str]:
    positions = [s.position if isinstance(s, RouteStage) else i
                 for i, s in enumerate(stages, start=1)]
    if decision is NOT_READ:
        decision = latest_decision(session, programme)
    state = programme.state
    if decision is not None and decision.state == DecisionState.ACTIVE:
        return ["done" if p < decision.current_stage else
                "current" if p == decision.current_stage else "pending" for p in positions]
    if state == ProgrammeState.APPROVED or (decision is not None
                                            and decision.state == DecisionState.SIGNED
                                            and state != ProgrammeState.IN_REVIEW):
        return ["done"] * len(positions)
    first_is_review = stages and stages[0].kind == RouteStageKind.REVIEW
    if state == ProgrammeState.IN_REVIEW and first_is_review:
        return ["current"] + ["pending"] * (len(positions) - 1)
    return ["pending"] * len(positions)


def route_view(session: Session, programme: Programme, *, latest=NOT_READ) -> RouteView:
    """The programme's route (its pinned version; before pinning, the one it would take)
    with where it stands now. Reads only: never creates the standard route. `latest`: the
    programme's latest decision (or None), when the caller has read it."""
    label = programme_state_label(programme.state)
    version = None
    if programme.route_version_id is not None:
        # The version with its route and stages in one statement (three, read one by one).
        version = session.get(RouteVersion, programme.route_version_id, options=(
            joinedload(RouteVersion.route), joinedload(RouteVersion.stages)))
    else:
        campaign = session.get(Campaign, programme.campaign_id)
        route = (session.get(Route, campaign.route_id) if campaign.route_id is not None else
                 session.scalar(select(Route).where(Route.code == STANDARD_CODE)))
        if route is not None:
            version = latest_version(session, route)
    if version is None:
        stages = list(STANDARD_STAGES)
        statuses = _statuses(session, programme, stages, latest)
        return RouteView(STANDARD_TITLE, 1, tuple(
            _stage_view(session, s, i, programme, st)
            for i, (s, st) in enumerate(zip(stages, statuses, strict=True), start=1)), label)
    route = session.get(Route, version.route_id)
    statuses = _statuses(session, programme, version.stages, latest)
    return RouteView(route.title, version.number, tuple(
        _stage_view(session, s, s.position, programme, st)
        for s, st in zip(version.stages, statuses, strict=True)), label)


def visas_of(session: Session, decision: Decision) -> tuple[Visa, ...]:
    """The decided tasks of a decision's review and endorse stages, in order of decision."""
    version = session.get(RouteVersion, decision.route_version_id)
    stages = {s.position: s for s in version.stages}
    tasks = session.scalars(select(StageTask).where(
        StageTask.decision_id == decision.id, StageTask.state == TaskState.DONE)
        .order_by(StageTask.decided_at, StageTask.id)).all()
    visas = []
    for task in tasks:
        stage = stages[task.stage_position]
        if stage.kind == RouteStageKind.SIGN:
            continue
        decider = session.get(User, task.decided_by_id)
        absent = session.get(User, task.on_behalf_of_id) if task.on_behalf_of_id else None
        visas.append(Visa(
            stage_name=stage.name, position=" ".join((decider.position or "").split()),
            name=decider.short_name(), result=task.result,
            result_label=TASK_RESULT_LABELS[TaskResult(task.result)], comment=task.comment,
            decided_at=task.decided_at, on_behalf_of=absent.short_name() if absent else None))
    return tuple(visas)


def approval_sheet(session: Session, letter: Letter) -> ApprovalSheet:
    """The approval sheet (лист согласования) of a decision letter: its visas in order."""
    profile = session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))
    decision = session.scalar(select(Decision).where(Decision.letter_id == letter.id))
    programme = session.get(Programme, letter.programme_id) if letter.programme_id else None
    municipality = (session.get(Municipality, letter.municipality_id)
                    if letter.municipality_id else None)
    return ApprovalSheet(
        organisation=profile.name if profile else "",
        letter_heading=letter.heading,
        letter_number=letter.number,
        letter_date=letter.registered_on,
        programme_title=programme.title if programme else "",
        municipality=municipality.name if municipality else "",
        visas=visas_of(session, decision) if decision is not None else (),
        time_zone=profile.timezone if profile else "Asia/Vladivostok",
    )
