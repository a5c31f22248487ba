"""The daily deadline job: reminder letters N days before and on the deadline to the
municipalities that have not submitted, notices to their editors, idempotent; and the hour
it runs at is the organisation's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from tests.factories import programme_in
from web.jobs import deadlines as deadline_jobs
from web.jobs.mail import is_daily_hour
from workflow import deadlines, letter_drafting
from workflow.models import DeadlineMark, Letter, Notification
from workflow.states import LetterKind, LetterState, ProgrammeState

# The world's campaign is due on 1 June 2026 (a Monday); its two municipalities have
# submitted nothing.


def _count(fresh, model, *where) -> int:
    with fresh() as s:
        return s.scalar(select(func.count(model.id)).where(*where))


def _reminders(fresh, state=LetterState.DRAFT) -> list[tuple[int, int]]:
    with fresh() as s:
        return [(lid, mid) for lid, mid in s.execute(select(Letter.id, Letter.municipality_id).where(
            Letter.kind == LetterKind.REMINDER, Letter.state == state))]


def at(world, moment: datetime):
    world.clock.now = moment
    return moment


def test_seven_days_before_the_job_drafts_and_notifies_once_however_often_it_runs(
        jobs, world, fresh):
    w = world
    now = at(w, datetime(2026, 5, 25, 0, 0, tzinfo=UTC))  # 10:00 on 25 May in Vladivostok
    report = deadline_jobs.run(jobs, now=now)
    assert (report.reminders, report.notices) == (2, 2)
    drafted = _reminders(fresh)
    assert sorted(m for _id, m in drafted) == sorted([w.own.id, w.foreign.id])
    with fresh() as s:
        (note,) = s.scalars(select(Notification).where(
            Notification.recipient_id == w.editor.id)).all()
        assert note.kind == "deadline.soon" and "через 7 дней" in note.text
        assert "01.06.2026" in note.text
        # The signatory hears of the drafts once, not once per letter.
        (batch,) = s.scalars(select(Notification).where(
            Notification.recipient_id == w.signatory.id)).all()
        assert batch.kind == "letters.awaiting_signature" and batch.text.startswith("2 ")

    again = deadline_jobs.run(jobs, now=at(w, datetime(2026, 5, 25, 5, 0, tzinfo=UTC)))
    assert (again.reminders, again.notices) == (0, 0)
    assert len(_reminders(fresh)) == 2
    assert _count(fresh, Notification, Notification.recipient_id == w.editor.id) == 1
    # The next days: no new letter (the reminder date has not changed), no new notice.
    assert deadline_jobs.run(jobs, now=at(w, datetime(2026, 5, 27, 0, 0, tzinfo=UTC))) \
        .reminders == 0
    assert _count(fresh, DeadlineMark) == 4  # 2 municipalities x (reminder, 7-day notice)


def test_on_the_deadline_a_second_reminder_goes_to_those_still_missing(jobs, world, fresh):
    w = world
    deadline_jobs.run(jobs, now=at(w, datetime(2026, 5, 25, 0, 0, tzinfo=UTC)))
    # The first round was signed (here: cancelled) and the own municipality submitted.
    for letter_id, _m in _reminders(fresh):
        letter = w.session.get(Letter, letter_id)
        letter_drafting.cancel_letter(w.session, letter, w.reviewer, now=w.clock())
    w.clock.now = datetime(2026, 5, 28, 0, 0, tzinfo=UTC)
    programme_in(w, ProgrammeState.SUBMITTED)
    w.session.commit()

    report = deadline_jobs.run(jobs, now=at(w, datetime(2026, 6, 1, 0, 0, tzinfo=UTC)))
    assert report.reminders == 1
    assert [m for _id, m in _reminders(fresh)] == [w.foreign.id]
    assert deadline_jobs.run(jobs, now=at(w, datetime(2026, 6, 1, 1, 0, tzinfo=UTC))) \
        .reminders == 0
    with fresh() as s:
        texts = list(s.scalars(select(Notification.text).where(
            Notification.recipient_id == w.foreign_editor.id).order_by(Notification.id)))
    assert len(texts) == 2 and "(сегодня)" in texts[1]
    # The day after: "deadline passed" to the one that has still not submitted, once.
    passed = deadline_jobs.run(jobs, now=at(w, datetime(2026, 6, 2, 0, 0, tzinfo=UTC)))
    assert (passed.reminders, passed.notices) == (0, 1)
    assert deadline_jobs.run(jobs, now=at(w, datetime(2026, 6, 3, 0, 0, tzinfo=UTC))) \
        .notices == 0
    with fresh() as s:
        last = s.scalars(select(Notification).where(
            Notification.recipient_id == w.foreign_editor.id)
            .order_by(Notification.id.desc())).first()
        assert last.kind == "deadline.passed" and "истёк" in last.text
        assert s.scalar(select(func.count(Notification.id)).where(
            Notification.recipient_id == w.editor.id, Notification.kind == "deadline.passed")) == 0


def test_a_campaign_long_past_is_left_alone(jobs, world, fresh):
    report = deadline_jobs.run(jobs, now=at(world, datetime(2026, 9, 1, 0, 0, tzinfo=UTC)))
    assert (report.reminders, report.notices, report.campaigns) == (0, 0, [])


def test_the_daily_hour_is_the_organisations(jobs, world, monkeypatch):
    monkeypatch.setitem(jobs.config, "DAILY_JOBS_HOUR", 8)
    # 08:xx in Vladivostok (UTC+10) is 22:xx UTC the day before.
    assert is_daily_hour(jobs, datetime(2026, 5, 24, 22, 5, tzinfo=UTC))
    assert not is_daily_hour(jobs, datetime(2026, 5, 25, 8, 5, tzinfo=UTC))


def test_escalation_waits_for_the_routes(session):
    assert deadlines.escalate_overdue_tasks(session, datetime(2026, 6, 1).date(),
                                            datetime(2026, 6, 1, tzinfo=UTC)) == 0


def test_two_workers_running_the_day_at_once_draft_each_reminder_once(jobs, world, fresh):
    """Two consumers firing the daily task together: the unique marks let one transaction
    win; the other drafts nothing (SQLite: it waits and then sees the marks; PostgreSQL: its
    insert conflicts and everything it did rolls back)."""
    import threading

    from sqlalchemy.exc import IntegrityError

    now = at(world, datetime(2026, 5, 25, 0, 0, tzinfo=UTC))
    barrier, outcomes = threading.Barrier(2), []

    def worker():
        barrier.wait(30)
        try:
            outcomes.append(deadline_jobs.run(jobs, now=now).reminders)
        except IntegrityError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes, key=str) in ([0, 2], [2, "conflict"])
    assert len(_reminders(fresh)) == 2
    assert _count(fresh, DeadlineMark) == 4
