"""The facts guards look at, computed lazily with one small query each."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Assessment, Programme, ProgrammeSection, Remark, Requirement, Revision
from .states import RemarkState, RemarkVisibility, Verdict


class ProgrammeFacts:
    def __init__(self, session: Session, programme: Programme, reason: str = ""):
        self.session = session
        self.programme = programme
        self.reason = (reason or "").strip()

    @cached_property
    def _requirements(self) -> list[tuple[int, int]]:
        return list(
            self.session.execute(
                select(Requirement.id, Requirement.position)
                .where(Requirement.campaign_id == self.programme.campaign_id)
                .order_by(Requirement.position)
            ).all()
        )

    @cached_property
    def unfilled_requirement_positions(self) -> list[int]:
        filled = set(
            self.session.scalars(
                select(ProgrammeSection.requirement_id).where(
                    ProgrammeSection.programme_id == self.programme.id,
                    func.length(func.trim(ProgrammeSection.text)) > 0,
                )
            )
        )
        return [pos for rid, pos in self._requirements if rid not in filled]

    def _count_remarks(self, *conditions) -> int:
        return self.session.scalar(
            select(func.count(Remark.id)).where(Remark.programme_id == self.programme.id, *conditions)
        ) or 0

    @cached_property
    def open_external_remarks(self) -> int:
        return self._count_remarks(
            Remark.visibility == RemarkVisibility.EXTERNAL, Remark.state == RemarkState.OPEN
        )

    @cached_property
    def unresolved_remarks(self) -> int:
        return self._count_remarks(Remark.state != RemarkState.RESOLVED)

    @cached_property
    def requirements_not_met_positions(self) -> list[int]:
        met = set(
            self.session.scalars(
                select(Assessment.requirement_id)
                .join(Revision, Revision.id == Assessment.revision_id)
                .where(
                    Revision.programme_id == self.programme.id,
                    Revision.number == self.programme.revision_number,
                    Assessment.verdict == Verdict.MET,
                )
            )
        )
        return [pos for rid, pos in self._requirements if rid not in met]
