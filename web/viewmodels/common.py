"""What several pages' read models share."""

from __future__ import annotations

from sqlalchemy import func, select

from workflow.models import Programme, Remark
from workflow.states import RemarkState, RemarkVisibility


def open_external_count(programme_id=None):
    """Per programme row: external remarks still open (awaiting the municipality's answer).
    Correlated, so it is computed for the rows of the page only, not for every programme.
    `programme_id`: the column of the enclosing query that holds the id (`Programme.id`)."""
    counted = select(func.count(Remark.id)).where(
        Remark.programme_id == (Programme.id if programme_id is None else programme_id),
        Remark.visibility == RemarkVisibility.EXTERNAL, Remark.state == RemarkState.OPEN)
    if programme_id is None:
        counted = counted.correlate(Programme)
    return counted.scalar_subquery()


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**31) <= number < 2**31 else None  # beyond INTEGER: no such row
