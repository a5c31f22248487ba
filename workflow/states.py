"""States, roles and their Russian labels: the vocabulary shared by the domain and the UI."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MUNICIPAL_EDITOR = "municipal_editor"
    REVIEWER = "reviewer"
    SIGNATORY = "signatory"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.MUNICIPAL_EDITOR: "Специалист муниципалитета",
    Role.REVIEWER: "Эксперт министерства",
    Role.SIGNATORY: "Подписант",
    Role.ADMIN: "Администратор",
}


class ProgrammeState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


PROGRAMME_STATE_LABELS = {
    ProgrammeState.DRAFT: "Черновик",
    ProgrammeState.SUBMITTED: "Направлена в министерство",
    ProgrammeState.IN_REVIEW: "На рассмотрении",
    ProgrammeState.RETURNED: "Возвращена на доработку",
    ProgrammeState.APPROVED: "Согласована",
    ProgrammeState.WITHDRAWN: "Отозвана",
}

# States in which the municipality may edit its working copy of the sections.
EDITABLE_STATES = frozenset({ProgrammeState.DRAFT, ProgrammeState.RETURNED})


class RemarkVisibility(StrEnum):
    EXTERNAL = "external"
    INTERNAL = "internal"


REMARK_VISIBILITY_LABELS = {
    RemarkVisibility.EXTERNAL: "Для муниципалитета",
    RemarkVisibility.INTERNAL: "Внутреннее (только министерство)",
}


class RemarkState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"


REMARK_STATE_LABELS = {
    RemarkState.OPEN: "Открыто",
    RemarkState.ANSWERED: "Дан ответ",
    RemarkState.RESOLVED: "Снято",
}


class Verdict(StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


VERDICT_LABELS = {
    Verdict.MET: "Выполнено",
    Verdict.PARTLY: "Выполнено частично",
    Verdict.NOT_MET: "Не выполнено",
}


class LetterKind(StrEnum):
    APPROVAL = "approval"
    RETURN = "return"
    CIRCULAR = "circular"
    REMINDER = "reminder"


LETTER_KIND_LABELS = {
    LetterKind.APPROVAL: "О согласовании программы",
    LetterKind.RETURN: "О возврате программы на доработку",
    LetterKind.CIRCULAR: "Циркулярное письмо",
    LetterKind.REMINDER: "Напоминание о сроке",
}


class LetterState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    DISPATCHED = "dispatched"
    CANCELLED = "cancelled"


LETTER_STATE_LABELS = {
    LetterState.DRAFT: "Проект",
    LetterState.SIGNED: "Подписано",
    LetterState.DISPATCHED: "Отправлено",
    LetterState.CANCELLED: "Аннулировано",
}


def sql_in(values) -> str:
    """Render an enum's values for a CHECK constraint."""
    return ", ".join(f"'{v.value}'" for v in values)
