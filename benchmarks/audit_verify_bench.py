"""Cost of the keyed audit chains: sealing on write, and `verify-audit` over every row.

Seeds a SQLite file with N programmes of 6 history entries each and M registered letters
(sealed with the key, checkpoint written), then times the full verification (history,
journal, seals, checkpoint) next to the old plain SHA-256 check of the same rows, and the
re-seal. Prints figures; asserts nothing about time.

Run: python benchmarks/audit_verify_bench.py [--programmes 2300] [--letters 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import FakeClock  # noqa: E402
from tests.factories import build_world  # noqa: E402
from workflow import (  # noqa: E402
    audit,
    audit_checkpoint,
    audit_legacy,
    audit_reseal,
    audit_sealing,
    audit_verify,
)
from workflow.db import make_engine, make_session_factory  # noqa: E402
from workflow.models import Base, Letter, Municipality, Programme, WorkflowEvent  # noqa: E402

TRIGGERS = [("submit", "draft", "submitted"), ("start_review", "submitted", "in_review"),
            ("return_for_revision", "in_review", "returned"), ("resubmit", "returned", "submitted"),
            ("start_review", "submitted", "in_review"), ("approve", "in_review", "approved")]


def seed(factory, programmes: int, letters: int) -> None:
    with factory() as s:
        clock = FakeClock()
        w = build_world(s, clock)
        s.flush()
        for i in range(programmes):
            m = Municipality(code=f"mo-{i}", name=f"Округ № {i}", kind="округ")
            s.add(m)
            s.flush()
            p = Programme(campaign_id=w.campaign.id, municipality_id=m.id, title=f"Программа {i}",
                          period_from=2026, period_to=2028, state="approved", version=7,
                          revision_number=2, reviewer_id=w.reviewer.id, created_by_id=w.editor.id,
                          created_at=clock(), updated_at=clock())
            s.add(p)
            s.flush()
            prev = audit.GENESIS
            for seq, (trigger, a, b) in enumerate(TRIGGERS, 1):
                e = WorkflowEvent(programme_id=p.id, seq=seq, actor_id=w.reviewer.id,
                                  at=clock.tick(1), trigger=trigger, from_state=a, to_state=b,
                                  reason="Причина решения " * 5, revision_number=1 + (seq > 3),
                                  prev_hash=prev)
                audit_sealing.seal_event(s, e)
                s.add(e)
                prev = e.hash
            if i % 200 == 0:
                s.commit()
        s.commit()
        prev = audit.GENESIS
        for n in range(1, letters + 1):
            now = clock.tick(1)
            letter = Letter(kind="circular", state="draft", version=1, addressee="Адресат",
                            heading="Заголовок", salutation="Уважаемые коллеги!",
                            body="Текст письма. " * 80, created_at=now, updated_at=now,
                            verification_code=f"{n:032x}", journal_index="23", journal_year=0,
                            seq=n, number=f"23/{n}", registered_on=now.date(),
                            signatory_id=w.signatory.id, signed_at=now,
                            final_data='{"body": "' + "Текст письма. " * 80 + '"}',
                            pdf_sha256="ab" * 32, prev_hash=prev)
            s.add(letter)
            s.flush()  # the id is under the hash, as in sign_letter
            letter.state, letter.version = "signed", 2
            audit_sealing.seal_letter(s, letter)
            prev = letter.hash
            if n % 500 == 0:
                s.commit()
        s.commit()


def legacy_verify(session) -> None:
    """The old check's hashing over the same rows: plain SHA-256, fewer letter fields."""
    prev = {}
    for row in session.execute(WorkflowEvent.__table__.select().order_by(
            WorkflowEvent.programme_id, WorkflowEvent.seq)):
        p = prev.get(row.programme_id, audit.GENESIS)
        audit_legacy.legacy_chain_hash(p, audit_legacy.legacy_event_fields(row))
        prev[row.programme_id] = row.hash
    p = audit.GENESIS
    for row in session.execute(Letter.__table__.select().where(Letter.seq.is_not(None))
                               .order_by(Letter.seq)):
        audit_legacy.legacy_chain_hash(p, audit_legacy.legacy_letter_fields(row))
        p = row.hash


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programmes", type=int, default=2300)
    parser.add_argument("--letters", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = audit.AuditConfig(os.urandom(32), Path(tmp) / "audit")
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        Base.metadata.create_all(engine)
        factory = make_session_factory(engine, cfg)
        started = time.perf_counter()
        seed(factory, args.programmes, args.letters)
        seeded = time.perf_counter() - started
        events = args.programmes * len(TRIGGERS)
        print(f"seeded {events} history entries and {args.letters} letters in {seeded:.1f} s "
              f"(sealing included); checkpoint {cfg.checkpoint_path.stat().st_size / 1e6:.1f} MB")

        with factory() as s:
            started = time.perf_counter()
            report = audit_verify.verify_all(s, cfg)
            full = time.perf_counter() - started
            assert not report.breaks, report.breaks[:3]
            started = time.perf_counter()
            legacy_verify(s)
            legacy = time.perf_counter() - started
            started = time.perf_counter()
            audit_checkpoint.read_checkpoint(cfg)
            checkpoint = time.perf_counter() - started
            started = time.perf_counter()
            result = audit_reseal.reseal(s, cfg)
            reseal = time.perf_counter() - started
            s.rollback()
        rows = events + args.letters
        print(f"verify-audit (keyed, all fields, seals, checkpoint): {full:.2f} s for {rows} rows "
              f"= {full / rows * 1e6:.0f} µs/row (of which reading the checkpoint {checkpoint:.2f} s)")
        print(f"old plain SHA-256 check, same rows: {legacy:.2f} s")
        print(f"audit-reseal (verify + rewrite checkpoint records, status {result.status}): "
              f"{reseal:.2f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
