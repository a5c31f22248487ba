from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..campaign_machine import CampaignState, TaskState
from ..states import sql_in
from .base import Base, UTCDateTime
from .organisation import Municipality


class Campaign(Base):
    """A circular's call for programmes: its requirements and its deadline."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(CampaignState)})", name="state"),
        CheckConstraint("max_programmes IS NULL OR max_programmes >= 1", name="max_programmes"),
        CheckConstraint("state <> 'closed' OR closed_at IS NOT NULL", name="closed_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date]
    circular_number: Mapped[str | None] = mapped_column(String(50))
    circular_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The lifecycle (workflow/campaign_machine.py). A campaign built directly (before the
    # lifecycle existed, or by old code) is an open one; `campaigns.create_campaign` starts
    # every new campaign as a draft.
    state: Mapped[str] = mapped_column(String(20), default=CampaignState.OPEN,
                                       server_default=CampaignState.OPEN.value, index=True)
    # How many programmes (not withdrawn) a municipality may have in it: 1, N (distinct
    # titles), or NULL for no limit.
    max_programmes: Mapped[int | None]
    # Days before the deadline on which to remind those who have not submitted: "7,1".
    reminder_days: Mapped[str] = mapped_column(String(50), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    # The approval route its programmes take; None: the standard route (workflow.routes).
    route_id: Mapped[int | None] = mapped_column(ForeignKey("route.id"))

    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="campaign", order_by="Requirement.position", cascade="all, delete-orphan"
    )


class Requirement(Base):
    __tablename__ = "requirement"
    __table_args__ = (UniqueConstraint("campaign_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="requirements")


class CampaignParticipant(Base):
    """A municipality called on by a campaign, and its task there. No rows: a campaign from
    before participants existed, open to every active municipality."""

    __tablename__ = "campaign_participant"
    __table_args__ = (
        UniqueConstraint("campaign_id", "municipality_id"),
        CheckConstraint(f"task_state IN ({sql_in(TaskState)})", name="task_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    task_state: Mapped[str] = mapped_column(String(20), default=TaskState.PENDING)
    # When the campaign opened for it (its task appeared) and when it created a programme.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()
    municipality: Mapped[Municipality] = relationship()
