"""Shapes of the programme API: drafts, transitions, history, revisions and their files.

Each request and response is declared once here; handlers validate and respond with these
models and the OpenAPI document is generated from them. The `*_out` functions turn rows
into shapes (plain values only)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from workflow import models as orm
from workflow.machine import TRANSITIONS_BY_TRIGGER, TRIGGERS
from workflow.operations import MAX_REASON, ActionOption
from workflow.programme_drafting import MAX_SECTION, MAX_TITLE
from workflow.reassignment import HISTORY_LABELS as OTHER_TRIGGER_LABELS
from workflow.states import PROGRAMME_STATE_LABELS, ProgrammeState, state_for_audience

from .fields import (
    Id,
    Integer,
    IsoDate,
    Municipality,
    Page,
    PageQuery,
    Person,
    QueryInteger,
    Sections,
    Shape,
    Text,
    Timestamp,
    municipality,
    person,
)

Year = Integer(2000, 2100)
Version = Integer(description="Версия, которую видел клиент")
SectionTexts = Sections(MAX_SECTION, description="Тексты разделов: {идентификатор требования: текст}")
Trigger = Literal[TRIGGERS]  # type: ignore[valid-type]

# ---------------------------------------------------------------- requests
# Column limits of `programme`: the API refuses longer values before the database would.


class ProgrammeCreate(Shape):
    campaign_id: Id
    title: Text(MAX_TITLE)
    period_from: Year
    period_to: Year
    responsible_name: Text(200) = ""
    responsible_position: Text(300) = ""
    responsible_phone: Text(100) = ""
    outgoing_number: Text(50) | None = None
    outgoing_date: IsoDate | None = None
    sections: SectionTexts = None


class ProgrammeUpdate(Shape):
    """Only the fields present change."""

    version: Version
    title: Text(MAX_TITLE) = None
    period_from: Year = None
    period_to: Year = None
    responsible_name: Text(200) = None
    responsible_position: Text(300) = None
    responsible_phone: Text(100) = None
    outgoing_number: Text(50) | None = None
    outgoing_date: IsoDate | None = None
    sections: SectionTexts = None


class ActionRequest(Shape):
    version: Version
    reason: Text(MAX_REASON) = ""


class ProgrammeQuery(PageQuery):
    state: ProgrammeState | None = Field(None, description="Состояние программы")
    campaign_id: QueryInteger() | None = Field(None, description="Кампания")
    municipality: Text(64) | None = Field(None, description="Код муниципалитета")


# ---------------------------------------------------------------- responses


class Section(Shape):
    requirement_id: int
    position: int
    requirement_text: str
    text: str


class StoredFile(Shape):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str = Field(description="SHA-256 содержимого (ключ в хранилище файлов)")
    added_at: Timestamp | None
    download_url: str = Field(description="Адрес для скачивания через API")


class Action(Shape):
    trigger: Trigger
    label: str
    needs_reason: bool
    danger: bool
    enabled: bool
    blocked_by: list[str] = Field(description="Почему действие сейчас недоступно")


class ProgrammeSummary(Shape):
    id: int
    title: str
    campaign_id: int
    municipality: Municipality
    state: ProgrammeState
    state_label: str
    version: int
    revision_number: int
    period_from: int
    period_to: int
    reviewer: Person | None
    updated_at: Timestamp
    submitted_at: Timestamp | None


class Programme(ProgrammeSummary):
    responsible_name: str
    responsible_position: str
    responsible_phone: str
    outgoing_number: str | None
    outgoing_date: date | None
    created_at: Timestamp
    sections: list[Section]
    actions: list[Action] = Field(description="Переходы, доступные вызывающему пользователю")
    files: list[StoredFile] = Field(
        description="Файлы рабочей копии (министерству — только до первого направления)")


class ProgrammeList(Page):
    items: list[ProgrammeSummary]


class HistoryEntry(Shape):
    seq: int
    at: Timestamp
    trigger: str
    trigger_label: str
    from_state: ProgrammeState
    from_state_label: str
    to_state: ProgrammeState
    to_state_label: str
    reason: str
    revision_number: int
    actor: Person
    on_behalf_of: Person | None = Field(
        description="За кого действовал замещающий (null — за себя)")
    hash: str = Field(description="SHA-256 цепочки истории")


class History(Shape):
    items: list[HistoryEntry]


class ActionResult(Shape):
    event: HistoryEntry
    programme: Programme


class RevisionSection(Shape):
    requirement_id: int
    position: int | None
    text: str


class Revision(Shape):
    programme_id: int
    number: int
    created_at: Timestamp
    created_by: Person | None
    sections: list[RevisionSection]
    files: list[StoredFile] = Field(description="Файлы, с которыми редакция направлена")


# ---------------------------------------------------------------- rows to shapes


def _state(value: str, municipal: bool) -> tuple[str, str]:
    state = state_for_audience(value, municipal=municipal)
    return state, PROGRAMME_STATE_LABELS[ProgrammeState(state)]


def summary_fields(p: orm.Programme, municipal: bool) -> dict:
    state, label = _state(p.state, municipal)
    return dict(
        id=p.id, title=p.title, campaign_id=p.campaign_id,
        municipality=municipality(p.municipality), state=state, state_label=label,
        version=p.version, revision_number=p.revision_number, period_from=p.period_from,
        period_to=p.period_to, reviewer=person(p.reviewer), updated_at=p.updated_at,
        submitted_at=p.submitted_at)


def summary_out(p: orm.Programme, municipal: bool) -> ProgrammeSummary:
    return ProgrammeSummary(**summary_fields(p, municipal))


def stored_file(f: orm.ProgrammeFile | orm.RevisionFile, download_url: str) -> StoredFile:
    return StoredFile(id=f.id, name=f.name, size=f.size, content_type=f.content_type,
                      sha256=f.sha256, added_at=f.added_at, download_url=download_url)


def programme_out(p: orm.Programme, requirements: dict, actions: list[ActionOption],
                  files: list[StoredFile], municipal: bool) -> Programme:
    """`requirements`: the campaign's requirements by id."""
    sections = sorted(p.sections, key=lambda s: requirements[s.requirement_id].position)
    return Programme(
        **summary_fields(p, municipal),
        responsible_name=p.responsible_name, responsible_position=p.responsible_position,
        responsible_phone=p.responsible_phone, outgoing_number=p.outgoing_number,
        outgoing_date=p.outgoing_date, created_at=p.created_at,
        sections=[Section(requirement_id=s.requirement_id,
                             position=requirements[s.requirement_id].position,
                             requirement_text=requirements[s.requirement_id].text, text=s.text)
                  for s in sections],
        actions=[Action(trigger=o.trigger, label=o.label, needs_reason=o.needs_reason,
                           danger=o.danger, enabled=o.enabled, blocked_by=list(o.blocked_by))
                 for o in actions],
        # The working copy's files (to the ministry only before the first submission).
        files=files)


