"""What must hold in the database after any crash."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from workflow import audit_verify
from workflow.models import Letter, Programme, Revision, WorkflowEvent
from workflow.states import LetterKind, LetterState


def check(session, acks) -> list[str]:
    problems = []
    events = defaultdict(list)
    for e in session.scalars(select(WorkflowEvent).order_by(WorkflowEvent.programme_id, WorkflowEvent.seq)):
        events[e.programme_id].append(e)
    revisions = Counter(session.scalars(select(Revision.programme_id)))
    letters_by_programme = defaultdict(list)
    for letter in session.scalars(select(Letter).where(Letter.programme_id.is_not(None))):
        letters_by_programme[letter.programme_id].append(letter)
    for p in session.scalars(select(Programme)):
        history = events[p.id]
        expected = history[-1].to_state if history else "draft"
        if p.state != expected:
            problems.append(f"programme {p.id}: state {p.state}, last history entry says {expected}")
        freezes = sum(e.trigger in ("submit", "resubmit") for e in history)
        if revisions[p.id] != freezes or p.revision_number != freezes:
            problems.append(f"programme {p.id}: {revisions[p.id]} revisions for {freezes} submissions")
        approvals = sum(e.trigger == "approve" for e in history)
        approval_letters = [x for x in letters_by_programme[p.id] if x.kind == LetterKind.APPROVAL]
        if len(approval_letters) != approvals:
            problems.append(f"programme {p.id}: {len(approval_letters)} approval letters for {approvals} approvals")
        triggers = Counter(e.trigger for e in history)
        doubled = [t for t, n in triggers.items() if n > 1]
        if doubled:
            problems.append(f"programme {p.id}: doubled transitions {doubled}")
    seen = {(e.programme_id, e.trigger) for es in events.values() for e in es}
    for pid, trigger, _version in acks.transitions:
        if (pid, trigger) not in seen:
            problems.append(f"lost acknowledged transition {trigger} of programme {pid}")
    signed = session.scalars(select(Letter).where(
        Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]))).all()
    for letter in signed:
        if not letter.number:
            problems.append(f"signed letter {letter.id} has no number")
    numbers = {x.id: x.number for x in signed}
    for letter_id, number in acks.signed:
        if numbers.get(letter_id) != number:
            problems.append(f"lost acknowledged signature of letter {letter_id} ({number})")
    seqs = sorted(x.seq for x in signed)
    if seqs and seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        problems.append(f"journal numbers are not gapless: {seqs}")
    if len(set(numbers.values())) != len(numbers):
        problems.append("duplicate journal numbers")
    broken = audit_verify.verify_history(session) or audit_verify.verify_journal(session)
    if broken:
        problems.append(f"audit chain broken: {broken.message}")
    return problems
