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
    # The name in the cases letters need ("программа Хасанского муниципального округа",
    # "в Хасанском муниципальном округе"). Stored, not computed: official names do not decline
    # by rule ("Городской округ Большой Камень" -> "городского округа Большой Камень").
    name_genitive: Mapped[str] = mapped_column(String(200), default="")
    name_dative: Mapped[str] = mapped_column(String(200), default="")
    name_prepositional: Mapped[str] = mapped_column(String(200), default="")
    # The education authority: "Управление образования администрации Хасанского
    # муниципального округа" (the addressee, in the nominative, when no head is known, as
    # ГОСТ Р 7.0.97 names an organisation), and its dative for sentences that need it.
    authority_name: Mapped[str] = mapped_column(String(300), default="")
    authority_name_dative: Mapped[str] = mapped_column(String(300), default="")
    # Its head, the addressee of the ministry's letters: "Начальнику управления образования
    # администрации Хасанского муниципального округа / Е.А. Васильевой". The position is
    # stored in both cases because what follows it is governed by the position's own noun.
    head_position: Mapped[str] = mapped_column(String(300), default="")
    head_position_dative: Mapped[str] = mapped_column(String(300), default="")
    head_surname: Mapped[str] = mapped_column(String(100), default="")
    head_first_name: Mapped[str] = mapped_column(String(100), default="")
    head_patronymic: Mapped[str] = mapped_column(String(100), default="")
    # The authority's official e-mail and postal address (notifications, envelopes).
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def head_full_name(self) -> str:
        return " ".join(p for p in (self.head_surname, self.head_first_name, self.head_patronymic) if p)

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
