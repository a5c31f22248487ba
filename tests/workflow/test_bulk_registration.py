"""Registering a selection set-based (`letter_registration.register_letters`, bulk signing)
freezes exactly what registering the same letters one after another does: the same numbers
in the order shown, byte-identical `final_data`, the same journal hash chain and seals, one
signing session a letter, the same notifications and mails. Both paths run on the same
drafts at the same instant, the batch inside a savepoint that is then rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import SIGNING_PIN, TEST_SEALER, decision_letter, programme_in
from tests.jobs.letters_fixtures import away, make_deputy
from workflow import bulk_signing, letter_drafting, letter_registration
from workflow.models import Letter, MailOutbox, Notification, SigningSession
from workflow.states import LetterState, ProgrammeState

FROZEN = ("state", "version", "journal_index", "journal_year", "seq", "number",
          "registered_on", "signatory_id", "signed_at", "final_data", "prev_hash", "hash",
          "seal", "updated_at")


def _drafts(w) -> list[int]:
    """A decision letter (its decision applies at signing, its editors are told), a circular
    and the reminders, listed in an order that is not the ids' order."""
    decision = decision_letter(w, programme_in(w, ProgrammeState.DECISION_PENDING))
    circular = letter_drafting.draft_circular(
        w.session, w.campaign, w.reviewer, now=w.clock.tick(), heading="О программах",
        body="Первый абзац.\n\nВторой абзац.")
    reminders = letter_drafting.draft_reminders(w.session, w.campaign, w.reviewer,
                                                now=w.clock.tick())
    w.session.commit()
    return [r.id for r in reversed(reminders)] + [decision.id, circular.id]


def _substitute(w):
    """A deputy who substitutes the world's absent signatory today (signs as «И.о.»)."""
    deputy = make_deputy(w)
    away(w, deputy)
    return deputy


def _state(s, ids, since: dict) -> dict:
    letters = {row.id: row for row in s.scalars(select(Letter).where(Letter.id.in_(ids))
                                                 .execution_options(populate_existing=True))}
    return {
        "letters": [tuple(getattr(letters[i], name) for name in FROZEN) for i in ids],
        "sessions": sorted(s.execute(select(SigningSession.letter_id,
                                            SigningSession.certificate_id)).all()),
        "notifications": s.execute(
            select(Notification.recipient_id, Notification.kind, Notification.text,
                   Notification.link, Notification.mail_pending)
            .where(Notification.id > since["n"]).order_by(Notification.id)).all(),
        "mails": s.execute(
            select(MailOutbox.recipient_id, MailOutbox.subject, MailOutbox.body,
                   MailOutbox.letter_id).where(MailOutbox.id > since["m"])
            .order_by(MailOutbox.id)).all(),
    }


@pytest.mark.parametrize("acting", [False, True], ids=["own", "acting"])
def test_a_batch_registers_exactly_as_one_letter_after_another(world, acting):
    w = world
    s = w.session
    ids = _drafts(w)
    actor, acting_for = (_substitute(w), w.signatory) if acting else (w.signatory, None)
    since = {"n": s.scalar(select(func.coalesce(func.max(Notification.id), 0))),
             "m": s.scalar(select(func.coalesce(func.max(MailOutbox.id), 0)))}
    now = w.clock.tick()

    savepoint = s.begin_nested()
    bulk_signing.sign_batch(s, ids, actor, now=now, pin=SIGNING_PIN, sealer=TEST_SEALER,
                            acting_for=acting_for)
    s.flush()
    batch = _state(s, ids, since)
    savepoint.rollback()

    assert s.scalar(select(func.count()).where(Letter.id.in_(ids),
                                               Letter.state == LetterState.DRAFT)) == len(ids)
    for letter_id in ids:
        letter_registration.sign_letter(s, s.get(Letter, letter_id), actor, now=now,
                                        pin=SIGNING_PIN, sealer=TEST_SEALER,
                                        acting_for=acting_for)
    s.flush()
    one_by_one = _state(s, ids, since)

    seqs = [row[FROZEN.index("seq")] for row in batch["letters"]]
    assert seqs == list(range(seqs[0], seqs[0] + len(ids)))  # gapless, in the order shown
    assert batch["letters"] == one_by_one["letters"]  # byte-identical final_data, same chain
    assert batch["sessions"] == one_by_one["sessions"]
    assert batch["notifications"] == one_by_one["notifications"]
    assert batch["mails"] == one_by_one["mails"]
    assert any(n[1] == "letter.signed" for n in batch["notifications"])
