from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100), default="")
    # Addressee block of letters to this municipality's education authority.
    authority_name: Mapped[str] = mapped_column(String(300), default="")
    head_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Municipality {self.code}>"


class OrganisationProfile(Base):
    """The ministry's own requisites, printed on every letter; one row, edited by an admin."""

    __tablename__ = "organisation_profile"
    __table_args__ = (
        CheckConstraint("numbering IN ('yearly', 'continuous')", name="numbering"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # The letterhead's line breaks matter (МИНИСТЕРСТВО / ОБРАЗОВАНИЯ / ...): one per line.
    letterhead: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    emblem_svg: Mapped[str | None] = mapped_column(Text)
    journal_index: Mapped[str] = mapped_column(String(20), default="23")
    numbering: Mapped[str] = mapped_column(String(20), default="continuous")
    public_base_url: Mapped[str] = mapped_column(String(300), default="http://127.0.0.1:5000")
    # Registration dates are the ministry's local calendar dates.
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Vladivostok")
