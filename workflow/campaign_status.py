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

The shapes and labels are `campaign_status_model`, the figures `campaign_figures`, the
page's filters `campaign_status_table`, the exports' assessments `campaign_assessments`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from . import timefmt
from .campaign_figures import deadline_status, figures
from .campaign_status_model import NOT_STARTED, CampaignStatus, RequirementStats, StatusRow
from .models import (
    Assessment,
    Campaign,
    CampaignParticipant,
    Municipality,
    OrganisationProfile,
    Programme,
    Remark,
    Requirement,
    User,
    WorkflowEvent,
)
from .states import ProgrammeState, RemarkState, RemarkVisibility, Verdict

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


def _as_utc(moment: datetime | None) -> datetime | None:
    """Aggregates come back through UTCDateTime too (aware UTC); kept as one place to say so."""
    return moment



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
    programmes = _programmes(session, cid)
    history = _history(session, cid)
    requirements = _requirement_stats(session, cid, municipality_id)
    rows = _rows(people, programmes, history, municipality_id=municipality_id, tz=tz,
                 deadline=deadline, today=today, started_on=started_on)
    return CampaignStatus(
        campaign_id=cid, title=title, deadline=deadline, circular_number=circular_number,
        circular_date=circular_date, started_on=started_on, today=today, timezone=tz,
        rows=rows, figures=figures(rows, municipalities=len(people)), requirements=requirements,
        submissions=sorted(timefmt.local_date(r.first_submitted_at, tz)
                           for r in rows if r.first_submitted_at),
        approvals=sorted(timefmt.local_date(r.approved_at, tz) for r in rows if r.approved_at),
    )


def _programmes(session: Session, cid: int) -> list:
    """The campaign's programmes with their reviewer's name and open remark counts."""
    reviewer = aliased(User, name="status_reviewer")
    open_all = func.sum(case((Remark.state == RemarkState.OPEN, 1), else_=0))
    open_external = func.sum(case(((Remark.state == RemarkState.OPEN)
                                   & (Remark.visibility == RemarkVisibility.EXTERNAL), 1), else_=0))
    remark_counts = (
        select(Remark.programme_id.label("pid"), open_all.label("open_all"),
               open_external.label("open_external"))
        .group_by(Remark.programme_id).subquery()
    )
    return session.execute(
        select(Programme.id, Programme.municipality_id, Programme.title, Programme.state,
               Programme.created_at, Programme.revision_number, reviewer.full_name,
               func.coalesce(remark_counts.c.open_all, 0),
               func.coalesce(remark_counts.c.open_external, 0))
        .outerjoin(reviewer, reviewer.id == Programme.reviewer_id)
        .outerjoin(remark_counts, remark_counts.c.pid == Programme.id)
        .where(Programme.campaign_id == cid)
        .order_by(Programme.id)
    ).all()


def _history(session: Session, cid: int) -> dict:
    """programme id -> (id, first submission, last approval, returns, last transition)."""
    return {
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


def _requirement_stats(session: Session, cid: int,
                       municipality_id: int | None) -> list[RequirementStats]:
    """Verdicts and remarks per requirement (three statements: verdicts, remarks, texts)."""
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
    return [
        RequirementStats(rid, position, text,
                         {v.value: verdicts[rid].get(v.value, 0) for v in Verdict},
                         *remarks_by_requirement.get(rid, (0, 0)))
        for rid, position, text in session.execute(
            select(Requirement.id, Requirement.position, Requirement.text)
            .where(Requirement.campaign_id == cid).order_by(Requirement.position))
    ]


def _rows(people: list[tuple[int, str]], programmes: list, history: dict, *,
          municipality_id: int | None, tz: str, deadline: date, today: date,
          started_on: date) -> list[StatusRow]:
    """One row per programme of each participant, or a «не начата» row for one with none."""
    wanted = {mid for mid, _ in people}
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
                deadline_status(None, deadline, today)))
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
                int(open_count), int(open_ext), deadline_status(first_day, deadline, today),
                first_submitted_at=first, approved_at=_as_utc(approved) if state == "approved" else None,
                returns=int(returns or 0), revision_number=revision))
    return rows
