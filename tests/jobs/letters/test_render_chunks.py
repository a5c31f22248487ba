"""A batch's PDFs in chunks: one job renders several letters and stores them in one
transaction; each letter still gets exactly one PDF that verifies, a failed letter is retried
alone, a lost or crashed chunk is re-enqueued by the sweep, and the progress counts are
exact."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from documents.issue import trust_roots
from documents.verify import verify_pdf
from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import drain, letter_rows
from web.jobs import letters as letter_jobs
from web.jobs.letters import chunk_size, sweep
from workflow.models import Letter, SignBatch, SignBatchItem, SigningSession

LETTERS = 8


@pytest.fixture
def drafts(world, make_letters):
    return sorted(make_letters("circular")[0].id for _ in range(LETTERS))


@pytest.fixture
def chunked(app):
    app.config.update(JOBS_RENDER_CHUNK=3)  # 8 letters: chunks of 2 (at least four jobs)
    return app


def _sign(client, ids):
    return client.post("/signing/sign", data={"letter": [str(i) for i in ids],
                                              "pin": SIGNING_PIN, "confirm": "y"},
                       follow_redirects=True)


def _batch(fresh):
    with fresh() as s:
        batch = s.scalars(select(SignBatch)).one()
        return batch.total, batch.done, batch.failed, batch.state


def test_chunk_size_gives_every_worker_a_share(chunked):
    assert [chunk_size(chunked, n) for n in (1, 3, 4, 8, 12, 2300)] == [1, 1, 1, 2, 3, 3]


def test_a_batch_is_rendered_in_chunks_each_letter_once_and_verified(
        chunked, world, auth, client, drafts, queued, fresh):
    auth.login(world.signatory)
    _sign(client, drafts)
    assert queued.pending_count() == LETTERS // 2  # four chunk jobs, not eight letter jobs
    # The chunks, then the mail each stored PDF sends (the municipality's letter with its PDF).
    assert drain(queued) >= LETTERS // 2
    rows = letter_rows(world, drafts)
    assert [r.seq for r in rows] == list(range(1, LETTERS + 1))
    assert all(r.pdf_sha256 for r in rows)
    with fresh() as s:
        pdfs = dict(s.execute(select(Letter.id, Letter.pdf).where(Letter.id.in_(drafts))).all())
        assert s.scalar(select(func.count()).select_from(SigningSession)) == 0
        # Stored by the chunks themselves, not by per-letter retries after a chunk failed.
        assert s.scalars(select(Letter.render_error).where(Letter.id.in_(drafts))).all() \
            == [None] * LETTERS
    roots = trust_roots(chunked)
    assert all(verify_pdf(pdf, roots).ok for pdf in pdfs.values())
    assert _batch(fresh) == (LETTERS, LETTERS, 0, "finished")

    # A chunk delivered twice (the sweep, a redelivery) stores nothing more.
    hashes = {r.id: r.pdf_sha256 for r in rows}
    letter_jobs.render_letter_pdfs.call_local(drafts[:3])
    assert {r.id: r.pdf_sha256 for r in letter_rows(world, drafts)} == hashes
    assert _batch(fresh) == (LETTERS, LETTERS, 0, "finished")


def test_a_chunk_renders_and_signs_every_letter_itself(
        chunked, world, auth, client, drafts, queued):
    # The chunk's own renderer, not the per-letter retry that follows a failed chunk: a
    # chunk that fails every letter still ends with every PDF stored, so check it directly.
    from documents.issue import render_many

    auth.login(world.signatory)
    _sign(client, drafts)
    outcomes = render_many(chunked, drafts[:3])
    assert [(o.letter_id, o.error, o.needs_pin) for o in outcomes] == \
        [(letter_id, None, False) for letter_id in drafts[:3]]
    roots = trust_roots(chunked)
    assert all(verify_pdf(o.signed.pdf, roots).ok for o in outcomes)


def test_a_failing_letter_of_a_chunk_is_retried_alone_then_listed(
        chunked, world, auth, client, drafts, queued, fresh, monkeypatch):
    from documents.render import LetterRenderer

    chunked.config.update(JOBS_RETRIES=1, JOBS_RETRY_DELAY=0.0)
    original = LetterRenderer.render_pdf

    def flaky(self, ctx):
        if ctx.number == "23/3":
            raise OSError("диск переполнен")
        return original(self, ctx)

    monkeypatch.setattr(LetterRenderer, "render_pdf", flaky)
    auth.login(world.signatory)
    _sign(client, drafts)
    assert drain(queued) >= LETTERS // 2 + 1  # the chunks, the one retry (and the mail)
    assert _batch(fresh) == (LETTERS, LETTERS - 1, 1, "finished")
    with fresh() as s:
        item = s.scalars(select(SignBatchItem).where(SignBatchItem.state == "failed")).one()
        assert "диск переполнен" in item.error and item.letter_id == drafts[2]
        assert "диск переполнен" in s.get(Letter, drafts[2]).render_error

    monkeypatch.undo()
    client.post(f"/letters/{drafts[2]}/render")
    drain(queued)
    assert _batch(fresh) == (LETTERS, LETTERS, 0, "finished")


def test_chunks_lost_with_a_crashed_worker_are_re_enqueued_by_the_sweep(
        chunked, world, auth, client, drafts, queued, fresh):
    auth.login(world.signatory)
    _sign(client, drafts)
    queued.execute(queued.dequeue())  # the first chunk is stored ...
    queued.flush()  # ... then the worker dies and the queue loses the rest
    assert _batch(fresh) == (LETTERS, 2, 0, "running")
    assert sweep(chunked) == LETTERS - 2  # idle queue: every letter without its PDF
    drain(queued)
    assert all(r.pdf_sha256 for r in letter_rows(world, drafts))
    assert _batch(fresh) == (LETTERS, LETTERS, 0, "finished")


def test_a_crash_while_storing_a_chunk_stores_none_of_it(
        chunked, world, auth, client, drafts, queued, fresh, monkeypatch):
    auth.login(world.signatory)
    _sign(client, drafts)

    def crash(session, letter_ids, **kwargs):
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(letter_jobs.bulk_signing, "settle_items", crash)
        queued.execute(queued.dequeue())  # the job fails (Huey logs it)
    assert not any(r.pdf_sha256 for r in letter_rows(world, drafts[:2]))  # rolled back
    queued.flush()
    assert sweep(chunked) == LETTERS
    drain(queued)
    assert _batch(fresh) == (LETTERS, LETTERS, 0, "finished")


def test_a_chunk_whose_sessions_expired_asks_for_the_pin(
        chunked, world, auth, client, drafts, queued, fresh):
    auth.login(world.signatory)
    _sign(client, drafts)
    world.clock.tick(24 * 60)  # the signing sessions expire before any worker runs
    assert drain(queued) == LETTERS // 2  # no retries: only the PIN helps
    total, done, failed, state = _batch(fresh)
    assert (total, done, failed, state) == (LETTERS, 0, LETTERS, "finished")
    with fresh() as s:
        errors = set(s.scalars(select(SignBatchItem.error)))
    assert len(errors) == 1 and "PIN" in errors.pop()


def test_periodic_sweeps_queued_back_to_back_sweep_once(
        chunked, world, auth, client, drafts, queued, fresh):
    auth.login(world.signatory)
    _sign(client, drafts)
    queued.flush()  # the chunks are lost: only a sweep brings them back
    world.clock.tick(11)
    letter_jobs.sweep_pending.call_local()
    assert queued.pending_count() == LETTERS // 2
    letter_jobs.sweep_pending.call_local()  # the next one, right after: nothing doubled
    assert queued.pending_count() == LETTERS // 2
