"""Read models of the screens: each loads what one page shows in a fixed number of queries
(joined and select-in loading, aggregate subqueries), whatever the amount of data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from flask_babel import format_decimal
from sqlalchemy import Date, Integer, and_, bindparam, case, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from workflow import deadlines, timefmt
from workflow.campaigns import visible_campaigns_filter
from workflow.i18n import N_
from workflow.letters import visible_letters_filter
from workflow.machine import TRANSITIONS_BY_TRIGGER
from workflow.models import (
    Absence,
    Assessment,
    Campaign,
    Letter,
    Municipality,
    Programme,
    Remark,
    RemarkReply,
    Revision,
    RevisionSection,
    User,
    WorkflowEvent,
)
from workflow.operations import ensure_can_see, visible_programmes_filter
from workflow.reassignment import HISTORY_LABELS
from workflow.redline import SAME
from workflow.states import (
    PROGRAMME_STATE_LABELS,
    ProgrammeState,
    RemarkState,
    RemarkVisibility,
    Role,
    event_visible_to,
    programme_state_label_for,
)
from workflow.substitution import absent_on

from .extensions import request_locale, request_timezone
from .redline import render as render_redline

S = ProgrammeState


# ---------------------------------------------------------------- formatting helpers


def local_today(now: datetime) -> date:
    return timefmt.local_date(now, request_timezone())


@lru_cache(maxsize=8)
def _parsed_locale(locale: str) -> Locale:
    return Locale.parse(locale)


@lru_cache(maxsize=8)
def _month_names(locale: str) -> dict[int, str]:
    return dict(Locale.parse(locale).months["format"]["wide"])


# Babel parses and applies a pattern on every call (~70 µs); a list page shows fifty dates,
# so the two patterns we use are composed directly from the locale's month names.
def fmt_date(value: date | datetime | None) -> str:
    """A calendar date; an instant is first taken to the organisation's zone (a revision frozen
    at 23:30 UTC on 30 November is "1 декабря" in Vladivostok)."""
    if value is None:
        return ""
    value = timefmt.local_date(value, request_timezone())
    locale = request_locale()
    month = _month_names(locale)[value.month]
    if locale == "ru":
        return f"{value.day} {month} {value.year} г."
    return f"{month} {value.day}, {value.year}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timefmt.to_local(value, request_timezone())
    return f"{fmt_date(local.date())}, {local:%H:%M}"


def plural_word(n: int, one: str, few: str, many: str) -> str:
    """The form of the word for `n`, by the current locale's plural rules (ru: one, few,
    many)."""
    form = _parsed_locale(request_locale()).plural_form(n)
    return {"one": one, "few": few}.get(form, many)


def plural(n: int, one: str, few: str, many: str) -> str:
    return f"{format_decimal(n)} {plural_word(n, one, few, many)}"


def state_label(state: str, viewer=None) -> str:
    """The state's label for `viewer`: a municipality sees a pending decision as under review
    (workflow.states.programme_state_label_for)."""
    try:
        if viewer is not None:
            return programme_state_label_for(state, viewer)
        return PROGRAMME_STATE_LABELS[ProgrammeState(state)]
    except ValueError:
        return state


OTHER_TRIGGER_LABELS = HISTORY_LABELS


def trigger_label(trigger: str) -> str:
    spec = TRANSITIONS_BY_TRIGGER.get(trigger)
    return spec.label if spec else OTHER_TRIGGER_LABELS.get(trigger, trigger)


# ---------------------------------------------------------------- what happens next


def next_step_for_editor(programme: Programme, open_remarks: int) -> str:
    state = programme.state
    if state == S.DRAFT:
        return N_("Заполните разделы и направьте в министерство")
    if state == S.RETURNED:
        if open_remarks:
            return (f"Ответьте на замечания ({open_remarks}) и направьте программу повторно")
        return N_("Замечания отвечены: направьте программу повторно")
    if state == S.SUBMITTED:
        return N_("Ожидает рассмотрения в министерстве")
    if state in (S.IN_REVIEW, S.DECISION_PENDING):
        # Until the decision's letter is signed there is no decision for the municipality.
        return N_("На рассмотрении у эксперта министерства")
    if state == S.APPROVED:
        return N_("Согласована: действий не требуется")
    return N_("Действий не требуется")


def _open_external_count():
    """Per programme row: external remarks still open (awaiting the municipality's answer).
    Correlated, so it is computed for the rows of the page only, not for every programme."""
    return (
        select(func.count(Remark.id))
        .where(Remark.programme_id == Programme.id, Remark.visibility == RemarkVisibility.EXTERNAL,
               Remark.state == RemarkState.OPEN)
        .correlate(Programme)
        .scalar_subquery()
    )


# ---------------------------------------------------------------- home


@dataclass
class EditorRow:
    programme: Programme
    open_remarks: int
    next_step: str


@dataclass
class CampaignGroup:
    campaign: Campaign
    rows: list[EditorRow] = field(default_factory=list)
    deadline_passed: bool = False

    @property
    def is_open(self) -> bool:
        return self.campaign.state == "open"

    @property
    def may_start(self) -> bool:
        """The button «Создать программу»: open, and the allowance not used up."""
        limit = self.campaign.max_programmes
        counted = sum(1 for r in self.rows if r.programme.state != S.WITHDRAWN)
        return self.is_open and (limit is None or counted < limit)

    @property
    def next_step(self) -> str:
        """What the municipality is expected to do next in this campaign, in one line."""
        if self.campaign.state != "open":
            return N_("Кампания завершена: программы доступны только для просмотра")
        live = [r for r in self.rows if r.programme.state != S.WITHDRAWN]
        if not live:
            return (N_("Срок истёк: начните программу и направьте её как можно скорее")
                    if self.deadline_passed else N_("Начните программу и направьте её до срока"))
        for row in live:
            if row.programme.state in (S.DRAFT, S.RETURNED):
                return row.next_step
        return live[0].next_step


def editor_home(session: Session, actor: User, now: datetime) -> list[CampaignGroup]:
    campaigns = session.scalars(select(Campaign).where(visible_campaigns_filter(actor))
                                .order_by(Campaign.deadline.desc(), Campaign.id))
    today = local_today(now)
    groups = {c.id: CampaignGroup(c, deadline_passed=c.deadline < today) for c in campaigns}
    rows = session.execute(
        select(Programme, _open_external_count())
        .where(visible_programmes_filter(actor))
        .order_by(Programme.updated_at.desc(), Programme.id.desc())
    ).all()
    for programme, open_count in rows:
        group = groups.get(programme.campaign_id)
        if group is not None:
            group.rows.append(EditorRow(programme, open_count,
                                        next_step_for_editor(programme, open_count)))
    return list(groups.values())


# ---------------------------------------------------------------- lists and the queue

TABS = {
    "submitted": N_("Ожидают рассмотрения"),
    "mine": N_("Мои на рассмотрении"),
    "returned": N_("На доработке"),
    "overdue": N_("Просроченные"),
    "all": N_("Все"),
}


# The queue's statements are built once: constructing a statement with five CASE sums
# costs more than running it. Who asks and when go in as bound parameters.
_ME = bindparam("me", type_=Integer)
_TODAY = bindparam("today", type_=Date())

TAB_CONDITIONS = {
    "submitted": Programme.state == S.SUBMITTED,
    # The user's own, and those of the reviewers they substitute today (workflow.substitution).
    "mine": and_(Programme.state == S.IN_REVIEW, or_(
        Programme.reviewer_id == _ME,
        Programme.reviewer_id.in_(select(Absence.user_id).where(Absence.substitute_id == _ME,
                                                                absent_on(_TODAY))),
    )),
    "returned": Programme.state == S.RETURNED,
    # Not submitted by the campaign's deadline (workflow/deadlines.py): nothing else is late.
    "overdue": and_(Programme.state == S.DRAFT, Campaign.deadline < _TODAY),
    "all": true(),
}

_TAB_COUNTS = (
    select(func.count(Programme.id).label("all"), *(
        func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(tab)
        for tab, condition in TAB_CONDITIONS.items() if tab != "all"
    ))
    .select_from(Programme)
    .join(Campaign, Campaign.id == Programme.campaign_id)
)

_REVIEWER = aliased(User, name="reviewer")


def _first_submitted_at():
    """When revision 1 was frozen: the programme's first submission (late or not)."""
    return (
        select(Revision.created_at)
        .where(Revision.programme_id == Programme.id, Revision.number == 1)
        .correlate(Programme)
        .scalar_subquery()
    )

# Columns, not entities: a list page needs a dozen values per row, and building ORM
# objects (with their identity map and relationships) costs more than the query.
_LIST_ROWS = (
    select(
        Programme.id, Programme.title, Programme.state, Programme.submitted_at,
        Campaign.id, Campaign.title, Campaign.deadline,
        Municipality.id, Municipality.name,
        _REVIEWER.id, _REVIEWER.full_name,
        _open_external_count(),
        _first_submitted_at(),
    )
    .join(Campaign, Campaign.id == Programme.campaign_id)
    .join(Municipality, Municipality.id == Programme.municipality_id)
    .outerjoin(_REVIEWER, _REVIEWER.id == Programme.reviewer_id)
    .order_by(Programme.submitted_at.is_(None), Programme.submitted_at, Programme.id)
)


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


@dataclass
class ListRow:
    programme: ProgrammeRow
    open_remarks: int
    overdue: bool
    late_days: int | None = None


@dataclass
class ProgrammeList:
    rows: list[ListRow]
    total: int
    page: int
    pages: int
    tab_counts: dict[str, int]
    campaigns: list[tuple[int, str]]
    municipality_filter: bool

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


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**31) <= number < 2**31 else None  # beyond INTEGER: no such row


