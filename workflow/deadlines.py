"""Deadlines that drive work: what is late, and the daily job that reminds.

"Просрочено" derives from the campaign's submission deadline and nothing else: a programme
not submitted by the deadline is overdue; one first submitted after it was late by N days.
(Route stages' limits in working days are the routes' own; their escalation is
`escalate_overdue_tasks`.)

The daily job (`run_daily`, called by web/jobs/deadlines.py at DAILY_JOBS_HOUR in the
organisation's time zone) drafts reminder letters N days before and on the deadline to the
municipalities that have not submitted, tells their editors that the deadline is 7 days and
1 day away or has passed, and is idempotent: what it has done is recorded in `DeadlineMark`
(unique per campaign, municipality and action), so a second run on the same day, or two
workers at once, do nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import letter_drafting, notifications, timefmt
from .models import Campaign, DeadlineMark, Municipality, Programme, User
from .states import ProgrammeState, Role
from .working_days import is_working_day

DEFAULT_REMINDER_DAYS = (7, 0)
NOTICE_DAYS = (7, 1)
# "Deadline passed" is told within this many days after it, not for campaigns long closed.
PASSED_NOTICE_WINDOW = 7
NOT_SUBMITTED = (ProgrammeState.DRAFT, ProgrammeState.WITHDRAWN)


# ---------------------------------------------------------------- flags


@dataclass(frozen=True)
class SubmissionStatus:
    overdue: bool  # not submitted and the deadline has passed
    late_days: int | None  # first submitted N days after the deadline


def submission_status(deadline: date | None, state: str, first_submitted_at: datetime | None,
                      today: date, tz) -> SubmissionStatus:
    if deadline is None:
        return SubmissionStatus(False, None)
    if first_submitted_at is None:
        return SubmissionStatus(state == ProgrammeState.DRAFT and today > deadline, None)
    submitted_on = timefmt.local_date(first_submitted_at, tz)
    late = (submitted_on - deadline).days
    return SubmissionStatus(False, late if late > 0 else None)


# ---------------------------------------------------------------- the calendar


def reminder_date(deadline: date, days_before: int) -> date:
    """`days_before` calendar days before the deadline, moved back to a working day (a
    letter is drafted when somebody is there to sign it)."""
    day = deadline - timedelta(days=days_before)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


# ---------------------------------------------------------------- the daily job


@dataclass
class DailyReport:
    reminders: int = 0
    notices: int = 0
    escalated: int = 0
    campaigns: list[int] = field(default_factory=list)


def reminder_drafter(session: Session, login: str = "") -> User | None:
    """Whom the job drafts reminders as (the letter's executor): REMINDER_DRAFTER, else the
    first active reviewer, else the first active administrator."""
    if login:
        user = session.scalar(select(User).where(User.login == login.strip().lower()))
        if user is not None and user.active and user.role in (Role.REVIEWER, Role.SIGNATORY,
                                                              Role.ADMIN):
            return user
    for role in (Role.REVIEWER, Role.ADMIN):
        found = notifications.active_with_role(session, role)
        if found:
            return found[0]
    return None


def _waiting_municipalities(session: Session, campaign: Campaign) -> list[Municipality]:
    submitted = set(session.scalars(
        select(Programme.municipality_id).where(Programme.campaign_id == campaign.id,
                                                Programme.state.notin_(NOT_SUBMITTED))))
    return [m for m in session.scalars(
        select(Municipality).where(Municipality.active.is_(True)).order_by(Municipality.id))
        if m.id not in submitted]


def _marks(session: Session, campaign_id: int) -> set[tuple[int, str]]:
    return set((mid, action) for mid, action in session.execute(
        select(DeadlineMark.municipality_id, DeadlineMark.action)
        .where(DeadlineMark.campaign_id == campaign_id)).all())


def _notice(days_left: int) -> tuple[str, str] | None:
    """(action, kind) of the notice due when the deadline is `days_left` days away."""
    if 1 < days_left <= NOTICE_DAYS[0]:
        return "notice:7", "deadline.soon"
    if 0 <= days_left <= NOTICE_DAYS[1]:
        return "notice:1", "deadline.soon"
    if -PASSED_NOTICE_WINDOW <= days_left < 0:
        return "notice:passed", "deadline.passed"
    return None


def _notice_text(campaign: Campaign, days_left: int) -> str:
    deadline = timefmt.ddmmyyyy(campaign.deadline)
    if days_left < 0:
        return (f"Срок представления программы по кампании «{campaign.title}» истёк "
                f"{deadline}, а программа не направлена. Направьте её как можно скорее.")
    if days_left == 0:
        when = "сегодня"
    elif days_left == 1:
        when = "завтра"
    else:
        from .names import plural_ru

        when = f"через {days_left} {plural_ru(days_left, 'день', 'дня', 'дней')}"
    return (f"Срок представления программы по кампании «{campaign.title}» — {deadline} "
            f"({when}). Программа ещё не направлена в министерство.")


def reminder_days_of(campaign: Campaign, default: tuple[int, ...]) -> tuple[int, ...]:
    """The campaign's own reminder days when it has them (a `reminder_days` attribute, as
    the campaign settings may add), else the installation's REMINDER_DAYS."""
    own = getattr(campaign, "reminder_days", None)
    if isinstance(own, str):
        own = tuple(int(x) for x in own.replace(";", ",").split(",") if x.strip())
    return tuple(own) if own else default


