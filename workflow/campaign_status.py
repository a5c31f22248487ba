"""The live picture of a campaign: one row per participating municipality and programme, and
the figures the ministry reports. No Flask; a fixed number of queries whatever the number of
municipalities (see `QUERIES`).

Definitions (the report and the screens use these words in these senses):
- *not started* ("не начата"): a participating municipality with no programme in the campaign.
- *days in the current state*: whole days since the last transition of the programme (since
  its creation for a draft never sent; since the campaign's circular for "не начата").
- *deadline status*: "on_time" when the programme's first submission (the first transition to
  "submitted" in its history) fell on or before the deadline, as a calendar date in the
  organisation's time zone; "late" when it came after the deadline, or when it has not been
  submitted and the deadline has passed; "not_started" when it has not been submitted yet and
  the deadline has not passed.
- *review time*: from the first submission to the approval (the last transition to
  "approved"), in days with fractions, over approved programmes. The median is the middle value
  (the mean of the two middle values for an even count); the 90th percentile is by nearest rank:
  the smallest value that at least 90 % of the review times do not exceed.
- *share returned at least once*: programmes returned for revision at least once among the
  programmes submitted at least once.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from . import timefmt
from .i18n import N_
from .models import (
    Assessment,
    Campaign,
    CampaignParticipant,
    Municipality,
    OrganisationProfile,
    Programme,
    Remark,
    Requirement,
    Revision,
    User,
    WorkflowEvent,
)
from .states import (
    PROGRAMME_STATE_LABELS,
    VERDICT_LABELS,
    ProgrammeState,
    RemarkState,
    RemarkVisibility,
    Verdict,
)

NOT_STARTED = "not_started"
STATE_ORDER = (NOT_STARTED, "draft", "submitted", "in_review", "decision_pending", "returned",
               "approved", "withdrawn")
STATE_LABELS = {NOT_STARTED: N_("Не начата"), **{s.value: label for s, label in PROGRAMME_STATE_LABELS.items()}}

ON_TIME, LATE = "on_time", "late"
DEADLINE_ORDER = (ON_TIME, LATE, NOT_STARTED)
DEADLINE_LABELS = {ON_TIME: N_("В срок"), LATE: N_("С нарушением срока"), NOT_STARTED: N_("Не направлена")}

# Statements `campaign_status` runs (campaign and profile, participants, programmes, history,
# assessments, remarks, requirements); the tests hold it to this.
QUERIES = 7


def participants(session: Session, campaign: Campaign) -> list[tuple[int, str]]:
    """(id, name) of the municipalities taking part in `campaign`, by name: its participant
    rows, or every active municipality for a campaign from before they existed. One
    statement either way, so the page's query count does not depend on the case."""
    listed = (select(CampaignParticipant.id)
              .where(CampaignParticipant.campaign_id == campaign.id))
    return [tuple(r) for r in session.execute(
        select(Municipality.id, Municipality.name)
        .where(or_(
            listed.where(CampaignParticipant.municipality_id == Municipality.id).exists(),
            and_(Municipality.active.is_(True), ~listed.exists()),
        ))
        .order_by(Municipality.name, Municipality.id)
    )]


def participant_ids(session: Session, campaign: Campaign) -> list[int]:
    return [mid for mid, _name in participants(session, campaign)]


@dataclass
class StatusRow:
    municipality_id: int
    municipality: str
    programme_id: int | None
    title: str | None
    state: str  # a ProgrammeState value or NOT_STARTED
    since: datetime | None
    days_in_state: int | None
    reviewer: str | None
    open_remarks: int  # open remarks, internal ones included (the ministry's view)
    open_external: int  # open remarks the municipality sees
    deadline_status: str
    first_submitted_at: datetime | None = None
    approved_at: datetime | None = None
    returns: int = 0
    revision_number: int = 0

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def deadline_label(self) -> str:
        return DEADLINE_LABELS[self.deadline_status]

    @property
    def review_days(self) -> float | None:
        if self.first_submitted_at and self.approved_at:
            return (self.approved_at - self.first_submitted_at).total_seconds() / 86400
        return None


