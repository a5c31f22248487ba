"""The one place where stored instants become the dates and times people read.

The database stores UTC. Everything a user sees or a letter prints (a revision's date, a
remark's time, "по состоянию на" in a reminder, the signing time on the electronic-signature
mark) is in the organisation's time zone (`OrganisationProfile.timezone`, Asia/Vladivostok in
the demo): the ministry's working day is not the UTC one, and a letter registered on the
morning of 1 December in Vladivostok was signed on 30 November in UTC.
Screens, letters and the verification page call these functions instead of converting
themselves. No Flask here: the web layer passes the zone in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Vladivostok"


@lru_cache(maxsize=32)
def zone(name: str | None) -> tzinfo:
    """The zone called `name`; UTC for an empty or unknown name (never an exception on a
    page or in a letter because of a mistyped setting)."""
    if not name or name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _tz(tz: str | tzinfo | None) -> tzinfo:
    return tz if isinstance(tz, tzinfo) else zone(tz)


def to_local(moment: datetime, tz: str | tzinfo | None) -> datetime:
    """An instant in the zone `tz`. A naive datetime is read as UTC (what the database holds)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_tz(tz))


def local_date(value: date | datetime | None, tz: str | tzinfo | None) -> date | None:
    """The calendar date of `value` in `tz`; a plain date is already a calendar date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_local(value, tz).date()
    return value


def ddmmyyyy(value: date | datetime | None, tz: str | tzinfo | None = None) -> str:
    """"15.07.2022"; an instant is first taken to the organisation's calendar."""
    day = local_date(value, tz)
    return day.strftime("%d.%m.%Y") if day else ""


def utc_offset(moment: datetime) -> str:
    """"UTC+10", "UTC-3:30", "UTC" for an aware datetime's offset."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def stamp(moment: datetime | None, tz: str | tzinfo | None) -> str:
    """"15.07.2022 09:00 (UTC+10)": a time that states its zone, as on the signature mark."""
    if moment is None:
        return ""
    local = to_local(moment, tz)
    return f"{local:%d.%m.%Y %H:%M} ({utc_offset(local)})"
