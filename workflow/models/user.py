from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import Role, sql_in
from .base import Base, UTCDateTime
from .organisation import Municipality


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_in(Role)})", name="role"),
        # A municipal editor belongs to exactly one municipality; ministry staff to none.
        CheckConstraint(
            "(role = 'municipal_editor') = (municipality_id IS NOT NULL)",
            name="editor_has_municipality",
        ),
        CheckConstraint("mail_preference IN ('immediate', 'digest', 'off')",
                        name="mail_preference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300), default="")
    # The position in the genitive, for "И.о. заместителя министра ..." when a substitute
    # signs for this user (ГОСТ Р 7.0.97-2025); empty: derived from `position` (workflow.acting).
    position_genitive: Mapped[str] = mapped_column(String(300), default="")
    # Ministry staff: heads of department may reassign reviews and declare absences.
    heads_department: Mapped[bool] = mapped_column(default=False)
    department: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out everywhere, deactivation and password reset: invalidates sessions.
    session_epoch: Mapped[int] = mapped_column(default=0)
    # E-mail of notifications: each at once, one daily digest, or none (in-app only).
    mail_preference: Mapped[str] = mapped_column(String(16), default="immediate",
                                                 server_default="immediate")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_ministry(self) -> bool:
        return self.role != Role.MUNICIPAL_EDITOR

    def short_name(self) -> str:
        """"Шкуратская Мария Викторовна" -> "М.В. Шкуратская" (ГОСТ order for signatures)."""
        parts = self.full_name.split()
        if len(parts) < 2:
            return self.full_name
        initials = "".join(p[0] + "." for p in parts[1:3])
        return f"{initials} {parts[0]}"

    def __repr__(self) -> str:
        return f"<User {self.login} {self.role}>"
