"""Pydantic v2 request and response shapes of the route API (tasks, routes, reassignment).

One declaration per shape: handlers validate request bodies with it and build responses from
it, and `openapi.py` documents it from `model_json_schema()`, so contract and code agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .validation import INT_MAX, bad, json_object


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- requests ----------------------------------------------------------------------------


class DecisionRequest(Shape):
    decision: Literal["approve", "approve_with_remarks", "reject"] = Field(
        description="approve — «Согласовано», approve_with_remarks — «Согласовано с "
                    "замечаниями», reject — «Не согласовано» (для двух последних нужен "
                    "комментарий)")
    comment: str = Field("", max_length=5000, description="Комментарий (замечания, причина)")
    version: int | None = Field(None, ge=1, le=INT_MAX,
                                description="Версия задачи, которую видел пользователь")


class ReassignRequest(Shape):
    to_user_id: int = Field(ge=1, le=INT_MAX, description="Кому передать")
    reason: str = Field(min_length=1, max_length=2000, description="Причина передачи")
    task_id: int | None = Field(None, ge=1, le=INT_MAX,
                                description="Открытая задача этапа; без неё — рассмотрение "
                                            "программы (эксперт) или единственная открытая задача")


# ---- responses ---------------------------------------------------------------------------


class PersonOut(Shape):
    id: int
    full_name: str


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
    on_behalf_of: PersonOut | None = Field(description="За кого (замещение); null — за себя")


class OpenStageTaskOut(Shape):
    id: int
    version: int
    stage_position: int
    stage_name: str
    assignee: PersonOut
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
    created_at: datetime | None
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
    decided_at: datetime
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


RESPONSE_SHAPES = (TaskList, TaskOut, RouteList, RouteOut, ProgrammeRouteOut, DecisionResult,
                   ReassignResult)
REQUEST_SHAPES = (DecisionRequest, ReassignRequest)


M = TypeVar("M", bound=Shape)

_MESSAGES = {
    "missing": "Не заполнено обязательное поле «{field}»",
    "extra_forbidden": "Неизвестное поле «{field}»",
    "literal_error": "Недопустимое значение поля «{field}»",
    "string_too_long": "Слишком длинное значение поля «{field}»",
    "string_too_short": "Не заполнено поле «{field}»",
}


def parse_body(model: type[M]) -> M:
    """The request's JSON body as `model`; a violation is a 400 with the field and a Russian
    message (pydantic's English text is never shown)."""
    data = json_object()
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        template = _MESSAGES.get(first["type"], "Некорректное значение поля «{field}»")
        code = {"missing": "missing_field", "extra_forbidden": "unknown_field"}.get(
            first["type"], "invalid_value")
        safe = (field or "")[:100]
        raise bad(code, template.format(field=safe), safe or None) from None


def components() -> dict:
    """JSON Schemas of every shape, for `components.schemas` of the OpenAPI document."""
    out: dict = {}
    for model in (*REQUEST_SHAPES, *RESPONSE_SHAPES):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out