def programme_list(
    session: Session, actor: User, now: datetime, *, tab: str = "all", campaign_id=None,
    municipality_id=None, state: str | None = None, page: int = 1, page_size: int = 25,
) -> ProgrammeList:
    """A page of the programmes this user may see: four queries whatever the data."""
    visible = visible_programmes_filter(actor)
    filters = [visible]
    if (cid := _int_or_none(campaign_id)) is not None:
        filters.append(Programme.campaign_id == cid)
    if (mid := _int_or_none(municipality_id)) is not None:
        filters.append(Programme.municipality_id == mid)
    elif municipality_id and (needle := str(municipality_id).strip()[:100]):
        filters.append(Programme.municipality_id.in_(
            select(Municipality.id).where(or_(*(
                Municipality.name.contains(variant, autoescape=True)
                for variant in {needle, needle.lower(), needle.capitalize()}
            )))
        ))
    if state in {s.value for s in ProgrammeState}:
        filters.append(Programme.state == state)

    today = local_today(now)
    params = {"me": actor.id, "today": today}
    # One query counts every tab (for the tab labels) under the same filters.
    counted = session.execute(_TAB_COUNTS.where(*filters), params).one()
    tab_counts = {t: int(getattr(counted, t) or 0) for t in TABS}
    total = tab_counts.get(tab, tab_counts["all"])
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)

    result = session.execute(
        _LIST_ROWS.where(*filters, TAB_CONDITIONS.get(tab, TAB_CONDITIONS["all"]))
        .limit(page_size)
        .offset((page - 1) * page_size),
        params,
    ).all()
    rows = []
    tz = request_timezone()
    for (pid, title, state, submitted_at, cid, ctitle, deadline, mid, mname, rid, rname,
         open_count, first_submitted_at) in result:
        status = deadlines.submission_status(deadline, state, first_submitted_at, today, tz)
        programme = ProgrammeRow(
            id=pid, title=title, state=state, submitted_at=submitted_at,
            campaign=NamedRef(cid, title=ctitle, deadline=deadline),
            municipality=NamedRef(mid, name=mname),
            reviewer=NamedRef(rid, full_name=rname) if rid is not None else None,
        )
        rows.append(ListRow(programme, open_count, status.overdue, status.late_days))

    campaigns = [(c.id, c.title) for c in session.execute(
        select(Campaign.id, Campaign.title).order_by(Campaign.deadline.desc()))]
    municipality_filter = actor.role != Role.MUNICIPAL_EDITOR
    return ProgrammeList(rows, total, page, pages, tab_counts, campaigns, municipality_filter)


