"""The municipality's working copy: create a programme, save its fields and sections.

Runs inside the caller's transaction like every use case (see `workflow.operations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import campaigns, programme_access, search
from .access import ensure_active
from .errors import IllegalTransition, InvalidInput
from .models import Campaign, Programme, ProgrammeSection, User
from .programme_access import check_editor, compare_and_set, ensure_can_see, stale_version
from .programme_revisions import refresh_working_redlines
from .states import ProgrammeState
from .text import check_text

MAX_TITLE = 500
MAX_SECTION = 20_000


@dataclass
class DraftFields:
    title: str
    period_from: int
    period_to: int
    responsible_name: str = ""
    responsible_position: str = ""
    responsible_phone: str = ""
    outgoing_number: str | None = None
    outgoing_date: date | None = None


def _validate_fields(fields: DraftFields) -> DraftFields:
    title = check_text(fields.title or "", "Название программы", "title").strip()
    if not title:
        raise InvalidInput("Укажите название программы", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Название длиннее {MAX_TITLE} символов", field="title")
    if not (2000 <= fields.period_from <= fields.period_to <= 2100):
        raise InvalidInput(
            "Период реализации указан неверно: год начала не позже года окончания, 2000–2100",
            field="period_from",
        )
    for name, label in FIELD_LABELS.items():
        value = getattr(fields, name)
        if value is not None:
            value = check_text(value, label, name)
            setattr(fields, name, value)
        # The column's own length, so no value can reach the database and fail there.
        limit = Programme.__table__.c[name].type.length
        if value is not None and len(value) > limit:
            raise InvalidInput(f"Поле «{label}» длиннее {limit} символов", field=name)
    fields.title = title
    return fields


FIELD_LABELS = {
    "responsible_name": "Ответственный",
    "responsible_position": "Должность ответственного",
    "responsible_phone": "Телефон ответственного",
    "outgoing_number": "Исходящий номер",
}


def _check_title_free(session: Session, campaign_id: int, municipality_id: int, title: str,
                      programme_id: int | None = None) -> None:
    clash = select(func.count(Programme.id)).where(
        Programme.campaign_id == campaign_id,
        Programme.municipality_id == municipality_id,
        Programme.title == title,
    )
    if programme_id is not None:
        clash = clash.where(Programme.id != programme_id)
    if session.scalar(clash):
        raise InvalidInput("Программа с таким названием уже есть в этой кампании", field="title")


def create_programme(
    session: Session, campaign: Campaign, actor: User, fields: DraftFields, *, now: datetime,
    sections: dict[int, str] | None = None,
) -> Programme:
    ensure_active(actor)
    check_editor(actor.municipality_id, actor)
    fields = _validate_fields(fields)
    campaigns.ensure_may_start_programme(session, campaign, actor.municipality_id)
    _check_title_free(session, campaign.id, actor.municipality_id, fields.title)
    programme = Programme(
        campaign_id=campaign.id,
        municipality_id=actor.municipality_id,
        state=ProgrammeState.DRAFT,
        version=1,
        revision_number=0,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        updated_by_id=actor.id,
        **vars(fields),
    )
    texts = _validate_sections(campaign, sections or {})
    programme.sections = [
        ProgrammeSection(requirement_id=r.id, text=texts.get(r.id, "")) for r in campaign.requirements
    ]
    session.add(programme)
    session.flush()
    campaigns.programme_started(session, campaign, actor.municipality_id, now=now)
    search.reindex_programme(session, programme)
    return programme


def _validate_sections(campaign: Campaign, sections: dict[int, str]) -> dict[int, str]:
    known = {r.id for r in campaign.requirements}
    cleaned = {}
    for rid, text in sections.items():
        if rid not in known:
            raise InvalidInput("Раздел не относится к требованиям этой кампании", field="sections")
        label = f"Раздел по требованию № {_position(campaign, rid)}"
        text = check_text(text or "", label, f"section_{rid}").replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            raise InvalidInput(f"Раздел длиннее {MAX_SECTION} символов", field=f"section_{rid}")
        cleaned[rid] = text
    return cleaned


def _position(campaign: Campaign, requirement_id: int) -> int:
    return next(r.position for r in campaign.requirements if r.id == requirement_id)


def update_draft(
    session: Session, programme: Programme, actor: User, *, now: datetime,
    expected_version: int | None = None, fields: DraftFields | None = None,
    sections: dict[int, str] | None = None,
) -> Programme:
    """Save the municipality's working copy. Bumps the version, so a stale form is caught."""
    seen_version = programme.version if expected_version is None else expected_version
    ensure_can_see(programme, actor)
    check_editor(programme.municipality_id, actor)
    campaigns.ensure_programmes_editable(programme.campaign)
    programme_access.lock_programme(session, programme)
    if programme.version != seen_version:
        raise stale_version(session, programme)
    if not programme.editable:
        raise IllegalTransition(
            "Программу можно изменять только в состоянии «Черновик» или «Возвращена на доработку»"
        )
    values: dict = {"version": seen_version + 1, "updated_at": now, "updated_by_id": actor.id}
    if fields is not None:
        values.update(vars(_validate_fields(fields)))
        _check_title_free(session, programme.campaign_id, programme.municipality_id,
                          values["title"], programme.id)
    compare_and_set(session, programme, values, Programme.version == seen_version)
    if sections:
        texts = _validate_sections(programme.campaign, sections)
        by_requirement = {s.requirement_id: s for s in programme.sections}
        edited = {rid for rid, text in texts.items() if by_requirement[rid].text != text}
        for rid, text in texts.items():
            by_requirement[rid].text = text
        refresh_working_redlines(session, programme, edited)
    session.flush()
    search.reindex_programme(session, programme)
    return programme

