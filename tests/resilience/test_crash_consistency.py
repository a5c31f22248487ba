"""Kill the server with SIGKILL at random moments while users work; nothing acknowledged
may be lost, nothing may be doubled, and the journal and audit chains must stay whole.

KILL_ROUNDS (default 6) sets the number of crashes; the README documents a longer run.
"""

from __future__ import annotations

import os
import random
import threading
import time

import pytest
from sqlalchemy import select

from documents.issue import issue_pending_letters, trust_roots
from documents.verify import verify_pdf
from workflow.models import Letter
from workflow.states import LetterState

from .driver import Acks, ProgrammeDriver
from .harness import Server, open_prepared, prepare_database
from .invariants import check

pytestmark = [pytest.mark.slow]

ROUNDS = int(os.environ.get("KILL_ROUNDS", "6"))
EDITORS = 4


class _AppLike:
    """What documents.issue needs of the server: its settings and a session factory."""

    def __init__(self, factory, instance):
        self.config = {"PKI_DIR": str(instance / "pki"),
                       "SIGNING_SESSION_KEY": os.environ["SIGNING_SESSION_KEY"]}
        self.extensions = {"session_factory": factory}


def test_sigkill_during_transitions_and_signing_loses_and_doubles_nothing(scratch_db_url, tmp_path):
    crash_db_url = scratch_db_url
    instance = tmp_path / "instance"
    instance.mkdir()
    prepare_database(crash_db_url, instance, editors=EDITORS)
    engine, factory, campaign_id, requirement_ids = open_prepared(crash_db_url)

    server = Server(crash_db_url, instance, workers=2, threads=2)
    server.start()
    acks, stop = Acks(), threading.Event()
    drivers = [ProgrammeDriver(server.base, f"ed{i}", acks, stop, seed=i) for i in range(EDITORS)]
    threads = [threading.Thread(target=d.run, args=(campaign_id, requirement_ids), daemon=True)
               for d in drivers]
    for t in threads:
        t.start()
    rng = random.Random(20261126)
    try:
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.4, 1.6))
            server.kill()
            server.start()
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        server.stop()

    # Letters signed just before a kill may lack their PDF. Nobody types a PIN here: the
    # sweep renders them through their signing sessions (sealed with the server's key).
    with factory() as s:
        pending = s.scalars(select(Letter.id).where(
            Letter.state == LetterState.SIGNED, Letter.pdf_sha256.is_(None))).all()
    sweeper = _AppLike(factory, instance)
    issue_pending_letters(sweeper)
    with factory() as s:
        for letter_id in pending:
            pdf = s.scalar(select(Letter.pdf).where(Letter.id == letter_id))
            assert pdf is not None, f"letter {letter_id} still has no PDF after the sweep"
            assert verify_pdf(pdf, trust_roots(sweeper)).ok

    with factory() as s:
        problems = check(s, acks)
        unrendered = s.scalars(select(Letter.id).where(
            Letter.state == LetterState.SIGNED, Letter.pdf_sha256.is_(None))).all()
    engine.dispose()
    print(f"\ncrash test: {ROUNDS} SIGKILL rounds, {acks.requests} requests, "
          f"{len(acks.transitions)} acknowledged transitions, {len(acks.signed)} signed letters, "
          f"{len(pending)} PDFs re-rendered after crashes, {len(acks.server_errors)} 5xx")
    assert len(acks.transitions) > ROUNDS, "the drivers made too little progress to prove anything"
    assert acks.server_errors == []
    assert problems == []
    assert unrendered == []
