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

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from .db import written_in
from .machine import STATES_POSSIBLY_UNSUBMITTED
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


# The one state a tab holds, where it holds one.
TAB_STATES = {"submitted": S.SUBMITTED, "mine": S.IN_REVIEW, "returned": S.RETURNED,
              "overdue": S.DRAFT}

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


_CAMPAIGN = bindparam("campaign_id", type_=Integer)
_MUNICIPALITY = bindparam("municipality_id", type_=Integer)
_OWN_MUNICIPALITY = bindparam("own_municipality_id", type_=Integer)
_STATE = bindparam("state", type_=String())
# A page's bounds are written into the SQL: see workflow.db.written_in.
_LIMIT = written_in("limit")
_OFFSET = written_in("offset")
_ENOUGH = written_in("enough")


class QueueFilters:
    """What narrows the list, parsed: a campaign, municipalities (an id or a part of the
    name), a state; and who asks, whose visibility applies.

    The values go into the statements as bound parameters (`params`), so a statement
    depends only on which filters are set (`shape`) and is built once per shape (and tab)."""

    def __init__(self, actor, *, campaign_id: int | None = None,
                 municipality_id: int | None = None, municipality_name: str | None = None,
                 state: str | None = None) -> None:
        self.actor = actor
        self.campaign_id = campaign_id
        self.municipality_id = municipality_id
        self.municipality_name = municipality_name
        self.state = state if state in {s.value for s in ProgrammeState} else None

    @property
    def own_only(self) -> bool:
        return self.actor.role == Role.MUNICIPAL_EDITOR  # workflow.programme_access.ensure_can_see

    @property
    def shape(self) -> tuple[bool, bool, bool, bool]:
        """Which filters are set, apart from a search by name."""
        return (self.own_only, self.campaign_id is not None,
                self.municipality_id is not None, self.state is not None)

    @property
    def counters_apply(self) -> bool:
        """The counters know campaigns, states and reviewers, not municipalities."""
        return not self.own_only and self.municipality_id is None and not self.municipality_name

    def params(self, today: date | None) -> dict:
        return {"me": self.actor.id, "today": today, "campaign_id": self.campaign_id,
                "municipality_id": self.municipality_id, "state": self.state,
                "own_municipality_id": self.actor.municipality_id}

    def on_programme(self) -> list:
        clauses = _programme_clauses(self.shape)
        if self.municipality_name and self.municipality_id is None:
            needle = self.municipality_name
            clauses.append(Programme.municipality_id.in_(
                select(Municipality.id).where(or_(*(
                    Municipality.name.contains(variant, autoescape=True)
                    for variant in {needle, needle.lower(), needle.capitalize()}
                )))
            ))
        return clauses


def _programme_clauses(shape) -> list:
    own_only, campaign, municipality, state = shape
    clauses = []
    if own_only:
        clauses.append(Programme.municipality_id == _OWN_MUNICIPALITY)
    if campaign:
        clauses.append(Programme.campaign_id == _CAMPAIGN)
    if municipality:
        clauses.append(Programme.municipality_id == _MUNICIPALITY)
    if state:
        clauses.append(Programme.state == _STATE)
    return clauses


def _counter_clauses(shape) -> list:
    _own_only, campaign, _municipality, state = shape
    clauses = [ProgrammeCount.n != 0]
    if campaign:
        clauses.append(ProgrammeCount.campaign_id == _CAMPAIGN)
    if state:
        clauses.append(ProgrammeCount.state == _STATE)
    return clauses


@lru_cache(maxsize=64)
def _cached_counts(counters: bool, shape, with_campaigns: bool = False):
    if counters:
        statement = _COUNTED.where(*_counter_clauses(shape))
    else:
        statement = _SCANNED_COUNTS.where(*_programme_clauses(shape))
    return _joined_to_campaigns(statement) if with_campaigns else statement


def _counts_statement(filters: QueueFilters, *, with_campaigns: bool = False):
    if filters.counters_apply:
        return _cached_counts(True, filters.shape, with_campaigns)
    if filters.municipality_name and filters.municipality_id is None:
        statement = _SCANNED_COUNTS.where(*filters.on_programme())
        return _joined_to_campaigns(statement) if with_campaigns else statement
    return _cached_counts(False, filters.shape, with_campaigns)


def _joined_to_campaigns(counts_statement):
    """The counts' one row beside each campaign (a row of NULLs when there is none)."""
    counts = counts_statement.subquery("counts")
    return (select(counts, Campaign.id.label("campaign_id"),
                   Campaign.title.label("campaign_title"))
            .select_from(counts).outerjoin(Campaign, true())
            .order_by(Campaign.deadline.desc(), Campaign.id))


def _counts_of(row) -> dict[str, int]:
    return {tab: int(getattr(row, tab) or 0) for tab in TAB_NAMES}


