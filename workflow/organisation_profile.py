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
from .errors import InvalidInput, PermissionDenied
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


def find_profile(session: Session) -> OrganisationProfile | None:
    return session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))


def blank_profile() -> OrganisationProfile:
    """The form's starting point before the profile is first saved (not added to a session)."""
    return OrganisationProfile(numbering="continuous", timezone=DEFAULT_TIMEZONE,
                               journal_index="23")


def update_profile(session: Session, actor: User, change: ProfileChange, *, now: datetime,
                   address: str = "") -> OrganisationProfile:
    """Write the profile (created on first save) and log who changed the numbering.

    Letters already signed keep the requisites frozen in their final data; only letters
    signed afterwards print the new ones."""
    ensure_active(actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Реквизиты бланка изменяет только администратор")
    if change.numbering not in NUMBERINGS:
        raise InvalidInput("Неизвестный порядок нумерации", field="numbering")
    journal_index = clean_text(change.journal_index, "Индекс журнала регистрации",
                               field="journal_index", limit=20, required=True)
    if not JOURNAL_INDEX_RE.match(journal_index):
        raise InvalidInput("Индекс: буквы, цифры, точка и дефис, без «/» и пробелов",
                           field="journal_index")
    try:
        ZoneInfo(change.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Неизвестный часовой пояс", field="timezone") from None
    letterhead = clean_text(change.letterhead, "Наименование на бланке", field="letterhead",
                            limit=1000, required=True)
    record = find_profile(session) or blank_profile()
    record.name = clean_text(change.name, "Полное наименование организации", field="name",
                             limit=300, required=True)
    record.letterhead = "\n".join(line.strip() for line in letterhead.splitlines()
                                  if line.strip())
    record.address = clean_text(change.address, "Почтовый адрес", field="address", limit=300,
                                required=True)
    record.phone = clean_text(change.phone, "Телефон", field="phone", limit=100, required=True)
    record.email = clean_text(change.email, "Электронная почта", field="email", limit=200,
                              required=True)
    if change.new_emblem is not None:
        record.emblem_svg = change.new_emblem
    elif change.remove_emblem:
        record.emblem_svg = None
    record.journal_index = journal_index
    record.numbering = change.numbering
    record.public_base_url = clean_text(
        change.public_base_url, "Адрес сайта для проверки писем", field="public_base_url",
        limit=300, required=True).rstrip("/")
    record.timezone = change.timezone
    session.add(record)
    log_event(session, "letters.profile.update", now=now, user=actor, address=address,
              detail=f"index={record.journal_index} numbering={record.numbering}")
    return record
