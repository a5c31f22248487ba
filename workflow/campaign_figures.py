"""The figures of a campaign's status, computed from its rows (no queries): counts by state
and by deadline status, review times with their median and 90th percentile, the share of
programmes returned at least once. The definitions are in `campaign_status`'s docstring."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import date

from .campaign_status_model import (
    DEADLINE_ORDER,
    LATE,
    NOT_STARTED,
    ON_TIME,
    STATE_ORDER,
    Figures,
    StatusRow,
)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def nearest_rank(values: list[float], percent: float) -> float | None:
    """The smallest value that at least `percent` % of `values` do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def deadline_status(first_submitted: date | None, deadline: date, today: date) -> str:
    if first_submitted is not None:
        return ON_TIME if first_submitted <= deadline else LATE
    return LATE if today > deadline else NOT_STARTED


def figures(rows: list[StatusRow], municipalities: int) -> Figures:
    by_state = Counter(r.state for r in rows)
    by_deadline = Counter(r.deadline_status for r in rows)
    submitted = [r for r in rows if r.first_submitted_at]
    returned = [r for r in submitted if r.returns]
    review_days = sorted(r.review_days for r in rows if r.review_days is not None)
    return Figures(
        municipalities=municipalities,
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
