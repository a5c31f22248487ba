"""Rows to JSON-ready dicts, as documented in `openapi.py`. Plain values only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.machine import TRANSITIONS_BY_TRIGGER
from workflow.models import (
    Assessment,
    Letter,
    Municipality,
    Programme,
    ProgrammeFile,
    Remark,
    RemarkReply,
    Requirement,
    Revision,
    RevisionFile,
    User,
    WorkflowEvent,
)
from workflow.operations import ActionOption
from workflow.reassignment import HISTORY_LABELS as OTHER_TRIGGER_LABELS
from workflow.states import (
    LETTER_KIND_LABELS,
    LETTER_STATE_LABELS,
    PROGRAMME_STATE_LABELS,
    REMARK_STATE_LABELS,
    REMARK_VISIBILITY_LABELS,
    ROLE_LABELS,
    VERDICT_LABELS,
    LetterKind,
    LetterState,
    ProgrammeState,
    RemarkState,
    RemarkVisibility,
    Role,
    Verdict,
    state_for_audience,
)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "full_name": user.full_name}


def municipality(m: Municipality | None) -> dict | None:
    if m is None:
        return None
    return {"id": m.id, "code": m.code, "name": m.name}


def user_profile(user: User) -> dict:
    return {
        "id": user.id,
        "login": user.login,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": ROLE_LABELS[Role(user.role)],
        "municipality": municipality(user.municipality),
    }


def _municipal() -> bool:
    from flask import g

    user = getattr(g, "api_user", None)
    return user is not None and user.role == Role.MUNICIPAL_EDITOR


def _state(value: str) -> str:
    return state_for_audience(value, municipal=_municipal())


def programme_summary(p: Programme) -> dict:
    state = _state(p.state)
    return {
        "id": p.id,
        "title": p.title,
        "campaign_id": p.campaign_id,
        "municipality": municipality(p.municipality),
        "state": state,
        "state_label": PROGRAMME_STATE_LABELS[ProgrammeState(state)],
        "version": p.version,
        "revision_number": p.revision_number,
        "period_from": p.period_from,
        "period_to": p.period_to,
        "reviewer": person(p.reviewer),
        "updated_at": iso(p.updated_at),
        "submitted_at": iso(p.submitted_at),
    }


def action(option: ActionOption) -> dict:
    return {
        "trigger": option.trigger,
        "label": option.label,
        "needs_reason": option.needs_reason,
        "danger": option.danger,
        "enabled": option.enabled,
        "blocked_by": list(option.blocked_by),
    }


def stored_file(f: ProgrammeFile | RevisionFile, download_url: str) -> dict:
    return {
        "id": f.id,
        "name": f.name,
        "size": f.size,
        "content_type": f.content_type,
        "sha256": f.sha256,
        "added_at": iso(f.added_at),
        "download_url": download_url,
    }


def programme_detail(session: Session, p: Programme, actions: list[ActionOption],
                     files: list[dict] | None = None) -> dict:
    requirements = {
        r.id: r for r in session.scalars(
            select(Requirement).where(Requirement.campaign_id == p.campaign_id)
        )
    }
    sections = sorted(p.sections, key=lambda s: requirements[s.requirement_id].position)
    return {
        **programme_summary(p),
        "responsible_name": p.responsible_name,
        "responsible_position": p.responsible_position,
        "responsible_phone": p.responsible_phone,
        "outgoing_number": p.outgoing_number,
        "outgoing_date": iso(p.outgoing_date),
        "created_at": iso(p.created_at),
        "sections": [
            {
                "requirement_id": s.requirement_id,
                "position": requirements[s.requirement_id].position,
                "requirement_text": requirements[s.requirement_id].text,
                "text": s.text,
            }
            for s in sections
        ],
        "actions": [action(o) for o in actions],
        # The working copy's files (to the ministry only before the first submission).
        "files": files or [],
    }


def _reply(r: RemarkReply) -> dict:
    return {"id": r.id, "action": r.action, "body": r.body, "author": person(r.author),
            "created_at": iso(r.created_at)}


def remark(r: Remark, revision_numbers: dict[int, int], positions: dict[int, int]) -> dict:
    return {
        "id": r.id,
        "programme_id": r.programme_id,
        "revision_number": revision_numbers.get(r.revision_id),
        "requirement_id": r.requirement_id,
        "requirement_position": positions.get(r.requirement_id),
        "visibility": r.visibility,
        "visibility_label": REMARK_VISIBILITY_LABELS[RemarkVisibility(r.visibility)],
        "state": r.state,
        "state_label": REMARK_STATE_LABELS[RemarkState(r.state)],
        "body": r.body,
        "author": person(r.author),
        "created_at": iso(r.created_at),
        "updated_at": iso(r.updated_at),
        "replies": [_reply(x) for x in r.replies],
    }


def remark_context(session: Session, programme: Programme) -> tuple[dict[int, int], dict[int, int]]:
    """Revision numbers by revision id and requirement positions by id, for `remark`."""
    revisions = dict(session.execute(
        select(Revision.id, Revision.number).where(Revision.programme_id == programme.id)
    ).all())
    positions = dict(session.execute(
        select(Requirement.id, Requirement.position).where(
            Requirement.campaign_id == programme.campaign_id)
    ).all())
    return revisions, positions


def assessment(a: Assessment, revision_number: int, positions: dict[int, int]) -> dict:
    return {
        "id": a.id,
        "programme_id": a.programme_id,
        "revision_number": revision_number,
        "requirement_id": a.requirement_id,
        "requirement_position": positions.get(a.requirement_id),
        "verdict": a.verdict,
        "verdict_label": VERDICT_LABELS[Verdict(a.verdict)],
        "comment": a.comment,
        "assessor": person(a.assessor),
        "assessed_at": iso(a.assessed_at),
        "on_behalf_of": person(a.on_behalf_of) if a.on_behalf_of_id else None,
        "carried_from_revision": a.carried_from_revision,
    }


def history_entry(e: WorkflowEvent) -> dict:
    spec = TRANSITIONS_BY_TRIGGER.get(e.trigger)
    return {
        "seq": e.seq,
        "at": iso(e.at),
        "trigger": e.trigger,
        "trigger_label": spec.label if spec else OTHER_TRIGGER_LABELS.get(e.trigger, e.trigger),
        "from_state": _state(e.from_state),
        "from_state_label": PROGRAMME_STATE_LABELS[ProgrammeState(_state(e.from_state))],
        "to_state": _state(e.to_state),
        "to_state_label": PROGRAMME_STATE_LABELS[ProgrammeState(_state(e.to_state))],
        "reason": e.reason,
        "revision_number": e.revision_number,
        "actor": person(e.actor),
        "on_behalf_of": person(e.on_behalf_of) if e.on_behalf_of_id else None,
        "hash": e.hash,
    }


def revision(rev: Revision, positions: dict[int, int], author: User | None,
             files: list[dict] | None = None) -> dict:
    return {
        "programme_id": rev.programme_id,
        "number": rev.number,
        "created_at": iso(rev.created_at),
        "created_by": person(author),
        "sections": [
            {"requirement_id": s.requirement_id, "position": positions.get(s.requirement_id),
             "text": s.text}
            for s in sorted(rev.sections, key=lambda s: positions.get(s.requirement_id, 0))
        ],
        # The files this revision was submitted with (they never change).
        "files": files or [],
    }


def letter(x: Letter) -> dict:
    return {
        "id": x.id,
        "kind": x.kind,
        "kind_label": LETTER_KIND_LABELS[LetterKind(x.kind)],
        "state": x.state,
        "state_label": LETTER_STATE_LABELS[LetterState(x.state)],
        "version": x.version,
        "programme_id": x.programme_id,
        "campaign_id": x.campaign_id,
        "municipality": municipality(x.municipality),
        "addressee": x.addressee,
        "heading": x.heading,
        "salutation": x.salutation,
        "body": x.body,
        "reply_to_number": x.reply_to_number,
        "reply_to_date": iso(x.reply_to_date),
        "executor_name": x.executor_name,
        "executor_phone": x.executor_phone,
        "number": x.number,
        "registered_on": iso(x.registered_on),
        "signatory": person(x.signatory),
        "signed_at": iso(x.signed_at),
        "dispatched_at": iso(x.dispatched_at),
        "verification_code": x.verification_code,
        "pdf_available": x.pdf_sha256 is not None,
        "pdf_sha256": x.pdf_sha256,
        "created_at": iso(x.created_at),
        "updated_at": iso(x.updated_at),
    }
