from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import EDITABLE_STATES, ProgrammeState, sql_in
from .base import Base, UTCDateTime
from .campaign import Campaign, Requirement
from .organisation import Municipality
from .user import User

if TYPE_CHECKING:
    from .files import ProgrammeFile


class Programme(Base):
    __tablename__ = "programme"
    __table_args__ = (
        UniqueConstraint("campaign_id", "municipality_id", "title"),
        CheckConstraint(f"state IN ({sql_in(ProgrammeState)})", name="state"),
        # Review states need an assigned reviewer; the row cannot exist otherwise.
        CheckConstraint(
            "state NOT IN ('in_review', 'decision_pending', 'approved') OR reviewer_id IS NOT NULL",
            name="review_needs_reviewer",
        ),
        # A decision travels the programme's pinned route version.
        CheckConstraint("state != 'decision_pending' OR route_version_id IS NOT NULL",
                        name="decision_has_route"),
        # Anything past the draft has been submitted at least once, so has a revision.
        CheckConstraint(
            "state IN ('draft', 'withdrawn') OR revision_number >= 1", name="submitted_has_revision"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    period_from: Mapped[int]
    period_to: Mapped[int]
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    responsible_position: Mapped[str] = mapped_column(String(300), default="")
    responsible_phone: Mapped[str] = mapped_column(String(100), default="")
    # The municipality's own outgoing registration: "На № ___ от ___" in our reply letter.
    outgoing_number: Mapped[str | None] = mapped_column(String(50))
    outgoing_date: Mapped[date | None]

    state: Mapped[str] = mapped_column(String(20), default=ProgrammeState.DRAFT, index=True)
    version: Mapped[int] = mapped_column(default=1)
    revision_number: Mapped[int] = mapped_column(default=0)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The approval route version this programme runs on, pinned when it is taken for review
    # (or at its first decision); a later edit of the route never moves it.
    route_version_id: Mapped[int | None] = mapped_column(ForeignKey("route_version.id"))

    # The single attachment of before migration 0004, kept only until `flask migrate-files`
    # (run by `init-db`) has moved it into the file store and `programme_file` /
    # `revision_file`, which empties these columns. Nothing else reads or writes them; a
    # later migration may drop them once every installation has run the adoption.
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment_key: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None]
    attachment_type: Mapped[str | None] = mapped_column(String(100))

    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who made the latest change (a transition or a saved draft): named in "changed by".
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()
    municipality: Mapped[Municipality] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    sections: Mapped[list[ProgrammeSection]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="ProgrammeSection.requirement_id",
    )
    # The working copy's files; each revision keeps its own copy of this list.
    files: Mapped[list[ProgrammeFile]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeFile.id",
    )

    @property
    def state_enum(self) -> ProgrammeState:
        return ProgrammeState(self.state)

    @property
    def editable(self) -> bool:
        return self.state_enum in EDITABLE_STATES

    def section_for(self, requirement_id: int) -> ProgrammeSection | None:
        return next((s for s in self.sections if s.requirement_id == requirement_id), None)


class ProgrammeSection(Base):
    """The municipality's working copy of the answer to one requirement."""

    __tablename__ = "programme_section"
    __table_args__ = (UniqueConstraint("programme_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    # The redline of `text` against revision `redline_base` (see workflow.redline), computed
    # when the text is saved so that showing it never compares texts; stale once a newer
    # revision is frozen (the base then differs from the programme's revision number).
    redline: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    redline_method: Mapped[str | None] = mapped_column(String(10))
    redline_base: Mapped[int | None]

    programme: Mapped[Programme] = relationship(back_populates="sections")
    requirement: Mapped[Requirement] = relationship()