def is_open(campaign: Campaign) -> bool:
    """A closed campaign (when campaigns gain a lifecycle) is not reminded of."""
    return getattr(campaign, "state", "open") != "closed"


def run_daily(session: Session, today: date, now: datetime, *,
              reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS,
              drafter: User | None = None) -> DailyReport:
    """The day's reminders and notices for every campaign near its deadline; see module."""
    report = DailyReport()
    horizon = max((*reminder_days, NOTICE_DAYS[0], 60))
    campaigns = session.scalars(
        select(Campaign).where(Campaign.deadline >= today - timedelta(days=PASSED_NOTICE_WINDOW),
                               Campaign.deadline <= today + timedelta(days=horizon + 14))
        .order_by(Campaign.deadline, Campaign.id))
    for campaign in campaigns:
        if not is_open(campaign):
            continue
        waiting = _waiting_municipalities(session, campaign)
        if not waiting:
            continue
        report.campaigns.append(campaign.id)
        done = _marks(session, campaign.id)
        days_left = (campaign.deadline - today).days

        # Reminder letters: the latest reminder date that has come (a missed day is caught up).
        due = [reminder_date(campaign.deadline, n)
               for n in reminder_days_of(campaign, reminder_days)]
        due = [d for d in due if d <= today <= campaign.deadline]
        if due and drafter is not None:
            action = f"reminder:{max(due).isoformat()}"
            fresh = {m.id for m in waiting if (m.id, action) not in done}
            if fresh:
                drafted = letter_drafting.draft_reminders(session, campaign, drafter, now=now,
                                                          only=fresh)
                by_municipality = {letter.municipality_id: letter.id for letter in drafted}
                report.reminders += len(drafted)
                session.add_all(DeadlineMark(
                    campaign_id=campaign.id, municipality_id=mid, action=action,
                    on_date=today, letter_id=by_municipality.get(mid), created_at=now)
                    for mid in sorted(fresh))

        notice = _notice(days_left)
        if notice is not None:
            action, kind = notice
            text = _notice_text(campaign, days_left)
            for municipality in waiting:
                if (municipality.id, action) in done:
                    continue
                session.add(DeadlineMark(campaign_id=campaign.id, municipality_id=municipality.id,
                                         action=action, on_date=today, created_at=now))
                notifications.notify(session, notifications.editors_of(session, municipality.id),
                                     kind=kind, text=text, now=now, link="/")
                report.notices += 1
    session.flush()
    report.escalated = escalate_overdue_tasks(session, today, now)
    return report


def escalate_overdue_tasks(session: Session, today: date, now: datetime) -> int:
    """Open route stage tasks due by the next working day: the participant is told the day
    before; past their limit (working days) the participant and the heads of department are
    told. Each once: the marks are `DeadlineMark` rows keyed by the task. Returns the number of
    notices."""
    from .models import Decision, StageTask
    from .models.route import TaskState
    from .working_days import add_working_days

    horizon = add_working_days(today + timedelta(days=1), 0)
    rows = session.execute(
        select(StageTask, Programme)
        .join(Decision, Decision.id == StageTask.decision_id)
        .join(Programme, Programme.id == Decision.programme_id)
        .where(StageTask.state == TaskState.OPEN, StageTask.due_on <= horizon)
        .order_by(StageTask.id)
    ).all()
    if not rows:
        return 0
    done = set(session.scalars(select(DeadlineMark.action).where(
        DeadlineMark.action.in_([f"task:{t.id}:{k}" for t, _p in rows for k in ("due", "late")]))))
    heads = [u for u in notifications.active_with_role(session, Role.REVIEWER)
             if getattr(u, "heads_department", False)]
    sent = 0
    for task, programme in rows:
        late = task.due_on < today
        action = f"task:{task.id}:{'late' if late else 'due'}"
        if action in done:
            continue
        session.add(DeadlineMark(campaign_id=programme.campaign_id,
                                 municipality_id=programme.municipality_id, action=action,
                                 on_date=today, created_at=now))
        assignee = session.get(User, task.assignee_id)
        due = task.due_on.strftime("%d.%m.%Y")
        link = f"/programmes/{programme.id}"
        if late:
            text = (f"Просрочена задача по программе «{programme.title}»: срок истёк {due}, "
                    f"исполнитель — {assignee.full_name}.")
            recipients = [assignee] + [h for h in heads if h.id != assignee.id]
            kind = "task.overdue"
        else:
            text = f"Срок задачи по программе «{programme.title}» — {due}."
            recipients = [assignee]
            kind = "task.due"
        notifications.notify(session, recipients, kind=kind, text=text, now=now, link=link)
        sent += 1
    session.flush()
    return sent
