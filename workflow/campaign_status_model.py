"""The words and shapes of a campaign's status: the row states and deadline statuses (with
their order and Russian labels), and the plain dataclasses `campaign_status` returns and the
screens, the API, the report and the exports read. No queries here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .i18n import N_
from .states import PROGRAMME_STATE_LABELS, VERDICT_LABELS, Verdict

NOT_STARTED = "not_started"
STATE_ORDER = (NOT_STARTED, "draft", "submitted", "in_review", "decision_pending", "returned",
               "approved", "withdrawn")
STATE_LABELS = {NOT_STARTED: N_("Не начата"), **{s.value: label for s, label in PROGRAMME_STATE_LABELS.items()}}

ON_TIME, LATE = "on_time", "late"
DEADLINE_ORDER = (ON_TIME, LATE, NOT_STARTED)
DEADLINE_LABELS = {ON_TIME: N_("В срок"), LATE: N_("С нарушением срока"), NOT_STARTED: N_("Не направлена")}

VERDICT_NAMES = {v.value: label for v, label in VERDICT_LABELS.items()}


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
