"""Letter jobs: the signed PDF of a registered letter, produced after the commit.

The one after-commit owner: every session of the app is watched (`watch_sessions`); a
signing session row written in a transaction (`workflow.letter_registration.sign_letter` writes one per
registered letter, whichever screen, API or batch signed it) enqueues that letter's render
job once the transaction commits. Nothing is enqueued for a rolled-back attempt. If the
queue cannot be reached, the request still succeeds: the periodic sweep finds the letter
(registered, no PDF, live signing session) and enqueues it.

A batch's letters go in chunks (RENDER_CHUNK letters a job, `render_letter_pdfs`): one
read of the letters and their sessions, the rendering with no transaction open, then one
transaction storing the chunk's PDFs and settling its batch items; a letter that failed is
retried on its own (`render_letter_pdf`). A worker killed mid-chunk loses only that chunk's
uncommitted work: the letters stay registered without a PDF, and the sweep re-enqueues them.

The job is idempotent: `workflow.letter_dispatch.store_pdf` is a compare-and-set on
`pdf_sha256 IS NULL`, so of two runs only one stores. Failures are retried with an
exponential backoff (JOBS_RETRIES, JOBS_RETRY_DELAY), then recorded on the letter and its
batch item.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from huey import crontab
from sqlalchemy import event, select

import documents.issue as issue
from workflow import bulk_signing, signing_sessions
from workflow.db import unit_of_work
from workflow.models import Letter, SigningSession
from workflow.states import LetterState

from . import enqueue, huey, job_app

log = logging.getLogger(__name__)

_PENDING = "jobs_letters_to_render"
NOT_ENQUEUED = "jobs_not_enqueued"  # session.info: render jobs the queue refused at commit
STALE_AFTER = timedelta(minutes=10)
# Letters a job of a batch renders (JOBS_RENDER_CHUNK in the app's config overrides it).
RENDER_CHUNK = 20


def _now(app) -> datetime:
    clock = app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def _settle(app, letter_id: int, error: str | None = None) -> None:
    with unit_of_work(app.extensions["session_factory"]) as session:
        bulk_signing.settle_item(session, letter_id, error=error, now=_now(app))


def _stored(app, letter_id: int) -> bool:
    with app.extensions["session_factory"]() as session:
        return bool(session.scalar(select(Letter.pdf_sha256.is_not(None))
                                   .where(Letter.id == letter_id)))


def render_once(app, letter_id: int) -> str | None:
    """One attempt: None when the PDF is stored (now or before), else the reason. NeedsPin
    (no live signing session) is final."""
    if _stored(app, letter_id):
        return None
    try:
        issue.render_and_store(app, letter_id)
    except issue.NeedsPin:
        if _stored(app, letter_id):  # another run stored it and closed the session
            return None
        raise
    except Exception as error:  # noqa: BLE001 -- the letter stays registered; retried
        log.warning("letter %s: PDF attempt failed: %s", letter_id, error)
        return str(error) or type(error).__name__
    return None if _stored(app, letter_id) else "PDF не сохранён"


@huey.task()
def render_letter_pdf(letter_id: int, attempt: int = 0) -> None:
    app = job_app()
    try:
        error = render_once(app, letter_id)
    except issue.NeedsPin as needs_pin:
        _settle(app, letter_id, str(needs_pin))
        return
    if error is None:
        _settle(app, letter_id)
        return
    if not _retry(app, letter_id, attempt):
        _settle(app, letter_id, error)


def _retry(app, letter_id: int, attempt: int) -> bool:
    """Schedule the next attempt of a failed letter; False when none is left (or the queue
    refused), so the caller records the failure."""
    if attempt >= int(app.config.get("JOBS_RETRIES") or 0):
        return False
    delay = float(app.config.get("JOBS_RETRY_DELAY") or 0) * (2 ** attempt)
    try:
        render_letter_pdf.schedule((letter_id, attempt + 1), delay=delay)
        return True
    except Exception:  # noqa: BLE001 -- queue gone: the sweep retries it
        log.exception("letter %s: could not schedule a retry", letter_id)
    return False


@huey.task()
def render_letter_pdfs(letter_ids: list[int]) -> None:
    """A chunk of a batch: render every letter, then store and settle them in one transaction.
    A failed letter is retried alone (after the commit); one with no live signing session
    needs the PIN."""
    app = job_app()
    outcomes = issue.render_many(app, list(letter_ids))
    errors = {o.letter_id: str(issue.NeedsPin()) for o in outcomes if o.needs_pin}
    failed = {o.letter_id: o.error for o in outcomes if o.error is not None}
    if not int(app.config.get("JOBS_RETRIES") or 0):
        errors.update(failed)
    with unit_of_work(app.extensions["session_factory"]) as session:
        issue.store_rendered(session, outcomes)
        bulk_signing.settle_items(session, [o.letter_id for o in outcomes], errors=errors,
                                  now=_now(app))
    for letter_id, error in failed.items():
        if letter_id not in errors and not _retry(app, letter_id, 0):
            _settle(app, letter_id, error)


def chunk_size(app, count: int) -> int:
    """JOBS_RENDER_CHUNK letters a job, but at least four jobs for a small batch: every
    worker gets a share."""
    largest = int(app.config.get("JOBS_RENDER_CHUNK") or RENDER_CHUNK)
    return max(1, min(largest, -(-count // 4)))


def enqueue_renders(app, letter_ids) -> int:
    """Enqueue the render jobs of the letters: one job a letter, or one a chunk of letters
    when there are many (a batch, the sweep). Returns how many letters were enqueued."""
    ids = list(letter_ids)
    size = chunk_size(app, len(ids))
    if size == 1:
        return sum(enqueue(render_letter_pdf, letter_id, app=app) for letter_id in ids)
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
    return sum(len(chunk) for chunk in chunks if enqueue(render_letter_pdfs, chunk, app=app))


# ------------------------------------------------------------------ after commit


def watch_sessions(app, factory) -> None:
    def collect(session, _flush_context) -> None:
        ids = [obj.letter_id for obj in session.new if isinstance(obj, SigningSession)]
        if ids:
            session.info.setdefault(_PENDING, []).extend(ids)

    def after_commit(session) -> None:
        if session.in_nested_transaction():  # a savepoint: the real commit comes later
            return
        ids = session.info.pop(_PENDING, None)
        if ids:
            missed = len(ids) - enqueue_renders(app, ids)
            if missed:
                session.info[NOT_ENQUEUED] = session.info.get(NOT_ENQUEUED, 0) + missed

    def forget(session, previous_transaction) -> None:
        if previous_transaction.nested:  # a savepoint: the outer work stands
            return
        session.info.pop(_PENDING, None)

    event.listen(factory, "after_flush", collect)
    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", forget)


# ------------------------------------------------------------------ the sweep


def sweep(app, *, idle: bool | None = None) -> int:
    """Re-enqueue what is pending: registered letters without a PDF and with a live signing
    session. While the queue has work, only letters registered more than STALE_AFTER ago are
    re-enqueued (their job was lost: a worker killed, Redis down at enqueue); when it is idle,
    all of them. Settles batch items (a PDF stored by a killed job; a session expired). Drops
    expired signing sessions. Returns how many jobs it enqueued."""
    factory = app.extensions["session_factory"]
    now = _now(app)
    if idle is None:
        try:
            idle = huey.pending_count() == 0 and huey.scheduled_count() == 0
        except Exception:  # noqa: BLE001 -- no queue: enqueueing fails below, logged
            idle = False
    with unit_of_work(factory) as session:
        signing_sessions.purge_expired_sessions(session, now)
        bulk_signing.reconcile(session, now=now)
        bulk_signing.fail_expired(session, now=now, message=str(issue.NeedsPin()))
    with factory() as session:
        stmt = (select(Letter.id).join(SigningSession, SigningSession.letter_id == Letter.id)
                .where(Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]),
                       Letter.pdf_sha256.is_(None), SigningSession.expires_at > now)
                .order_by(Letter.id))
        if not idle:
            stmt = stmt.where(SigningSession.created_at < now - STALE_AFTER)
        pending = list(session.scalars(stmt))
        session.rollback()
    return enqueue_renders(app, pending)


@huey.on_startup()
def _warm_renderer() -> None:
    """A worker lays out letters from its first job on: fonts and the stylesheet are loaded
    when it starts, not in the first letter's job."""
    from documents.render import get_renderer

    get_renderer()
    log.info("letter renderer ready")


_SWEPT_AT = "letters-swept-at"  # the queue's own key-value store: shared by every worker


def _swept_recently(now: float, gap: float) -> bool:
    """Periodic sweeps wait in the queue behind a batch's chunks and then run back to back;
    each would re-enqueue the chunks still running. One sweep per `gap` seconds is enough."""
    try:
        last = huey.get(_SWEPT_AT, peek=True)
        if last is not None and now - float(last) < gap:
            return True
        huey.put(_SWEPT_AT, now)  # only when sweeping: skipped ones must not push it on
    except Exception:  # noqa: BLE001 -- no queue storage: sweep anyway
        return False
    return False


@huey.periodic_task(crontab(minute="*"))
def sweep_pending() -> None:
    import time

    app = job_app()
    # Half the sweep interval (JOBS_SWEEP_SECONDS; the crontab's minute by default).
    gap = min(float(app.config.get("JOBS_SWEEP_SECONDS") or 60.0), 60.0) / 2
    if _swept_recently(time.time(), gap):
        return
    count = sweep(app)
    if count:
        log.info("sweep: %s letter(s) re-enqueued", count)


def init_app(app) -> None:
    for name in ("session_factory",):
        watch_sessions(app, app.extensions[name])
