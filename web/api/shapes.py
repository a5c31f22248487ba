"""Pydantic v2 request and response shapes of the route API (tasks, routes, reassignment).

One declaration per shape: handlers validate request bodies with it and build responses from
it, and `openapi.py` documents it from `model_json_schema()`, so contract and code agree.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from .fields import Id, Integer, Person, Shape, Text, Timestamp

# ---- requests ----------------------------------------------------------------------------


class DecisionRequest(Shape):
    decision: Literal["approve", "approve_with_remarks", "reject"] = Field(
        description="approve — «Согласовано», approve_with_remarks — «Согласовано с "
                    "замечаниями», reject — «Не согласовано» (для двух последних нужен "
                    "комментарий)")
    comment: Text(5000, description="Комментарий (замечания, причина)") = ""
    version: Integer(description="Версия задачи, которую видел пользователь") | None = None


class ReassignRequest(Shape):
    to_user_id: Integer(description="Кому передать")
    reason: Text(2000, min_length=1, description="Причина передачи")
    task_id: Id | None = Field(None, description="Открытая задача этапа; без неё — рассмотрение "
                                                 "программы (эксперт) или единственная открытая "
                                                 "задача")


# ---- responses ---------------------------------------------------------------------------


class TaskOut(Shape):
    id: int
    version: int = Field(description="Версия задачи: передавайте в решении (version)")
    decision_kind: Literal["approve", "return"] = Field(
        description="Что согласуется: согласование программы или возврат на доработку")
    programme_id: int
    programme_title: str
    municipality: str
    letter_id: int = Field(description="Проект письма-решения")
    stage_position: int
    stage_name: str
    stage_kind: Literal["review", "endorse", "sign"]
    due_on: date = Field(description="Срок (рабочие дни этапа)")
    overdue: bool
    on_behalf_of: Person | None = Field(description="За кого (замещение); null — за себя")


class OpenStageTaskOut(Shape):
    id: int
    version: int
    stage_position: int
    stage_name: str
    assignee: Person
    due_on: date | None


class TaskList(Shape):
    items: list[TaskOut]


class StageOut(Shape):
    position: int
    name: str
    kind: Literal["review", "endorse", "sign"]
    mode: Literal["all", "any", "quorum"]
    quorum: int | None
    limit_days: int
    on_refusal: Literal["previous", "reviewer", "municipality"]
    participants: list[str]
    status: str = Field(description="done | current | pending | refused | skipped")


class RouteVersionOut(Shape):
    version: int
    created_at: Timestamp | None
    stages: list[StageOut]


class RouteSummaryOut(Shape):
    id: int
    title: str
    current_version: int


class RouteList(Shape):
    items: list[RouteSummaryOut]


class RouteOut(Shape):
    id: int
    title: str
    current_version: int
    versions: list[RouteVersionOut]


class DecisionOut(Shape):
    stage_name: str
    person: str
    position: str
    result: Literal["approve", "approve_with_remarks", "reject"]
    result_label: str
    comment: str
    decided_at: Timestamp
    on_behalf_of: str | None


class ProgrammeRouteOut(Shape):
    programme_id: int
    state: str
    state_label: str
    route_title: str | None
    version: int | None
    stages: list[StageOut]
    current_stage: int | None = Field(description="Позиция текущего этапа; null — маршрут не идёт")
    decisions: list[DecisionOut]
    open_tasks: list[OpenStageTaskOut]


class DecisionResult(Shape):
    task_id: int
    decision: Literal["approve", "approve_with_remarks", "reject"]
    comment: str
    programme_id: int
    programme_state: str
    programme_state_label: str


class ReassignResult(Shape):
    programme_id: int
    task: OpenStageTaskOut = Field(description="Новая задача (прежняя снята)")
    reason: str
