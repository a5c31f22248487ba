"""PDFs off the request path: signing registers and enqueues; a job renders, signs and stores
once; a lost enqueue is delivered by the sweep; failures are retried with backoff."""

from __future__ import annotations

from sqlalchemy import func, select

from documents.issue import trust_roots
from documents.verify import verify_pdf
from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import drain, read_letter
from web.jobs import letters as letter_jobs
from web.jobs.letters import render_letter_pdf, sweep
from workflow.models import SignerCertificate
from workflow.states import LetterState


def test_signing_registers_at_once_and_the_queued_job_stores_the_pdf(app, world, auth, client,
                                                                      by_municipality, queued):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    response = client.post(f"/letters/{letter.id}/sign",
                           data={"version": letter.version, "pin": SIGNING_PIN},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    row, pdf = read_letter(world, letter.id)
    assert row.state == LetterState.SIGNED and row.number == "23/1" and pdf is None
    assert "PDF с электронной подписью формируется" in html
    assert "PDF формируется." in html and 'http-equiv="refresh"' in html
    assert queued.pending_count() == 1

    assert drain(queued) == 1
    row, pdf = read_letter(world, letter.id)
    assert pdf is not None and row.render_error is None
    assert verify_pdf(pdf, trust_roots(app)).ok
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "Скачать PDF с электронной подписью" in page and 'http-equiv="refresh"' not in page


def test_a_job_run_twice_stores_the_pdf_once(app, world, auth, client, by_municipality, queued):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    render_letter_pdf(letter.id)  # a duplicate delivery (the sweep, a retry)
    assert queued.pending_count() == 2
    stores = []
    original = letter_jobs.issue.render_and_store

    def counting(app_, letter_id):
        stored = original(app_, letter_id)
        stores.append(stored)
        return stored

    letter_jobs.issue.render_and_store = counting
    try:
        assert drain(queued) == 2
    finally:
        letter_jobs.issue.render_and_store = original
    row, pdf = read_letter(world, letter.id)
    assert pdf is not None
    assert stores.count(True) == 1  # the second run found the PDF stored and did nothing
    first_hash = row.pdf_sha256
    render_letter_pdf.call_local(letter.id)  # and once more, directly
    assert read_letter(world, letter.id)[0].pdf_sha256 == first_hash


def test_queue_down_at_commit_the_request_succeeds_and_the_sweep_delivers(
        app, world, auth, client, by_municipality, queued, monkeypatch):
    letter = by_municipality["own"]
    auth.login(world.signatory)

    def refused(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(queued.storage, "enqueue", refused)
        response = client.post(f"/letters/{letter.id}/sign",
                               data={"version": letter.version, "pin": SIGNING_PIN},
                               follow_redirects=True)
    assert response.status_code == 200
    assert "№ 23/1" in response.get_data(as_text=True)
    assert queued.pending_count() == 0  # lost between the commit and the queue
    row, pdf = read_letter(world, letter.id)
    assert row.state == LetterState.SIGNED and pdf is None

    assert sweep(app) == 1  # the queue is idle: every pending letter is re-enqueued
    drain(queued)
    assert read_letter(world, letter.id)[1] is not None
    assert sweep(app) == 0  # nothing left pending


def test_while_the_queue_is_busy_the_sweep_leaves_fresh_letters_to_their_jobs(
        app, world, auth, client, by_municipality, queued):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    assert queued.pending_count() == 1
    assert sweep(app) == 0  # its job is queued; not doubled
    world.clock.tick(11)  # but a job lost for longer than STALE_AFTER is re-enqueued
    assert sweep(app) == 1
    drain(queued)
    assert read_letter(world, letter.id)[1] is not None


def test_a_wrong_pin_enqueues_nothing(world, auth, client, by_municipality, queued, fresh):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": "000000"})
    assert queued.pending_count() == 0
    assert read_letter(world, letter.id)[0].state == LetterState.DRAFT
    with fresh() as s:
        assert s.scalar(select(func.sum(SignerCertificate.pin_failures))) == 1


def test_a_failing_render_is_retried_with_backoff_then_recorded(
        app, world, auth, client, by_municipality, queued, monkeypatch):
    from documents.render import LetterRenderer

    app.config.update(JOBS_RETRIES=2, JOBS_RETRY_DELAY=5.0)
    calls = []

    def broken(self, ctx):
        calls.append(1)
        raise OSError("диск переполнен")

    monkeypatch.setattr(LetterRenderer, "render_pdf", broken)
    delays = []
    schedule = render_letter_pdf.schedule

    def recording(args=None, **kwargs):
        delays.append(kwargs["delay"])
        return schedule(args, **kwargs)

    monkeypatch.setattr(render_letter_pdf, "schedule", recording)
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    assert drain(queued, scheduled=False) == 1
    assert queued.scheduled_count() == 1  # the first retry, for later
    assert drain(queued) == 2  # the two retries
    assert len(calls) == 3
    assert delays == [5.0, 10.0]  # exponential backoff
    row, pdf = read_letter(world, letter.id)
    assert pdf is None and "диск переполнен" in row.render_error
    assert queued.scheduled_count() == 0

    monkeypatch.undo()
    page = client.post(f"/letters/{letter.id}/render", follow_redirects=True)
    assert "PDF с электронной подписью формируется" in page.get_data(as_text=True)
    drain(queued)
    assert read_letter(world, letter.id)[1] is not None