def history_entry(e: orm.WorkflowEvent, municipal: bool) -> HistoryEntry:
    spec = TRANSITIONS_BY_TRIGGER.get(e.trigger)
    from_state, from_label = _state(e.from_state, municipal)
    to_state, to_label = _state(e.to_state, municipal)
    return HistoryEntry(
        seq=e.seq, at=e.at, trigger=e.trigger,
        trigger_label=spec.label if spec else OTHER_TRIGGER_LABELS.get(e.trigger, e.trigger),
        from_state=from_state, from_state_label=from_label, to_state=to_state,
        to_state_label=to_label, reason=e.reason, revision_number=e.revision_number,
        actor=person(e.actor), on_behalf_of=person(e.on_behalf_of) if e.on_behalf_of_id else None,
        hash=e.hash)


def revision_out(rev: orm.Revision, positions: dict[int, int], author: orm.User | None,
                 files: list[StoredFile]) -> Revision:
    return Revision(
        programme_id=rev.programme_id, number=rev.number, created_at=rev.created_at,
        created_by=person(author),
        sections=[RevisionSection(requirement_id=s.requirement_id,
                                     position=positions.get(s.requirement_id), text=s.text)
                  for s in sorted(rev.sections, key=lambda s: positions.get(s.requirement_id, 0))],
        # The files this revision was submitted with (they never change).
        files=files)