@dataclass
class RequirementStats:
    requirement_id: int
    position: int
    text: str
    verdicts: dict[str, int]  # Verdict value -> count, over every assessed revision
    remarks: int
    open_remarks: int

    @property
    def failures(self) -> int:
        return self.verdicts.get(Verdict.NOT_MET, 0) + self.verdicts.get(Verdict.PARTLY, 0)


@dataclass
class Figures:
    municipalities: int
    programmes: int
    by_state: dict[str, int]  # STATE_ORDER -> rows in that state
    by_deadline: dict[str, int]
    submitted_ever: int
    returned_ever: int
    review_days: list[float]
    median_review_days: float | None
    p90_review_days: float | None
    returned_share: float | None

    @property
    def submitted(self) -> int:
        return self.by_state["submitted"]

    @property
    def in_review(self) -> int:
        # A proposed decision travelling its route is still under review for everyone outside.
        return self.by_state["in_review"] + self.by_state["decision_pending"]

    @property
    def returned(self) -> int:
        return self.by_state["returned"]

    @property
    def approved(self) -> int:
        return self.by_state["approved"]

    @property
    def not_started(self) -> int:
        return self.by_state[NOT_STARTED]


@dataclass
class CampaignStatus:
    campaign_id: int
    title: str
    deadline: date
    circular_number: str | None
    circular_date: date | None
    started_on: date
    today: date
    timezone: str
    rows: list[StatusRow]
    figures: Figures
    requirements: list[RequirementStats]
    submissions: list[date] = field(default_factory=list)  # first submission dates, sorted
    approvals: list[date] = field(default_factory=list)  # approval dates, sorted

    @property
    def deadline_passed(self) -> bool:
        return self.today > self.deadline


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def nearest_rank(values: list[float], percent: float) -> float | None:
    """The smallest value that at least `percent` % of `values` do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def _as_utc(moment: datetime | None) -> datetime | None:
    """Aggregates come back through UTCDateTime too (aware UTC); kept as one place to say so."""
    return moment


def _deadline_status(first_submitted: date | None, deadline: date, today: date) -> str:
    if first_submitted is not None:
        return ON_TIME if first_submitted <= deadline else LATE
    return LATE if today > deadline else NOT_STARTED


def campaign_status(session: Session, campaign_id: int, now: datetime, *,
                    municipality_id: int | None = None) -> CampaignStatus | None:
    """The status of a campaign at `now`; None when there is no such campaign. With
    `municipality_id`, the rows are that municipality's only (figures too)."""
    found = session.execute(
        select(Campaign,
               select(OrganisationProfile.timezone).order_by(OrganisationProfile.id).limit(1)
               .scalar_subquery())
        .where(Campaign.id == campaign_id)
    ).first()
    if found is None:
        return None
    campaign, tz = found
    cid, title, deadline = campaign.id, campaign.title, campaign.deadline
    circular_number, circular_date, created_at = (campaign.circular_number, campaign.circular_date,
                                                  campaign.created_at)
    tz = tz or timefmt.DEFAULT_TIMEZONE
    today = timefmt.local_date(now, tz)
    started_on = circular_date or timefmt.local_date(created_at, tz)
    people = participants(session, campaign)
    if municipality_id is not None:
        people = [p for p in people if p[0] == municipality_id]
    wanted = {mid for mid, _ in people}

    reviewer = aliased(User, name="status_reviewer")
    open_all = func.sum(case((Remark.state == RemarkState.OPEN, 1), else_=0))
    open_external = func.sum(case(((Remark.state == RemarkState.OPEN)
                                   & (Remark.visibility == RemarkVisibility.EXTERNAL), 1), else_=0))
    remark_counts = (
        select(Remark.programme_id.label("pid"), open_all.label("open_all"),
               open_external.label("open_external"))
        .group_by(Remark.programme_id).subquery()
    )
    programmes = session.execute(
        select(Programme.id, Programme.municipality_id, Programme.title, Programme.state,
               Programme.created_at, Programme.revision_number, reviewer.full_name,
               func.coalesce(remark_counts.c.open_all, 0),
               func.coalesce(remark_counts.c.open_external, 0))
        .outerjoin(reviewer, reviewer.id == Programme.reviewer_id)
        .outerjoin(remark_counts, remark_counts.c.pid == Programme.id)
        .where(Programme.campaign_id == cid)
        .order_by(Programme.id)
    ).all()

    history = {
        r[0]: r for r in session.execute(
            select(WorkflowEvent.programme_id,
                   func.min(case((WorkflowEvent.to_state == ProgrammeState.SUBMITTED, WorkflowEvent.at))),
                   func.max(case((WorkflowEvent.to_state == ProgrammeState.APPROVED, WorkflowEvent.at))),
                   func.sum(case((WorkflowEvent.to_state == ProgrammeState.RETURNED, 1), else_=0)),
                   func.max(WorkflowEvent.at))
            .join(Programme, Programme.id == WorkflowEvent.programme_id)
            .where(Programme.campaign_id == cid)
            .group_by(WorkflowEvent.programme_id)
        )
    }

    verdicts: dict[int, Counter] = defaultdict(Counter)
    for rid, verdict, count in session.execute(
        select(Assessment.requirement_id, Assessment.verdict, func.count(Assessment.id))
        .join(Programme, Programme.id == Assessment.programme_id)
        .where(Programme.campaign_id == cid,
               *([Programme.municipality_id == municipality_id] if municipality_id else []))
        .group_by(Assessment.requirement_id, Assessment.verdict)
    ):
        verdicts[rid][verdict] = count
    remarks_by_requirement = {
        rid: (total, int(opened or 0)) for rid, total, opened in session.execute(
            select(Remark.requirement_id, func.count(Remark.id),
                   func.sum(case((Remark.state == RemarkState.OPEN, 1), else_=0)))
            .join(Programme, Programme.id == Remark.programme_id)
            .where(Programme.campaign_id == cid,
                   *([Programme.municipality_id == municipality_id] if municipality_id else []))
            .group_by(Remark.requirement_id)
        )
    }
    requirements = [
        RequirementStats(rid, position, text,
                         {v.value: verdicts[rid].get(v.value, 0) for v in Verdict},
                         *remarks_by_requirement.get(rid, (0, 0)))
        for rid, position, text in session.execute(
            select(Requirement.id, Requirement.position, Requirement.text)
            .where(Requirement.campaign_id == cid).order_by(Requirement.position))
    ]

    by_municipality: dict[int, list] = defaultdict(list)
    for row in programmes:
        if row[1] in wanted:
            by_municipality[row[1]].append(row)

    rows: list[StatusRow] = []
    circular_start = datetime.combine(started_on, datetime.min.time()).replace(
        tzinfo=timefmt.zone(tz))
    for mid, name in people:
        own = by_municipality.get(mid)
        if not own:
            rows.append(StatusRow(
                mid, name, None, None, NOT_STARTED, circular_start,
                max(0, (today - started_on).days), None, 0, 0,
                _deadline_status(None, deadline, today)))
            continue
        for pid, _mid, ptitle, state, pcreated, revision, rname, open_count, open_ext in own:
            if municipality_id is not None and state == ProgrammeState.DECISION_PENDING:
                # The municipality learns of a decision when its letter is signed.
                state = ProgrammeState.IN_REVIEW.value
            _pid, first, approved, returns, last = history.get(pid, (pid, None, None, 0, None))
            since = _as_utc(last or pcreated)
            first = _as_utc(first)
            first_day = timefmt.local_date(first, tz) if first else None
            rows.append(StatusRow(
                mid, name, pid, ptitle, state, since,
                max(0, (today - timefmt.local_date(since, tz)).days), rname,
                int(open_count), int(open_ext), _deadline_status(first_day, deadline, today),
                first_submitted_at=first, approved_at=_as_utc(approved) if state == "approved" else None,
                returns=int(returns or 0), revision_number=revision))

    by_state = Counter(r.state for r in rows)
    by_deadline = Counter(r.deadline_status for r in rows)
    submitted = [r for r in rows if r.first_submitted_at]
    returned = [r for r in submitted if r.returns]
    review_days = sorted(r.review_days for r in rows if r.review_days is not None)
    figures = Figures(
        municipalities=len(people),
        programmes=sum(1 for r in rows if r.programme_id),
        by_state={s: by_state.get(s, 0) for s in STATE_ORDER},
        by_deadline={s: by_deadline.get(s, 0) for s in DEADLINE_ORDER},
        submitted_ever=len(submitted),
        returned_ever=len(returned),
        review_days=review_days,
        median_review_days=median(review_days),
        p90_review_days=nearest_rank(review_days, 90),
        returned_share=(len(returned) / len(submitted)) if submitted else None,
    )
    return CampaignStatus(
        campaign_id=cid, title=title, deadline=deadline, circular_number=circular_number,
        circular_date=circular_date, started_on=started_on, today=today, timezone=tz,
        rows=rows, figures=figures, requirements=requirements,
        submissions=sorted(timefmt.local_date(r.first_submitted_at, tz) for r in submitted),
        approvals=sorted(timefmt.local_date(r.approved_at, tz) for r in rows if r.approved_at),
    )


