"""Plain, frozen views of a route and of a decision's visas: what screens, the API, the diagram
and the approval sheet (лист согласования) are given, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class StageView:
    position: int
    name: str
    kind: str  # "review" | "endorse" | "sign"
    mode: str  # "all" | "any" | "quorum"
    quorum: int | None
    limit_days: int
    on_refusal: str  # "previous" | "reviewer" | "municipality"
    participants: tuple[str, ...]  # display names ("Начальник отдела ... И.И. Иванов", "Роль: ...")
    # For a programme's route: "done" | "current" | "pending" | "refused" | "skipped";
    # for a route definition (admin page): "pending".
    status: str = "pending"


@dataclass(frozen=True)
class RouteView:
    route_title: str
    version: int
    stages: tuple[StageView, ...]
    # The programme's state label when the view is of a programme, else None.
    programme_state: str | None = None


@dataclass(frozen=True)
class Visa:
    stage_name: str
    position: str  # the participant's position ("Начальник отдела общего образования")
    name: str  # "И.И. Иванов"
    result: str  # "approve" | "approve_with_remarks" | "reject"
    result_label: str  # "Согласовано" | "Согласовано с замечаниями" | "Не согласовано"
    comment: str
    decided_at: datetime  # UTC; rendered in the organisation's time zone
    on_behalf_of: str | None = None  # "за М.В. Шкуратскую" source: the absent user's name


@dataclass(frozen=True)
class ApprovalSheet:
    organisation: str
    letter_heading: str
    letter_number: str | None  # None while the letter is a draft
    letter_date: date | None
    programme_title: str
    municipality: str
    visas: tuple[Visa, ...]
    time_zone: str = "Asia/Vladivostok"
