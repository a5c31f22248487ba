from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime


class Campaign(Base):
    """A circular's call for programmes: its requirements and its deadline."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date]
    circular_number: Mapped[str | None] = mapped_column(String(50))
    circular_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
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
