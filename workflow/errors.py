"""Typed domain errors. Each carries a stable machine `code` (used by the JSON API) and a
Russian message for the person who tried."""

from __future__ import annotations

from datetime import datetime


class WorkflowError(Exception):
    code = "workflow_error"
    # True when the refusal itself is recorded and must survive (a wrong PIN or code counts
    # towards a lock-out, a throttled sign-in is logged): the unit of work commits what was
    # written before re-raising instead of rolling it back.
    kept = False

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


class Conflict(WorkflowError):
    """A constraint the domain did not foresee (two requests raced to the same row)."""

    code = "conflict"

    def __init__(self, message: str = "Данные конфликтуют с уже сохранёнными; обновите и повторите"):
        super().__init__(message)


class UnstorableValue(InvalidInput):
    """A value the database cannot hold (a number out of range, a NUL byte on PostgreSQL)."""

    code = "invalid_value"

    def __init__(self, message: str = "Значение не может быть сохранено: проверьте данные"):
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


class IneligibleAssignee(InvalidInput):
    """The person named to take over cannot act: inactive, another role, the same person."""

    code = "ineligible_assignee"

    def __init__(self, message: str):
        super().__init__(message, field="reviewer")
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
