"""The reviewers' queue and the list of programmes: one page of rows with its tab counts, in a
fixed number of statements whose cost does not grow with the number of programmes (the
queries are in workflow/queue.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from workflow import deadlines
from workflow import queue as q
from workflow.i18n import N_
from workflow.models import Campaign, Municipality, Programme, Revision, User
from workflow.states import Role

from ..extensions import request_timezone
from .common import _int_or_none, open_external_count
from .formatting import local_today

TABS = {
    "submitted": N_("Ожидают рассмотрения"),
    "mine": N_("Мои на рассмотрении"),
    "returned": N_("На доработке"),
    "overdue": N_("Просроченные"),
    "all": N_("Все"),
}

_REVIEWER = aliased(User, name="reviewer")


def _first_submitted_at(programme_id):
    """When revision 1 was frozen: the programme's first submission (late or not)."""
    return (
        select(Revision.created_at)
        .where(Revision.programme_id == programme_id, Revision.number == 1)
        .scalar_subquery()
    )


def _carrying(half):
    """What a list row shows of a programme and its related rows, added to each half of the
    page's walk (workflow.queue.page_ids): columns, not entities (a list page needs a dozen
    values per row, and building ORM objects costs more than the query)."""
    return (
        half.add_columns(Programme.title, Programme.state, Campaign.id.label("campaign_id"),
                         Campaign.title.label("campaign_title"), Campaign.deadline,
                         Municipality.id.label("municipality_id"),
                         Municipality.name.label("municipality_name"),
                         _REVIEWER.id.label("reviewer_id"),
                         _REVIEWER.full_name.label("reviewer_name"))
        .join(Campaign, Campaign.id == Programme.campaign_id)
        .join(Municipality, Municipality.id == Programme.municipality_id)
        .outerjoin(_REVIEWER, _REVIEWER.id == Programme.reviewer_id)
    )


def _rows_of(page):
    """The rows of `page` (workflow.queue.page_ids carrying `_carrying`), in its order, with
    what is counted per row: for the page's rows only."""
    c = page.c
    return (
        select(c.id, c.title, c.state, c.submitted_at, c.campaign_id, c.campaign_title,
               c.deadline, c.municipality_id, c.municipality_name, c.reviewer_id,
               c.reviewer_name, open_external_count(c.id), _first_submitted_at(c.id))
        .order_by(*q.in_page_order(page))
    )


def _rows_joined_to(page):
    """The same rows for a page of ids only (workflow.queue.page_ids carrying nothing): a page
    far down walks past `offset` rows, and joining each of them would cost more than joining
    the page's own rows afterwards. The same columns, carried by a join of its ids."""
    ids = (select(page.c.id, page.c.grp, page.c.submitted_at)
           .join(Programme, Programme.id == page.c.id))
    return _rows_of(_carrying(ids).subquery("rows"))


def _rows(filters, tab: str, first_page: bool):
    if first_page:
        return _rows_of(q.page_ids(filters, tab, _carrying))
    return _rows_joined_to(q.page_ids(filters, tab))


@lru_cache(maxsize=128)
def _cached_rows(tab: str, shape: tuple, first_page: bool):
    """Building this statement costs more than running it: once per tab and filter shape
    (the values are bound parameters)."""
    return _rows(q.ShapeOnly(shape), tab, first_page)


@dataclass(frozen=True, slots=True)
class NamedRef:
    """What a list row shows of a related row: read from columns, not loaded as an entity."""

    id: int | None
    name: str = ""
    full_name: str = ""
    title: str = ""
    deadline: date | None = None


@dataclass(frozen=True, slots=True)
class ProgrammeRow:
    """The columns a list shows, with the attribute paths the templates use
    (`p.municipality.name`, `p.campaign.deadline`, `p.reviewer.full_name`)."""

    id: int
    title: str
    state: str
    submitted_at: datetime | None
    campaign: NamedRef
    municipality: NamedRef
    reviewer: NamedRef | None


