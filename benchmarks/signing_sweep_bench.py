"""Crash recovery with per-signatory keys: what the sweep costs, and what a PIN costs.

Registers N letters as a signatory does (PIN opens the key, signing session sealed with the
server key), then drops the rendering, as a process killed between the commit and the PDF
would. Prints: opening the key with the PIN (right and wrong), registering with a session,
and the sweep rendering every pending letter through its session (per letter and in total).

Run: python benchmarks/signing_sweep_bench.py [--n 20] [--url DATABASE_URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The audit chains are keyed (workflow/audit.py); a benchmark brings its own key.
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")

from sqlalchemy import func, select  # noqa: E402

from benchmarks.drafted_letters import AppLike, draft_letters  # noqa: E402
from documents.issue import issue_pending_letters  # noqa: E402
from tests.factories import SIGNING_PIN, TEST_SEALER  # noqa: E402
from workflow import (  # noqa: E402
    letter_registration,
    signatory_certificates,
    signing_errors,
    signing_keys,
    signing_pkcs12,
)
from workflow.models import Letter, SigningSession, User  # noqa: E402


def _ms(samples):
    return f"median {statistics.median(samples):6.1f} ms  mean {statistics.mean(samples):6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        drafted = draft_letters(args.url or f"sqlite:///{tmp}/bench.db",
                                [f"Письмо {i}" for i in range(args.n)], "Текст письма.")
        engine, factory, clock = drafted.engine, drafted.factory, drafted.clock
        ids, signatory_id = drafted.ids, drafted.signatory_id

        unlock_ok, unlock_wrong, register = [], [], []
        for letter_id in ids:
            with factory() as session:
                user = session.get(User, signatory_id)
                t = time.perf_counter()
                signing_keys.unlock(session, user, SIGNING_PIN, now=clock())
                unlock_ok.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                try:
                    signing_pkcs12.open_pkcs12(
                        signatory_certificates.current_certificate(session, user, clock()).pkcs12, "wrong")
                except signing_errors.WrongPin:
                    unlock_wrong.append((time.perf_counter() - t) * 1000)
                session.rollback()
            with factory() as session:
                t = time.perf_counter()
                letter_registration.sign_letter(session, session.get(Letter, letter_id),
                                                session.get(User, signatory_id), now=clock.tick(),
                                                pin=SIGNING_PIN, sealer=TEST_SEALER)
                session.commit()
                register.append((time.perf_counter() - t) * 1000)
        # ... and the process dies here: no PDF was rendered.
        app = AppLike(factory, clock)
        t = time.perf_counter()
        stored = issue_pending_letters(app)
        sweep_s = time.perf_counter() - t
        with factory() as session:
            left = session.scalar(select(func.count(SigningSession.id)))
            missing = session.scalar(select(func.count(Letter.id)).where(Letter.pdf_sha256.is_(None)))
        again = issue_pending_letters(app)
        engine.dispose()
    assert stored == args.n and left == 0 and missing == 0 and again == 0
    print(f"letters: {args.n}; database {engine.dialect.name}")
    print(f"open the signatory's key with the right PIN:      {_ms(unlock_ok)}")
    print(f"refuse a wrong PIN:                               {_ms(unlock_wrong)}")
    print(f"register (number, PIN, sealed signing session):   {_ms(register)}")
    print(f"sweep after the 'crash': {stored} PDFs in {sweep_s:.2f} s "
          f"({sweep_s * 1000 / stored:.0f} ms a letter); sessions left {left}; second sweep {again}")


if __name__ == "__main__":
    main()
