"""The campaign lifecycle, declared as data and run on `transitions` (as `machine.py` does
for programmes).

    draft --open (the circular is signed)--> open --close--> closed
    draft --cancel--> cancelled

What each state allows is declared beside it (`ALLOWED`): the campaign's set-up is edited
only as a draft (a correction to an open campaign is a new circular), and municipalities
work on programmes only while it is open; a closed campaign is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from transitions import Machine, MachineError

from .i18n import N_


class CampaignState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


CAMPAIGN_STATE_LABELS = {
    CampaignState.DRAFT: N_("Подготовка"),
    CampaignState.OPEN: N_("Идёт приём программ"),
    CampaignState.CLOSED: N_("Завершена"),
    CampaignState.CANCELLED: N_("Отменена"),
}


class TaskState(StrEnum):
    """A participant's task: set at opening, moved on by its first programme."""

    PENDING = "pending"          # the campaign is still a draft
    NOT_STARTED = "not_started"  # open, no programme yet
    STARTED = "started"          # the municipality has created a programme


TASK_STATE_LABELS = {
    TaskState.PENDING: N_("Кампания не объявлена"),
    TaskState.NOT_STARTED: N_("Не начата"),
    TaskState.STARTED: N_("Начата"),
}


@dataclass(frozen=True)
class CampaignTransition:
    trigger: str
    sources: tuple[CampaignState, ...]
    dest: CampaignState
    label: str
    # Who fires it: "signing" (the circular's signature), "manager" (admin or head of
    # department).
    by: str
    needs_reason: bool = False


S = CampaignState

CAMPAIGN_TRANSITIONS: tuple[CampaignTransition, ...] = (
    CampaignTransition("open", (S.DRAFT,), S.OPEN, N_("Объявить (подписано циркулярное письмо)"),
                       by="signing"),
    CampaignTransition("close", (S.OPEN,), S.CLOSED, N_("Завершить кампанию"), by="manager"),
    CampaignTransition("cancel", (S.DRAFT,), S.CANCELLED, N_("Отменить подготовку"), by="manager",
                       needs_reason=True),
)
CAMPAIGN_TRANSITIONS_BY_TRIGGER = {t.trigger: t for t in CAMPAIGN_TRANSITIONS}
CAMPAIGN_TRIGGERS = tuple(CAMPAIGN_TRANSITIONS_BY_TRIGGER)

# What may be done to a campaign, or inside it, in each state.
ACTIONS = ("edit", "edit_requirements", "edit_participants", "prepare_circular",
           "start_programme", "edit_programme")
ALLOWED: dict[CampaignState, frozenset[str]] = {
    S.DRAFT: frozenset({"edit", "edit_requirements", "edit_participants", "prepare_circular"}),
    S.OPEN: frozenset({"start_programme", "edit_programme"}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# The Russian reason an action is refused in a state.
REFUSALS = {
    "edit": "Изменять условия можно только при подготовке кампании: после подписания "
            "циркулярного письма исправление оформляется новым письмом",
    "edit_requirements": "Требования изменяются только при подготовке кампании: после "
                         "подписания циркулярного письма они зафиксированы, исправление — новое "
                         "циркулярное письмо",
    "edit_participants": "Состав участников изменяется только при подготовке кампании",
    "prepare_circular": "Циркулярное письмо готовится только для кампании в подготовке",
    "start_programme": "Приём программ по этой кампании не идёт: {state}",
    "edit_programme": "Кампания {state}: программы по ней доступны только для просмотра",
}


def refusal(action: str, state: str) -> str | None:
    """None when `action` is allowed in `state`, else the Russian reason."""
    current = CampaignState(state)
    if action in ALLOWED[current]:
        return None
    label = {S.DRAFT: "ещё не объявлена", S.CLOSED: "завершена",
             S.CANCELLED: "отменена", S.OPEN: "идёт"}[current]
    return REFUSALS[action].format(state=f"кампания {label}" if action == "start_programme"
                                   else label)


class _Holder:
    def __init__(self, state: str):
        self.state = state


def next_campaign_state(current: str, trigger: str) -> str | None:
    """Run `trigger` on a throw-away machine: the destination, or None if illegal here."""
    holder = _Holder(getattr(current, "value", current))
    Machine(
        model=holder, states=[s.value for s in S],
        transitions=[{"trigger": t.trigger, "source": [s.value for s in t.sources],
                      "dest": t.dest.value} for t in CAMPAIGN_TRANSITIONS],
        initial=holder.state, auto_transitions=False, ignore_invalid_triggers=False,
    )
    try:
        getattr(holder, trigger)()
    except (MachineError, AttributeError):
        return None
    return holder.state