def tab_counts(session: Session, filters: QueueFilters, today: date) -> dict[str, int]:
    """How many programmes each tab holds under `filters`: one statement."""
    return _counts_of(session.execute(_counts_statement(filters), filters.params(today)).one())


def tab_counts_and_campaigns(session: Session, filters: QueueFilters,
                             today: date) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """The tab counts and the campaigns a filter offers (id, title; the latest deadline
    first), in one statement: the list page needs both before its rows, and on PostgreSQL a
    round trip costs more than either."""
    rows = session.execute(_counts_statement(filters, with_campaigns=True),
                           filters.params(today)).all()
    campaigns = [(row.campaign_id, row.campaign_title) for row in rows
                 if row.campaign_id is not None]
    return _counts_of(rows[0]), campaigns


@lru_cache(maxsize=16)
def _counted_total(shape):
    return select(func.coalesce(func.sum(ProgrammeCount.n), 0)).where(*_counter_clauses(shape))


def counted_total(filters: QueueFilters) -> tuple[Select, dict] | None:
    """How many programmes `filters` let through, from the counters: (the statement, its
    parameters); None where they do not know the filter (a municipality, a municipal
    editor's own programmes)."""
    if not filters.counters_apply:
        return None
    return _counted_total(filters.shape), filters.params(None)


class ShapeOnly:
    """Filters known by their shape only: what `page_ids` needs to build a statement that is
    cached and reused with other values (see `cacheable`)."""

    municipality_name = None
    municipality_id = None

    def __init__(self, shape: tuple) -> None:
        self.shape = shape

    def on_programme(self) -> list:
        return _programme_clauses(self.shape)


def cacheable(filters: QueueFilters) -> bool:
    """Whether statements over these filters depend on their shape only (not a search by
    name, whose words are in the SQL)."""
    return not (filters.municipality_name and filters.municipality_id is None)


def page_ids(filters: QueueFilters, tab: str,
             carrying: Callable[[Select], Select] | None = None):
    """A subquery of (id, grp, submitted_at) for one page of the tab, in the queue's order: first
    submitted first, never submitted (drafts) last by id.

    Each half walks an index in that order and stops after `offset + limit` rows (a page
    far down reads more, a bigger table does not); the union of two short lists is then
    ordered and cut. One ORDER BY over `submitted_at IS NULL` would sort the whole tab.

    A tab of a state that only a submission leads to (workflow.machine.
    STATES_POSSIBLY_UNSUBMITTED) has no second half: PostgreSQL, not knowing that such a
    state implies a `submitted_at`, walked every draft's entry in the (submitted_at, id)
    index looking for one (the "submitted" tab grew 1.3x from 2,300 to 23,000 programmes).

    `carrying`: adds to each half the joins and columns that a list shows, read in the same
    walk of the index. Joined to the page afterwards, PostgreSQL (its plan kept for every
    request) hashed whole tables to find 25 rows: 0.46 ms a page, 0.12 ms carried."""
    where = [*filters.on_programme(), TAB_CONDITIONS.get(tab, TAB_CONDITIONS["all"])]
    enough = _ENOUGH
    carry = carrying or (lambda half: half)
    submitted = (
        carry(select(Programme.id, literal(0).label("grp"), Programme.submitted_at))
        .where(*where, Programme.submitted_at.is_not(None))
        .order_by(Programme.submitted_at, Programme.id)
    )
    state = TAB_STATES.get(tab)
    if state is not None and state not in STATES_POSSIBLY_UNSUBMITTED:
        return submitted.limit(_LIMIT).offset(_OFFSET).subquery("page")
    submitted = submitted.limit(enough).subquery("submitted")
    drafts = (
        carry(select(Programme.id, literal(1).label("grp"), Programme.submitted_at))
        .where(*where, Programme.submitted_at.is_(None))
        # The same order as `id` alone (submitted_at is NULL throughout), but spelled as the
        # index is: PostgreSQL does not take IS NULL as fixing a column's order, so `id`
        # alone made it scan the primary key past every row of a tab with no such rows
        # (6 ms at 23,000 programmes).
        .order_by(Programme.submitted_at, Programme.id).limit(enough).subquery("drafts")
    )
    both = select(submitted).union_all(select(drafts)).subquery("both_halves")
    return (
        select(both)
        .order_by(both.c.grp, both.c.submitted_at, both.c.id)
        .limit(_LIMIT).offset(_OFFSET)
        .subquery("page")
    )


def in_page_order(page) -> tuple:
    """ORDER BY for a query joined to `page_ids`: the same order, over its few rows."""
    return page.c.grp, page.c.submitted_at, page.c.id


def page_params(filters: QueueFilters, today: date, *, offset: int, limit: int) -> dict:
    """The parameters of a statement over `page_ids`."""
    return {**filters.params(today), "limit": limit, "offset": offset, "enough": offset + limit}
