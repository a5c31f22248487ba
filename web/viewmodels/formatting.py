"""What the page read models need besides web/formatting.py: the organisation's today, and
the state and history labels (as the viewer may see them)."""

from __future__ import annotations

from datetime import date, datetime

from workflow import timefmt
from workflow.machine import TRANSITIONS_BY_TRIGGER
from workflow.reassignment import HISTORY_LABELS
from workflow.states import PROGRAMME_STATE_LABELS, ProgrammeState, programme_state_label_for

from ..extensions import request_timezone

# Dates and plurals are the one formatting module's (web/formatting.py); re-exported for the
# page read models.
from ..formatting import fmt_date, fmt_datetime, plural, plural_word  # noqa: F401


def local_today(now: datetime) -> date:
    return timefmt.local_date(now, request_timezone())


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
