"""States, roles and their Russian labels: the vocabulary shared by the domain and the UI."""

from __future__ import annotations

from enum import StrEnum

from .i18n import N_


class Role(StrEnum):
    MUNICIPAL_EDITOR = "municipal_editor"
    REVIEWER = "reviewer"
    SIGNATORY = "signatory"
    ADMIN = "admin"


# The ministry's people: everyone but the municipalities' editors.
MINISTRY_ROLES = (Role.REVIEWER, Role.SIGNATORY, Role.ADMIN)

ROLE_LABELS = {
    Role.MUNICIPAL_EDITOR: N_("Специалист муниципалитета"),
    Role.REVIEWER: N_("Эксперт министерства"),
    Role.SIGNATORY: N_("Подписант"),
    Role.ADMIN: N_("Администратор"),
}


class ProgrammeState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    # A decision (approve / return) proposed and travelling its route; it takes effect when
    # its letter is signed (workflow.route_engine).
    DECISION_PENDING = "decision_pending"
    RETURNED = "returned"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


PROGRAMME_STATE_LABELS = {
    ProgrammeState.DRAFT: N_("Черновик"),
    ProgrammeState.SUBMITTED: N_("Направлена в министерство"),
    ProgrammeState.IN_REVIEW: N_("На рассмотрении"),
    ProgrammeState.DECISION_PENDING: N_("На согласовании решения"),
    ProgrammeState.RETURNED: N_("Возвращена на доработку"),
    ProgrammeState.APPROVED: N_("Согласована"),
    ProgrammeState.WITHDRAWN: N_("Отозвана"),
}

# What a municipality is shown instead: until the letter is signed there is no decision for it.
MUNICIPAL_STATE_LABELS = {
    **PROGRAMME_STATE_LABELS,
    ProgrammeState.DECISION_PENDING: PROGRAMME_STATE_LABELS[ProgrammeState.IN_REVIEW],
}


def programme_state_label(state, *, municipal: bool = False) -> str:
    """The state's label for its audience: a municipality never sees a pending decision."""
    labels = MUNICIPAL_STATE_LABELS if municipal else PROGRAMME_STATE_LABELS
    return labels[ProgrammeState(getattr(state, "value", state))]


def state_for_audience(state, *, municipal: bool) -> str:
    """The state as its audience knows it: for a municipality a decision travelling its route
    is still under review (the decision reaches it as a signed letter)."""
    value = getattr(state, "value", state)
    if municipal and value == ProgrammeState.DECISION_PENDING:
        return ProgrammeState.IN_REVIEW.value
    return value


def event_visible_to(event, *, municipal: bool) -> bool:
    """History rows a municipality sees: not the ministry's proposals travelling the route
    (into, or back out of, a pending decision), only what took effect."""
    if not municipal:
        return True
    return ProgrammeState.DECISION_PENDING not in (event.to_state, event.from_state) \
        or event.to_state in (ProgrammeState.APPROVED, ProgrammeState.RETURNED)


def programme_state_label_for(state, user) -> str:
    """`programme_state_label` for a user (a municipal editor or ministry staff)."""
    return programme_state_label(
        state, municipal=getattr(user, "role", None) == Role.MUNICIPAL_EDITOR)


# States in which the municipality may edit its working copy of the sections.
EDITABLE_STATES = frozenset({ProgrammeState.DRAFT, ProgrammeState.RETURNED})


class RemarkVisibility(StrEnum):
    EXTERNAL = "external"
    INTERNAL = "internal"


REMARK_VISIBILITY_LABELS = {
    RemarkVisibility.EXTERNAL: N_("Для муниципалитета"),
    RemarkVisibility.INTERNAL: N_("Внутреннее (только министерство)"),
}


class RemarkState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"


REMARK_STATE_LABELS = {
    RemarkState.OPEN: N_("Открыто"),
    RemarkState.ANSWERED: N_("Дан ответ"),
    RemarkState.RESOLVED: N_("Снято"),
}


class Verdict(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


VERDICT_LABELS = {
    Verdict.MET: N_("Выполнено"),
    Verdict.PARTLY: N_("Выполнено частично"),
    Verdict.NOT_MET: N_("Не выполнено"),
}


class LetterKind(StrEnum):
    APPROVAL = "approval"
    RETURN = "return"
    CIRCULAR = "circular"
    REMINDER = "reminder"


# Letters that carry a decision on a programme: they take effect when signed.
DECISION_LETTER_KINDS = frozenset({LetterKind.APPROVAL, LetterKind.RETURN})


LETTER_KIND_LABELS = {
    LetterKind.APPROVAL: N_("О согласовании программы"),
    LetterKind.RETURN: N_("О возврате программы на доработку"),
    LetterKind.CIRCULAR: N_("Циркулярное письмо"),
    LetterKind.REMINDER: N_("Напоминание о сроке"),
}


class LetterState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    DISPATCHED = "dispatched"
    CANCELLED = "cancelled"


LETTER_STATE_LABELS = {
    LetterState.DRAFT: N_("Проект"),
    LetterState.SIGNED: N_("Подписано"),
    LetterState.DISPATCHED: N_("Отправлено"),
    LetterState.CANCELLED: N_("Аннулировано"),
}


def sql_in(values) -> str:
    """Render an enum's values for a CHECK constraint."""
    return ", ".join(f"'{v.value}'" for v in values)


class RouteStageKind(StrEnum):
    REVIEW = "review"
    ENDORSE = "endorse"
    SIGN = "sign"


ROUTE_STAGE_KIND_LABELS = {
    RouteStageKind.REVIEW: N_("Экспертиза"),
    RouteStageKind.ENDORSE: N_("Визирование"),
    RouteStageKind.SIGN: N_("Подписание"),
}


class ParticipantType(StrEnum):
    ROLE = "role"
    USERS = "users"
    PROGRAMME_REVIEWER = "programme_reviewer"


class StageMode(StrEnum):
    ALL = "all"
    ANY = "any"
    QUORUM = "quorum"


STAGE_MODE_LABELS = {
    StageMode.ALL: N_("Все участники"),
    StageMode.ANY: N_("Любой из участников"),
    StageMode.QUORUM: N_("Кворум"),
}


class RefusalTarget(StrEnum):
    PREVIOUS = "previous"
    REVIEWER = "reviewer"
    MUNICIPALITY = "municipality"


REFUSAL_TARGET_LABELS = {
    RefusalTarget.PREVIOUS: N_("На предыдущий этап"),
    RefusalTarget.REVIEWER: N_("Эксперту"),
    RefusalTarget.MUNICIPALITY: N_("Муниципалитету (возврат на доработку)"),
}


class DecisionKind(StrEnum):
    APPROVE = "approve"
    RETURN = "return"


class DecisionState(StrEnum):
    ACTIVE = "active"
    SIGNED = "signed"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskResult(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_REMARKS = "approve_with_remarks"
    REJECT = "reject"


TASK_RESULT_LABELS = {
    TaskResult.APPROVE: N_("Согласовано"),
    TaskResult.APPROVE_WITH_REMARKS: N_("Согласовано с замечаниями"),
    TaskResult.REJECT: N_("Не согласовано"),
}
