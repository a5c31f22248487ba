"""The reviewers' queue as queries: which programmes each tab holds, how many, and one page of
them in the queue's order, read so that the cost does not grow with the number of
programmes (2,300 today, ten times that in the benchmark).

- The tab counts come from `programme_count` (kept by triggers, workflow/models/
  programme_count.py): a few dozen rows instead of the whole table. A filter the counters do
  not know (a municipality, a municipal editor's own programmes) counts `programme` instead,
  which such a filter keeps small.
- A page is chosen by ids first, in the order of an index ((state, submitted_at, id) or
  (submitted_at, id)), so the database reads the page and stops instead of sorting every
  row of the tab; the columns of those 25 rows are read after.

No Flask here: the caller passes who asks and the organisation's date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, and_, bindparam, case, func, literal, or_, select, true
from sqlalchemy.orm import Session

from .models import Absence, Campaign, Municipality, Programme, ProgrammeCount
from .states import ProgrammeState, Role
from .substitution import absent_on

S = ProgrammeState

TAB_NAMES = ("submitted", "mine", "returned", "overdue", "all")

# Statements are built once: building one with five CASE sums costs more than running it.
# Who asks and when go in as bound parameters.
_ME = bindparam("me", type_=Integer)
_TODAY = bindparam("today", type_=Date())


def _substituted():
    """The reviewers the user stands in for today (workflow.substitution)."""
    return select(Absence.user_id).where(Absence.substitute_id == _ME, absent_on(_TODAY))


def _overdue_campaigns():
    """Campaigns whose deadline has passed: a draft in one is late (workflow/deadlines.py)."""
    return select(Campaign.id).where(Campaign.deadline < _TODAY)


def _conditions(state, reviewer, campaign) -> dict:
    return {
        "submitted": state == S.SUBMITTED,
        # The user's own, and those of the reviewers they substitute today.
        "mine": and_(state == S.IN_REVIEW, or_(reviewer == _ME, reviewer.in_(_substituted()))),
        "returned": state == S.RETURNED,
        # Not submitted by the campaign's deadline: nothing else is late.
        "overdue": and_(state == S.DRAFT, campaign.in_(_overdue_campaigns())),
        "all": true(),
    }


# On `programme`: which rows a tab holds.
TAB_CONDITIONS = _conditions(Programme.state, Programme.reviewer_id, Programme.campaign_id)
_COUNTER_CONDITIONS = _conditions(ProgrammeCount.state, ProgrammeCount.reviewer_key,
                                  ProgrammeCount.campaign_id)

_SCANNED_COUNTS = select(func.count(Programme.id).label("all"), *(
    func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(tab)
    for tab, condition in TAB_CONDITIONS.items() if tab != "all"
)).select_from(Programme)

_COUNTED = select(func.coalesce(func.sum(ProgrammeCount.n), 0).label("all"), *(
    func.coalesce(func.sum(case((condition, ProgrammeCount.n), else_=0)), 0).label(tab)
    for tab, condition in _COUNTER_CONDITIONS.items() if tab != "all"
))


class QueueFilters:
    """What narrows the list, parsed: a campaign, municipalities (an id or a part of the
    name), a state; and who asks, whose visibility applies."""

    def __init__(self, actor, *, campaign_id: int | None = None,
                 municipality_id: int | None = None, municipality_name: str | None = None,
                 state: str | None = None) -> None:
        self.actor = actor
        self.campaign_id = campaign_id
        self.municipality_id = municipality_id
        self.municipality_name = municipality_name
        self.state = state if state in {s.value for s in ProgrammeState} else None

    @property
    def counters_apply(self) -> bool:
        """The counters know campaigns, states and reviewers, not municipalities."""
        return (self.actor.role != Role.MUNICIPAL_EDITOR and self.municipality_id is None
                and not self.municipality_name)

    def on_programme(self) -> list:
        clauses = []
        if self.actor.role == Role.MUNICIPAL_EDITOR:  # workflow.operations.ensure_can_see
            clauses.append(Programme.municipality_id == self.actor.municipality_id)
        if self.campaign_id is not None:
            clauses.append(Programme.campaign_id == self.campaign_id)
        if self.municipality_id is not None:
            clauses.append(Programme.municipality_id == self.municipality_id)
        elif self.municipality_name:
            needle = self.municipality_name
            clauses.append(Programme.municipality_id.in_(
                select(Municipality.id).where(or_(*(
                    Municipality.name.contains(variant, autoescape=True)
                    for variant in {needle, needle.lower(), needle.capitalize()}
                )))
            ))
        if self.state is not None:
            clauses.append(Programme.state == self.state)
        return clauses

    def on_counters(self) -> list:
        clauses = [ProgrammeCount.n != 0]
        if self.campaign_id is not None:
            clauses.append(ProgrammeCount.campaign_id == self.campaign_id)
        if self.state is not None:
            clauses.append(ProgrammeCount.state == self.state)
        return clauses


def tab_counts(session: Session, filters: QueueFilters, today: date) -> dict[str, int]:
    """How many programmes each tab holds under `filters`: one statement."""
    params = {"me": filters.actor.id, "today": today}
    if filters.counters_apply:
        row = session.execute(_COUNTED.where(*filters.on_counters()), params).one()
    else:
        row = session.execute(_SCANNED_COUNTS.where(*filters.on_programme()), params).one()
    return {tab: int(getattr(row, tab) or 0) for tab in TAB_NAMES}


def page_ids(filters: QueueFilters, tab: str, *, offset: int, limit: int):
    """A subquery of (id, grp, submitted_at) for one page of the tab, in the queue's order: first
    submitted first, never submitted (drafts) last by id.

    Each half walks an index in that order and stops after `offset + limit` rows (a page
    far down reads more, a bigger table does not); the union of two short lists is then
    ordered and cut. One ORDER BY over `submitted_at IS NULL` would sort the whole tab."""
    where = [*filters.on_programme(), TAB_CONDITIONS.get(tab, TAB_CONDITIONS["all"])]
    enough = offset + limit
    submitted = (
        select(Programme.id, literal(0).label("grp"), Programme.submitted_at)
        .where(*where, Programme.submitted_at.is_not(None))
        .order_by(Programme.submitted_at, Programme.id).limit(enough).subquery("submitted")
    )
    drafts = (
        select(Programme.id, literal(1).label("grp"), Programme.submitted_at)
        .where(*where, Programme.submitted_at.is_(None))
        .order_by(Programme.id).limit(enough).subquery("drafts")
    )
    both = select(submitted).union_all(select(drafts)).subquery("both_halves")
    return (
        select(both)
        .order_by(both.c.grp, both.c.submitted_at, both.c.id)
        .limit(limit).offset(offset)
        .subquery("page")
    )


def in_page_order(page) -> tuple:
    """ORDER BY for a query joined to `page_ids`: the same order, over its few rows."""
    return page.c.grp, page.c.submitted_at, page.c.id


def query_params(filters: QueueFilters, today: date) -> dict:
    return {"me": filters.actor.id, "today": today}
