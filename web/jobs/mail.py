"""E-mail delivery jobs: the outbox (workflow/outbox.py) holds what must be sent; these jobs
send it through MAIL_URL's transport, with retries and backoff, exactly once per
idempotency key as far as SMTP allows (see NOTES-notify.md):

1. claim: pending -> sending (compare-and-set, committed) — only one worker goes on;
2. send (SMTP or a .eml file), outside any transaction;
3. record: sending -> sent (or back to pending with the next attempt's time, or failed).

A worker killed between 2 and 3 leaves the row `sending`; after the lease (10 min) it is
claimed again and re-sent with the same Message-ID: at-least-once in that window, chosen over
losing a return letter's notice. A mail with a letter waits (without counting attempts) until
the letter's PDF is stored, MAIL_PDF_WAIT at most, then goes with the link only.

Tasks: `deliver_mail(id)` (enqueued after the commit that queued the mail, by a session
hook), `mail_sweep` (every minute: whatever is due, e.g. after Redis was down at enqueue
time), `signing_batches` (every 15 minutes: one mail per signatory for letters awaiting
signature), and the daily digest in `daily_digest` (hourly; acts at DAILY_JOBS_HOUR).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from documents.filenames import mail_attachment_pdf
from web.jobs import huey, job_app
from web.mailer import Outgoing, build_message, transport_for
from workflow import notifications, outbox, timefmt
from workflow.db import unit_of_work
from workflow.models import OrganisationProfile

log = logging.getLogger(__name__)

PDF_POLL = timedelta(minutes=1)


def _clock(app, now: datetime | None) -> datetime:
    return now or app.config["CLOCK"]()


def _profile(session: Session) -> OrganisationProfile | None:
    from sqlalchemy import select

    return session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))


def site_url(app, session: Session) -> str:
    if app.config.get("PUBLIC_BASE_URL"):
        return app.config["PUBLIC_BASE_URL"]
    profile = _profile(session)
    return (profile.public_base_url if profile else "") or "http://127.0.0.1:5000"


def deliver(app, mail_id: int, *, now: datetime | None = None) -> str:
    """Send one mail if it is due and nobody else has it: "sent", "retry", "failed",
    "waiting" (its letter has no PDF yet) or "skipped"."""
    now = _clock(app, now)
    factory = app.extensions["session_factory"]
    with unit_of_work(factory) as session:
        claimed = outbox.claim(session, mail_id, now)
        site = site_url(app, session) if claimed else ""
    if claimed is None:
        return "skipped"
    attachment = None
    if claimed.letter_id is not None:
        with unit_of_work(factory) as session:
            number, pdf = outbox.letter_pdf(session, claimed.letter_id)
        if pdf is not None:
            attachment = (mail_attachment_pdf(number, claimed.letter_id), pdf)
        elif now - claimed.created_at < app.config["MAIL_PDF_WAIT"]:
            with unit_of_work(factory) as session:
                outbox.postpone(session, claimed, now + PDF_POLL, "ждёт PDF письма")
            _schedule(mail_id, PDF_POLL)
            return "waiting"
    message = build_message(
        Outgoing(claimed.key, claimed.address, claimed.subject, claimed.body, attachment),
        sender=app.config["MAIL_FROM"], site=site, now=now)
    try:
        transport_for(app.config["MAIL_URL"]).send(message)
    except Exception as error:  # noqa: BLE001 -- any failure is an attempt, retried
        log.warning("mail %s to %s not sent: %s", mail_id, claimed.address, error)
        with unit_of_work(factory) as session:
            at = outbox.mark_failed_attempt(session, claimed, now, f"{type(error).__name__}: "
                                            f"{error}", max_attempts=app.config["MAIL_MAX_ATTEMPTS"])
        if at is None:
            return "failed"
        _schedule(mail_id, at - now)
        return "retry"
    with unit_of_work(factory) as session:
        outbox.mark_sent(session, claimed, now)
    return "sent"


def deliver_due(app, *, now: datetime | None = None) -> dict[str, int]:
    """Every due mail, in this process (the sweep's work; also handy in tests and tools)."""
    now = _clock(app, now)
    with unit_of_work(app.extensions["session_factory"]) as session:
        ids = outbox.due_ids(session, now)
    outcome: dict[str, int] = {}
    for mail_id in ids:
        result = deliver(app, mail_id, now=now)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def _schedule(mail_id: int, delay: timedelta) -> None:
    try:
        deliver_mail.schedule(args=(mail_id,), delay=max(1, int(delay.total_seconds())))
    except Exception:  # noqa: BLE001 -- the queue is down: the sweep delivers it later
        log.warning("mail %s: retry not scheduled (queue unavailable); the sweep will", mail_id)


# ---------------------------------------------------------------- tasks


@huey.task()
def deliver_mail(mail_id: int) -> str:
    return deliver(job_app(), mail_id)


@huey.periodic_task(crontab(minute="*"))
def mail_sweep() -> int:
    app = job_app()
    with unit_of_work(app.extensions["session_factory"]) as session:
        ids = outbox.due_ids(session, _clock(app, None))
    for mail_id in ids:
        deliver_mail(mail_id)
    return len(ids)


def run_digests(app, *, now: datetime | None = None, batches_only: bool = False) -> list[str]:
    """Compose the digests (one transaction), then enqueue their delivery."""
    with unit_of_work(app.extensions["session_factory"]) as session:
        keys = notifications.send_digests(session, _clock(app, now), batches_only=batches_only)
    return keys


@huey.periodic_task(crontab(minute="*/15"))
def signing_batches() -> int:
    return len(run_digests(job_app(), batches_only=True))


def is_daily_hour(app, now: datetime) -> bool:
    """Whether `now` falls in DAILY_JOBS_HOUR of the organisation's time zone."""
    with unit_of_work(app.extensions["session_factory"]) as session:
        profile = _profile(session)
        zone = profile.timezone if profile else timefmt.DEFAULT_TIMEZONE
    return timefmt.to_local(now, zone).hour == app.config["DAILY_JOBS_HOUR"]


@huey.periodic_task(crontab(minute="5"))
def daily_digest() -> int:
    app = job_app()
    now = _clock(app, None)
    if not is_daily_hour(app, now):
        return 0
    return len(run_digests(app, now=now))


# ---------------------------------------------------------------- enqueue after commit


def _queued_ids(session: Session) -> list[int]:
    return session.info.setdefault("mail_queued_rows", [])


@event.listens_for(Session, "before_commit")
def _remember_queued(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the real commit comes later
        return
    rows = session.info.pop("mail_queued", None)
    if rows:
        session.flush()
        _queued_ids(session).extend(inspect(row).identity[0] for row in rows)


@event.listens_for(Session, "after_commit")
def _enqueue_queued(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the real commit comes later
        return
    ids = session.info.pop("mail_queued_rows", None)
    for mail_id in ids or ():
        try:
            deliver_mail(mail_id)
        except Exception:  # noqa: BLE001 -- the commit stands; the sweep delivers later
            log.warning("mail %s not enqueued (queue unavailable); the sweep will", mail_id)


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint rolled back: the outer work stands
        return
    session.info.pop("mail_queued", None)
    session.info.pop("mail_queued_rows", None)