# ---------------------------------------------------------------- the table's filters and order

SORT_KEYS = {
    "municipality": lambda r: (r.municipality.lower(), r.title or ""),
    "state": lambda r: (STATE_ORDER.index(r.state) if r.state in STATE_ORDER else 99,
                        r.municipality.lower()),
    "days": lambda r: (r.days_in_state if r.days_in_state is not None else -1, r.municipality.lower()),
    "remarks": lambda r: (r.open_remarks, r.municipality.lower()),
    "deadline": lambda r: (DEADLINE_ORDER.index(r.deadline_status), r.municipality.lower()),
    "reviewer": lambda r: ((r.reviewer or "").lower(), r.municipality.lower()),
}


@dataclass(frozen=True)
class TableQuery:
    state: str = ""
    deadline: str = ""
    municipality: str = ""
    sort: str = "municipality"
    descending: bool = False

    @classmethod
    def parse(cls, args) -> TableQuery:
        """From query parameters; unknown values are dropped, not errors."""
        state = args.get("state") or ""
        deadline = args.get("deadline") or ""
        sort = args.get("sort") or "municipality"
        return cls(
            state=state if state in STATE_LABELS else "",
            deadline=deadline if deadline in DEADLINE_LABELS else "",
            municipality=(args.get("municipality") or "").strip()[:100],
            sort=sort if sort in SORT_KEYS else "municipality",
            descending=args.get("order") == "desc",
        )

    def apply(self, rows: list[StatusRow]) -> list[StatusRow]:
        needle = self.municipality.casefold().replace("ё", "е")
        chosen = [
            r for r in rows
            if (not self.state or r.state == self.state)
            and (not self.deadline or r.deadline_status == self.deadline)
            and (not needle or needle in r.municipality.casefold().replace("ё", "е"))
        ]
        return sorted(chosen, key=SORT_KEYS[self.sort], reverse=self.descending)


# ---------------------------------------------------------------- every assessment (exports)


def latest_assessments(session: Session, campaign_id: int) -> dict[tuple[int, int], tuple[str, int, str]]:
    """(programme id, requirement id) -> (verdict, revision number, comment) of the latest
    assessed revision: one query."""
    result: dict[tuple[int, int], tuple[str, int, str]] = {}
    for pid, rid, verdict, number, comment in session.execute(
        select(Assessment.programme_id, Assessment.requirement_id, Assessment.verdict,
               Revision.number, Assessment.comment)
        .join(Revision, Revision.id == Assessment.revision_id)
        .join(Programme, Programme.id == Assessment.programme_id)
        .where(Programme.campaign_id == campaign_id)
        .order_by(Revision.number)
    ):
        result[(pid, rid)] = (verdict, number, comment)
    return result


VERDICT_NAMES = {v.value: label for v, label in VERDICT_LABELS.items()}