# ---------------------------------------------------------------- the programme page


@dataclass
class RemarkView:
    remark: Remark
    revision_number: int


@dataclass
class SectionView:
    requirement: object
    text: str
    redline: object | None
    previous_number: int | None
    redline_method: str | None
    remarks: list[RemarkView]
    previous_remarks: list[RemarkView]
    assessment: Assessment | None


@dataclass
class ProgrammePage:
    programme: Programme
    revisions: list[tuple[int, datetime]]
    shown: int | None  # None: the working copy
    sections: list[SectionView]
    events: list[WorkflowEvent]
    is_ministry: bool
    letters: list[Letter] = field(default_factory=list)
    submission: deadlines.SubmissionStatus | None = None


def load_programme(
    session: Session, programme_id: int, actor: User, *, for_write: bool = False
) -> Programme:
    """The programme with its campaign, requirements, municipality and working sections;
    a programme the user may not see is reported as not found.

    `for_write` loads the bare row: the operations lock it with `refresh(with_for_update)`,
    which repeats the original eager joins, and PostgreSQL refuses FOR UPDATE on the
    nullable side of an outer join (the optional reviewer)."""
    from workflow.errors import NotFound

    if for_write:
        programme = session.get(Programme, programme_id)
        if programme is None:
            raise NotFound("Программа не найдена")
        ensure_can_see(programme, actor)
        return programme
    programme = session.scalar(
        select(Programme)
        .where(Programme.id == programme_id)
        .options(
            joinedload(Programme.campaign).selectinload(Campaign.requirements),
            joinedload(Programme.municipality),
            joinedload(Programme.reviewer),
            selectinload(Programme.sections),
        )
    )
    if programme is None:
        raise NotFound("Программа не найдена")
    ensure_can_see(programme, actor)
    return programme


