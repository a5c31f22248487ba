"""The organisation profile: the ministry's requisites printed on every letter from its
signing on (name, letterhead lines, address, emblem), the registration journal's index and
numbering, the verification site and the calendar of registration dates. One row; only an
administrator changes it, and each change is recorded in the security log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import ensure_active
from .errors import InvalidInput, LetterError, PermissionDenied
from .models import OrganisationProfile, User
from .signin import log_event
from .states import Role
from .text import clean_text
from .timefmt import DEFAULT_TIMEZONE

NUMBERINGS = ("continuous", "yearly")
# The index is the part of the number before "/" (23/6666): no slash, no spaces.
JOURNAL_INDEX_RE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё.\-]+$")


@dataclass(frozen=True)
class ProfileChange:
    """What the administrator submitted. `new_emblem`: an SVG already checked by the upload
    checks (web.upload_checks); without one, `remove_emblem` goes back to the standard
    emblem and otherwise the current emblem stays."""

    name: str
    letterhead: str
    address: str
    phone: str
    email: str
    journal_index: str
    numbering: str
    public_base_url: str
    timezone: str
    new_emblem: str | None = None
    remove_emblem: bool = False


def profile_column(column):
    """`column` of the profile row as a scalar subquery (NULL before the profile is filled
    in): read with another statement instead of in one of its own."""
    return select(column).order_by(OrganisationProfile.id).limit(1).scalar_subquery()


def find_profile(session: Session) -> OrganisationProfile | None:
    return session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))


def required_profile(session: Session) -> OrganisationProfile:
    """The profile a letter prints: no letter is drafted, signed or rendered without it."""
    profile = find_profile(session)
    if profile is None:
        raise LetterError("Не заполнен профиль организации (реквизиты бланка)")
    return profile


def blank_profile() -> OrganisationProfile:
    """The form's starting point before the profile is first saved (not added to a session)."""
    return OrganisationProfile(numbering="continuous", timezone=DEFAULT_TIMEZONE,
                               journal_index="23")


def update_profile(session: Session, actor: User, change: ProfileChange, *, now: datetime,
                   address: str = "") -> OrganisationProfile:
    """Write the profile (created on first save) and log who changed the numbering. Every
    value is checked before the row is touched.

    Letters already signed keep the requisites frozen in their final data; only letters
    signed afterwards print the new ones."""
    ensure_active(actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Реквизиты бланка изменяет только администратор")
    values = _checked(change)
    record = find_profile(session) or blank_profile()
    for name, value in values.items():
        setattr(record, name, value)
    if change.new_emblem is not None:
        record.emblem_svg = change.new_emblem
    elif change.remove_emblem:
        record.emblem_svg = None
    session.add(record)
    log_event(session, "letters.profile.update", now=now, user=actor, address=address,
              detail=f"index={record.journal_index} numbering={record.numbering}")
    return record


def _checked(change: ProfileChange) -> dict[str, str]:
    """The columns to write, cleaned; InvalidInput naming the first bad field."""
    def text(field: str, label: str, limit: int) -> str:
        return clean_text(getattr(change, field), label, field=field, limit=limit, required=True)

    values = {
        "name": text("name", "Полное наименование организации", 300),
        "letterhead": "\n".join(line.strip() for line in text(
            "letterhead", "Наименование на бланке", 1000).splitlines() if line.strip()),
        "address": text("address", "Почтовый адрес", 300),
        "phone": text("phone", "Телефон", 100),
        "email": text("email", "Электронная почта", 200),
        "journal_index": text("journal_index", "Индекс журнала регистрации", 20),
        "numbering": change.numbering,
        "public_base_url": text("public_base_url", "Адрес сайта для проверки писем",
                                300).rstrip("/"),
        "timezone": change.timezone,
    }
    if not JOURNAL_INDEX_RE.match(values["journal_index"]):
        raise InvalidInput("Индекс: буквы, цифры, точка и дефис, без «/» и пробелов",
                           field="journal_index")
    if change.numbering not in NUMBERINGS:
        raise InvalidInput("Неизвестный порядок нумерации", field="numbering")
    try:
        ZoneInfo(change.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Неизвестный часовой пояс", field="timezone") from None
    return values
