"""Letter jobs: the signed PDF of a registered letter, produced after the commit.

The one after-commit owner: every session of the app is watched (`watch_sessions`); a
signing session row written in a transaction (`workflow.letters.sign_letter` writes one per
registered letter, whichever screen, API or batch signed it) enqueues that letter's render
job once the transaction commits. Nothing is enqueued for a rolled-back attempt. If the
queue cannot be reached, the request still succeeds: the periodic sweep finds the letter
(registered, no PDF, live signing session) and enqueues it.

The job is idempotent: `workflow.letters.store_pdf` is a compare-and-set on
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
from workflow import bulk_signing, signing_keys
from workflow.db import unit_of_work
from workflow.models import Letter, SigningSession
from workflow.states import LetterState

from . import enqueue, huey, job_app

log = logging.getLogger(__name__)

_PENDING = "jobs_letters_to_render"
NOT_ENQUEUED = "jobs_not_enqueued"  # session.info: render jobs the queue refused at commit
STALE_AFTER = timedelta(minutes=10)


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
    retries = int(app.config.get("JOBS_RETRIES") or 0)
    if attempt < retries:
        delay = float(app.config.get("JOBS_RETRY_DELAY") or 0) * (2 ** attempt)
        try:
            render_letter_pdf.schedule((letter_id, attempt + 1), delay=delay)
            return
        except Exception:  # noqa: BLE001 -- queue gone: the sweep retries it
            log.exception("letter %s: could not schedule a retry", letter_id)
    _settle(app, letter_id, error)


def enqueue_renders(app, letter_ids) -> int:
    """Enqueue the render job of each letter; how many were enqueued."""
    return sum(enqueue(render_letter_pdf, letter_id, app=app) for letter_id in letter_ids)


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
        signing_keys.purge_expired_sessions(session, now)
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


@huey.periodic_task(crontab(minute="*"))
def sweep_pending() -> None:
    app = job_app()
    count = sweep(app)
    if count:
        log.info("sweep: %s letter(s) re-enqueued", count)


def init_app(app) -> None:
    for name in ("session_factory",):
        watch_sessions(app, app.extensions[name])
