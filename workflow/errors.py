"""Typed domain errors. Each carries a stable machine `code` (used by the JSON API) and a
Russian message for the person who tried."""

from __future__ import annotations

from datetime import datetime


class WorkflowError(Exception):
    code = "workflow_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(WorkflowError):
    code = "invalid_input"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(WorkflowError):
    """Also raised for another municipality's objects: their existence is not revealed."""

    code = "not_found"

    def __init__(self, message: str = "Объект не найден"):
        super().__init__(message)


class PermissionDenied(WorkflowError):
    code = "forbidden"


class ForeignMunicipality(NotFound):
    code = "not_found"

    def __init__(self):
        super().__init__("Программа не найдена среди программ вашего муниципалитета")


class NotAssignedReviewer(PermissionDenied):
    code = "not_assigned"


class IllegalTransition(WorkflowError):
    code = "illegal_transition"


class StaleVersion(WorkflowError):
    code = "stale_version"

    def __init__(self, changed_by: str | None = None, changed_at: datetime | None = None):
        who = changed_by or "другим пользователем"
        when = f" в {changed_at:%d.%m.%Y %H:%M} (UTC)" if changed_at else ""
        super().__init__(
            f"Программа была изменена ({who}{when}) после того, как вы её открыли. "
            "Обновите страницу и повторите действие."
        )
        self.changed_by = changed_by
        self.changed_at = changed_at


class GuardFailed(WorkflowError):
    code = "guard_failed"

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class LetterError(WorkflowError):
    code = "letter_error"


class RouteInvalid(InvalidInput):
    """A route definition that cannot run; `reasons` lists every problem found."""

    code = "route_invalid"

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons), field="stages")
        self.reasons = reasons


class TaskNotYours(PermissionDenied):
    code = "task_not_yours"

    def __init__(self, message: str = "Это задача другого участника: решить её вы не можете"):
        super().__init__(message)


class TaskClosed(IllegalTransition):
    """Deciding twice, or a task cancelled since (the stage was decided by someone else)."""

    code = "task_closed"


class DecisionNotActive(IllegalTransition):
    """The decision (or its stage) no longer applies: signed, refused, superseded, moved on."""

    code = "decision_not_active"


class StaleTask(StaleVersion):
    def __init__(self):
        super().__init__()
        self.message = ("Задача изменилась после того, как вы её открыли (решение принято другим "
                        "участником или задача передана). Обновите страницу.")
        self.args = (self.message,)
