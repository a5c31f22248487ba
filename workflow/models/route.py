"""Approval routes as versioned data, and the decisions that travel them.

A `Route` is named by a campaign; each edit makes a new `RouteVersion` whose `RouteStage`s
never change afterwards (like revisions). A programme pins the version it started with.
A `Decision` is one proposal (approve / return) with its letter, running on that version;
a `StageTask` is one participant's part in one stage of it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import (
    DecisionKind,
    DecisionState,
    ParticipantType,
    RefusalTarget,
    Role,
    RouteStageKind,
    StageMode,
    TaskResult,
    TaskState,
    sql_in,
)
from .base import Base, UTCDateTime
from .revision import ImmutableRowError


class Route(Base):
    __tablename__ = "route"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    versions: Mapped[list[RouteVersion]] = relationship(
        back_populates="route", order_by="RouteVersion.number")


class RouteVersion(Base):
    """Immutable once created: an edit of the route is a new version."""

    __tablename__ = "route_version"
    __table_args__ = (
        UniqueConstraint("route_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("route.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # None for the standard route, created by the system on first need.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    route: Mapped[Route] = relationship(back_populates="versions")
    stages: Mapped[list[RouteStage]] = relationship(
        back_populates="version", order_by="RouteStage.position", cascade="all, delete-orphan")

    def stage_at(self, position: int) -> RouteStage:
        return next(s for s in self.stages if s.position == position)


class RouteStage(Base):
    __tablename__ = "route_stage"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint(f"kind IN ({sql_in(RouteStageKind)})", name="kind"),
        CheckConstraint(f"participant_type IN ({sql_in(ParticipantType)})", name="participant_type"),
        CheckConstraint(f"mode IN ({sql_in(StageMode)})", name="mode"),
        CheckConstraint(f"on_refusal IN ({sql_in(RefusalTarget)})", name="on_refusal"),
        CheckConstraint(f"participant_role IS NULL OR participant_role IN ({sql_in(Role)})",
                        name="participant_role"),
        CheckConstraint("(participant_type = 'role') = (participant_role IS NOT NULL)",
                        name="role_given_for_role"),
        CheckConstraint("(mode = 'quorum') = (quorum IS NOT NULL)", name="quorum_for_quorum"),
        CheckConstraint("quorum IS NULL OR quorum >= 1", name="quorum_positive"),
        CheckConstraint("limit_days >= 0", name="limit_not_negative"),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("route_version.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    participant_type: Mapped[str] = mapped_column(String(20))
    participant_role: Mapped[str | None] = mapped_column(String(32))
    # For participant_type 'users': the named users' ids, in the order given.
    participant_user_ids: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    mode: Mapped[str] = mapped_column(String(10))
    quorum: Mapped[int | None]
    limit_days: Mapped[int]  # working days (workflow.working_days)
    on_refusal: Mapped[str] = mapped_column(String(20))

    version: Mapped[RouteVersion] = relationship(back_populates="stages")

    @property
    def user_ids(self) -> list[int]:
        return [int(i) for i in (self.participant_user_ids or [])]


@event.listens_for(RouteVersion, "before_update")
@event.listens_for(RouteStage, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise ImmutableRowError(f"{type(target).__name__} is part of a route version and never changes")


class Decision(Base):
    """One proposal on a programme and its letter, running on the programme's route version."""

    __tablename__ = "decision"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_in(DecisionKind)})", name="kind"),
        CheckConstraint(f"state IN ({sql_in(DecisionState)})", name="state"),
        CheckConstraint("(state = 'active') = (closed_at IS NULL)", name="closed_when_not_active"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("current_stage >= 1", name="stage_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    route_version_id: Mapped[int] = mapped_column(ForeignKey("route_version.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default=DecisionState.ACTIVE, index=True)
    current_stage: Mapped[int]
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    route_version: Mapped[RouteVersion] = relationship()
    tasks: Mapped[list[StageTask]] = relationship(
        back_populates="decision", order_by="StageTask.id", cascade="all, delete-orphan")


class StageTask(Base):
    """One participant's part in one stage of a decision."""

    __tablename__ = "stage_task"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(TaskState)})", name="state"),
        CheckConstraint(f"result IS NULL OR result IN ({sql_in(TaskResult)})", name="result"),
        # A done task has its result, who decided and when; an open one has none of them.
        CheckConstraint(
            "(state = 'done') = (result IS NOT NULL AND decided_by_id IS NOT NULL "
            "AND decided_at IS NOT NULL)",
            name="done_has_result",
        ),
        # "С замечаниями" and "Не согласовано" always say why.
        CheckConstraint("result IS NULL OR result = 'approve' OR length(comment) > 0",
                        name="comment_for_remarks"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    stage_position: Mapped[int]
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=TaskState.OPEN, index=True)
    result: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The absent assignee the decider substituted ("за кого"); None when they acted themselves.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Reassignment: the task this one replaced, and why.
    reassigned_from_id: Mapped[int | None] = mapped_column(ForeignKey("stage_task.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    decision: Mapped[Decision] = relationship(back_populates="tasks")
