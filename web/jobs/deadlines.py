"""The daily deadline job: at DAILY_JOBS_HOUR in the organisation's time zone (checked
hourly, so the hour follows the organisation's profile and no crontab needs its zone),
`workflow.deadlines.run_daily` drafts reminders, tells municipalities of deadlines and
escalates overdue route tasks. Idempotent (workflow/deadlines.py): running it twice, or on
two workers, does nothing twice."""

from __future__ import annotations

from datetime import datetime

from huey import crontab

from web.jobs import huey, job_app
from workflow import deadlines, timefmt
from workflow.db import unit_of_work
from workflow.letter_texts import get_profile


def run(app, *, now: datetime | None = None) -> deadlines.DailyReport:
    now = now or app.config["CLOCK"]()
    with unit_of_work(app.extensions["session_factory"]) as session:
        today = timefmt.local_date(now, get_profile(session).timezone)
        drafter = deadlines.reminder_drafter(session, app.config.get("REMINDER_DRAFTER") or "")
        return deadlines.run_daily(session, today, now,
                                   reminder_days=tuple(app.config["REMINDER_DAYS"]),
                                   drafter=drafter)


@huey.periodic_task(crontab(minute="0"))
def daily_deadlines():
    from web.jobs.mail import is_daily_hour

    app = job_app()
    now = app.config["CLOCK"]()
    if not is_daily_hour(app, now):
        return None
    report = run(app, now=now)
    return {"reminders": report.reminders, "notices": report.notices,
            "escalated": report.escalated}