@dataclass(frozen=True, slots=True)
class ListRow:
    programme: ProgrammeRow
    open_remarks: int
    overdue: bool
    late_days: int | None = None


class ProgrammeList:
    """A page of the list. Its rows are built from the page's result rows only when the
    markup is rendered: the markup is kept by what it shows (web/fragment_cache.py), and
    that is known from the result rows as read, the day and the time zone (a row's "late"
    badge counts days in that zone)."""

    def __init__(self, result: list, today: date, tz, total: int, page: int, pages: int,
                 tab_counts: dict[str, int], campaigns: list[tuple[int, str]],
                 municipality_filter: bool) -> None:
        self._result = result
        self._today = today
        self._tz = tz
        self.total = total
        self.page = page
        self.pages = pages
        self.tab_counts = tab_counts
        self.campaigns = campaigns
        self.municipality_filter = municipality_filter

    @cached_property
    def rows(self) -> list[ListRow]:
        return [_list_row(r, self._today, self._tz) for r in self._result]

    @property
    def key(self) -> tuple:
        """Everything the list's markup shows (web/fragment_cache.py)."""
        return (tuple(tuple(r) for r in self._result), self._today, str(self._tz), self.total,
                self.page, self.pages, tuple(sorted(self.tab_counts.items())),
                tuple(self.campaigns), self.municipality_filter)

    @property
    def page_window(self) -> list[int | None]:
        """Page numbers to link: the first, the last and three either side of the current
        one; None marks a gap. 2,300 programmes make 92 pages: nobody wants 92 links."""
        shown = {1, self.pages, *range(self.page - 3, self.page + 4)}
        window, previous = [], 0
        for n in sorted(x for x in shown if 1 <= x <= self.pages):
            if n - previous > 1:
                window.append(None)
            window.append(n)
            previous = n
        return window


def parse_filters(actor: User, campaign_id=None, municipality_id=None,
                  state: str | None = None) -> q.QueueFilters:
    """The query string's filters; a municipality is an id or a part of its name."""
    mid = _int_or_none(municipality_id)
    name = None
    if mid is None and municipality_id:
        name = str(municipality_id).strip()[:100] or None
    return q.QueueFilters(actor, campaign_id=_int_or_none(campaign_id), municipality_id=mid,
                          municipality_name=name, state=state)


def programme_list(
    session: Session, actor: User, now: datetime, *, tab: str = "all", campaign_id=None,
    municipality_id=None, state: str | None = None, page: int = 1, page_size: int = 25,
) -> ProgrammeList:
    """A page of the programmes this user may see: two statements whatever the data (the
    tab counts with the campaigns of the filter, and the page of rows)."""
    filters = parse_filters(actor, campaign_id, municipality_id, state)
    today = local_today(now)
    tab_counts, campaigns = q.tab_counts_and_campaigns(session, filters, today)
    total = tab_counts.get(tab, tab_counts["all"])
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)

    if q.cacheable(filters):
        statement = _cached_rows(tab, filters.shape, page == 1)
    else:
        statement = _rows(filters, tab, page == 1)
    params = q.page_params(filters, today, offset=(page - 1) * page_size, limit=page_size)
    result = session.execute(statement, params).all()
    municipality_filter = actor.role != Role.MUNICIPAL_EDITOR
    return ProgrammeList(result, today, request_timezone(), total, page, pages, tab_counts,
                         campaigns, municipality_filter)


def _list_row(result_row, today: date, tz) -> ListRow:
    (pid, title, state_, submitted_at, cid, ctitle, deadline, mid, mname, rid, rname,
     open_count, first_submitted_at) = result_row
    status = deadlines.submission_status(deadline, state_, first_submitted_at, today, tz)
    programme = ProgrammeRow(
        id=pid, title=title, state=state_, submitted_at=submitted_at,
        campaign=NamedRef(cid, title=ctitle, deadline=deadline),
        municipality=NamedRef(mid, name=mname),
        reviewer=NamedRef(rid, full_name=rname) if rid is not None else None,
    )
    return ListRow(programme, open_count, status.overdue, status.late_days)
