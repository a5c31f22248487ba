"""Every assessment of a campaign for the exports: the latest verdict per programme and
requirement, in one query."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Assessment, Programme, Revision


def latest_assessments(session: Session, campaign_id: int) -> dict[tuple[int, int], tuple[str, int, str]]:
    """(programme id, requirement id) -> (verdict, revision number, comment) of the latest
    assessed revision: one query."""
    result: dict[tuple[int, int], tuple[str, int, str]] = {}
    for pid, rid, verdict, number, comment in session.execute(
        select(Assessment.programme_id, Assessment.requirement_id, Assessment.verdict,
               Revision.number, Assessment.comment)
        .join(Revision, Revision.id == Assessment.revision_id)
        .join(Programme, Programme.id == Assessment.programme_id)
        .where(Programme.campaign_id == campaign_id)
        .order_by(Revision.number)
    ):
        result[(pid, rid)] = (verdict, number, comment)
    return result

