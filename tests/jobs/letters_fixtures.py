"""Helpers of the letter-job tests, written once: `drain` (run the jobs `queued` keeps, see
tests/jobs/letters/conftest.py), the letters' rows and PDFs as stored, and the world's
substitute signatory («И.о.») with the absence that makes them one. The API tests of bulk
signing (tests/jobs/test_bulk_sign*_api.py, on the API's app) use them too."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import PASSWORD, TOTP_SECRET, give_certificate
from tests.letters_web.conftest import read_letter  # noqa: F401 -- a helper of these tests
from web.jobs import huey
from workflow import absences, letter_drafting, second_factor
from workflow.models import Letter
from workflow.states import Role
from workflow.substitution import local_today
from workflow.users import create_user

DEPUTY = "Орлова Елена Сергеевна"


def drain(h=huey, *, scheduled: bool = True) -> int:
    """Run every queued job until none is left, as consumers would; with `scheduled`, the
    retries scheduled for later run too (at once). Returns how many jobs ran."""
    from datetime import datetime, timedelta

    ran = 0
    while True:
        task = h.dequeue()
        if task is None:
            due = h.read_schedule(datetime.now() + timedelta(days=1)) if scheduled else []
            if not due:
                return ran
            for job in due:
                job.eta = None
                h.enqueue(job)
            continue
        if task.eta is not None and not scheduled:
            h.add_schedule(task)  # a retry for later: left scheduled
            continue
        task.eta = None
        h.execute(task)
        ran += 1


def letter_rows(world, ids):
    from sqlalchemy.orm import Session

    with Session(bind=world.session.get_bind()) as s:
        rows = s.execute(select(Letter.id, Letter.state, Letter.seq, Letter.number,
                                Letter.pdf_sha256).where(Letter.id.in_(ids))
                         .order_by(Letter.id)).all()
        s.rollback()
    return rows


def make_deputy(world, role: Role = Role.SIGNATORY):
    """A second signatory with their own certificate and second factor: the substitute (or,
    with `role`, a former signatory moved to another role who kept the certificate)."""
    s = world.session
    user = create_user(s, login="deputy", full_name=DEPUTY, role=Role.SIGNATORY,
                       password=PASSWORD, now=world.clock(), enforce_policy=False,
                       position="Начальник отдела общего образования")
    give_certificate(s, user, now=world.clock())
    second_factor.enrol_with_secret(s, user, TOTP_SECRET, now=world.clock())
    user.role = role  # a role change keeps the certificate (admin_ops.change_role)
    s.commit()
    return user


def away(world, deputy, start: int = -1, end: int = 5):
    """The world's signatory away from today+start to today+end (days), `deputy`
    substituting; an absence over already was declared before it began."""
    s = world.session
    today = local_today(s, world.clock())
    absence = absences.declare_absence(
        s, world.signatory, world.admin, substitute=deputy,
        starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end),
        now=world.clock() - timedelta(days=10) if end < 0 else world.clock(), reason="Отпуск")
    s.commit()
    return absence


def draft_circulars(world, count: int) -> list[int]:
    """`count` circular drafts, committed: their ids in the order drafted."""
    s = world.session
    made = [letter_drafting.draft_circular(s, world.campaign, world.reviewer,
                                           now=world.clock.tick(), heading=f"Циркуляр {n}",
                                           body="Текст письма.").id
            for n in range(count)]
    s.commit()
    return made
