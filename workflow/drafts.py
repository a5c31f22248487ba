"""Deleting a draft that was never sent ("Удалить черновик").

A programme the ministry has never seen leaves no trace the ministry needs: its municipality's
editor may delete it, with its sections and its working-copy files (the stored file bodies
stay in the file store, shared by content, for the purge to collect). A programme that was
ever submitted is withdrawn instead, never deleted: its history and revisions are records.
The deletion itself is recorded in the security journal (who, which programme, its title).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from . import campaigns, search
from .errors import IllegalTransition
from .models import Letter, Programme, ProgrammeFile, ProgrammeSection, Remark, WorkflowEvent
from .programme_access import check_editor, ensure_can_see, lock_programme, stale_version
from .signin import log_event
from .states import ProgrammeState

NEVER_SENT = ("Удалить можно только черновик, который ни разу не направлялся в министерство; "
              "направленную программу можно только отозвать")


def may_delete(programme: Programme) -> bool:
    return programme.state == ProgrammeState.DRAFT and programme.revision_number == 0


def delete_draft(session: Session, programme: Programme, actor, *, now: datetime,
                 expected_version: int | None = None) -> dict:
    """Delete the draft; returns what the journal recorded (id, title)."""
    seen = programme.version if expected_version is None else expected_version
    ensure_can_see(programme, actor)
    check_editor(programme.municipality_id, actor)
    lock_programme(session, programme)
    if programme.version != seen:
        raise stale_version(session, programme)
    if not may_delete(programme):
        raise IllegalTransition(NEVER_SENT)
    traces = [session.scalar(select(func.count()).select_from(model)
                             .where(model.programme_id == programme.id))
              for model in (WorkflowEvent, Letter, Remark)]
    if any(traces):
        raise IllegalTransition(NEVER_SENT)
    record = {"id": programme.id, "title": programme.title,
              "municipality_id": programme.municipality_id}
    campaign = programme.campaign
    search.forget_programme(session, programme.id)
    session.execute(delete(ProgrammeFile).where(ProgrammeFile.programme_id == programme.id))
    session.execute(delete(ProgrammeSection).where(ProgrammeSection.programme_id == programme.id))
    session.execute(delete(Programme).where(Programme.id == programme.id, Programme.version == seen))
    session.expunge(programme)
    campaigns.programme_removed(session, campaign, record["municipality_id"])
    log_event(session, "programme.draft_deleted", now=now, user=actor,
              detail=f"programme_id={record['id']} municipality_id={actor.municipality_id} "
                     f"title={record['title'][:300]}")
    session.flush()
    return record