def default_revision(programme: Programme, actor: User) -> int | None:
    if programme.revision_number == 0:
        return None
    if actor.role == Role.MUNICIPAL_EDITOR and programme.editable:
        return None
    return programme.revision_number


def choose_revision(rev, programme: Programme, actor: User, numbers) -> int | None:
    """`?rev=N` if that revision exists, `?rev=work` for the working copy (the municipality's
    own, or any draft never sent), else the default for this user and state."""
    if rev == "work" and (actor.role == Role.MUNICIPAL_EDITOR or not numbers):
        return None
    number = _int_or_none(rev)
    if number in numbers:
        return number
    return default_revision(programme, actor)


def programme_page(session: Session, programme: Programme, actor: User, rev,
                   now: datetime | None = None) -> ProgrammePage:
    is_ministry = actor.role != Role.MUNICIPAL_EDITOR
    revisions = session.execute(
        select(Revision.id, Revision.number, Revision.created_at)
        .where(Revision.programme_id == programme.id)
        .order_by(Revision.number)
    ).all()
    numbers = {r.number: r.id for r in revisions}
    number_of = {r.id: r.number for r in revisions}

    shown = choose_revision(rev, programme, actor, numbers)
    previous = ((shown - 1) or None) if shown else (programme.revision_number or None)
    # A revision carries its redline (stored when it was frozen); the working copy is
    # compared with the last revision (stored when it was saved). Nothing is diffed here.
    wanted = [shown] if shown else [n for n in (previous,) if n]
    frozen: dict[int, dict[int, RevisionSection]] = {n: {} for n in wanted}
    if wanted:
        for number, section in session.execute(
            select(Revision.number, RevisionSection)
            .join(RevisionSection, RevisionSection.revision_id == Revision.id)
            .where(Revision.programme_id == programme.id, Revision.number.in_(wanted))
        ):
            frozen[number][section.requirement_id] = section

    remark_query = (
        select(Remark)
        .where(Remark.programme_id == programme.id)
        .options(
            joinedload(Remark.author),
            selectinload(Remark.replies).joinedload(RemarkReply.author),
        )
        .order_by(Remark.created_at, Remark.id)
    )
    if not is_ministry:
        remark_query = remark_query.where(Remark.visibility == RemarkVisibility.EXTERNAL)
    remarks = list(session.scalars(remark_query).unique())

    assessments: dict[int, Assessment] = {}
    shown_revision_id = numbers.get(shown) if shown else None
    if is_ministry and shown_revision_id:
        for a in session.scalars(
            select(Assessment)
            .where(Assessment.revision_id == shown_revision_id)
            .options(joinedload(Assessment.assessor), joinedload(Assessment.on_behalf_of))
        ):
            assessments[a.requirement_id] = a

    working = {s.requirement_id: s for s in programme.sections}
    sections = []
    for requirement in programme.campaign.requirements:
        section = (frozen[shown] if shown else working).get(requirement.id)
        text = section.text if section else ""
        method = segments = None
        if shown:
            method, segments = (section.redline_method, section.redline) if section else (None, None)
        elif previous and section is not None:
            old = frozen[previous].get(requirement.id)
            if section.redline_base == previous:
                method, segments = section.redline_method, section.redline
            elif old is not None and old.text.strip() == text.strip():
                method = SAME  # untouched since that revision was frozen
        diff = render_redline(segments) if segments else None
        own = [RemarkView(r, number_of.get(r.revision_id, 0)) for r in remarks
               if r.requirement_id == requirement.id]
        sections.append(SectionView(
            requirement=requirement,
            text=text,
            redline=diff,
            previous_number=previous if method else None,
            redline_method=method,
            remarks=own,
            # On a resubmitted revision: what became of the previous revision's remarks.
            previous_remarks=[r for r in own if shown and shown >= 2
                              and r.revision_number == previous],
            assessment=assessments.get(requirement.id),
        ))

    municipal = actor.role == Role.MUNICIPAL_EDITOR
    events = [e for e in session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.programme_id == programme.id)
        .options(joinedload(WorkflowEvent.actor), joinedload(WorkflowEvent.on_behalf_of))
        .order_by(WorkflowEvent.seq)
    ) if event_visible_to(e, municipal=municipal)]
    letters = list(session.scalars(
        select(Letter)
        .where(Letter.programme_id == programme.id, visible_letters_filter(actor))
        .order_by(Letter.id)
    ))
    first = next((r.created_at for r in revisions if r.number == 1), None)
    submission = deadlines.submission_status(
        programme.campaign.deadline, programme.state, first,
        timefmt.local_date(datetime.now(UTC) if now is None else now, request_timezone()),
        request_timezone())
    return ProgrammePage(
        submission=submission,
        programme=programme,
        revisions=[(r.number, r.created_at) for r in revisions],
        shown=shown,
        sections=sections,
        events=events,
        is_ministry=is_ministry,
        letters=letters,
    )


def last_change(session: Session, programme: Programme) -> tuple[str, datetime]:
    """Who changed the programme last, and when, for the "changed since you opened it" note."""
    session.refresh(programme, ["updated_at", "updated_by_id"])
    author = session.get(User, programme.updated_by_id) if programme.updated_by_id else None
    return (author.full_name if author else "другим пользователем"), programme.updated_at
