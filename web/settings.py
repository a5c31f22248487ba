"""Settings: every one can be given in the environment, as a string converted by its parser.

One table, `SETTINGS`: the variable's name, how its text becomes a value, the default and
a line for the README. The configuration is built in this order: the defaults, then the
environment, then the `test_config` given to `create_app`. A value that does not parse
stops the start with a message naming the variable; nothing silently falls back.

Adding a setting is one line in the table, e.g.
    "TRUSTED_CA_FILES": Setting(text, "", "CA certificates trusted by /verify, ':'-separated"),
(or `path_list` to get a list). The README table: `python -m web.settings`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingError(ValueError):
    """A variable of the environment that cannot be used; the message names it."""


# ---------------------------------------------------------------- parsers


def text(raw: str) -> str:
    return raw


def integer(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError("нужно целое число") from None


def non_negative(raw: str) -> int:
    value = integer(raw)
    if value < 0:
        raise ValueError("нужно целое число не меньше 0")
    return value


def positive(raw: str) -> int:
    value = integer(raw)
    if value < 1:
        raise ValueError("нужно целое число больше 0")
    return value


TRUE = {"1", "true", "yes", "on", "да"}
FALSE = {"0", "false", "no", "off", "нет"}


def boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ValueError("нужно 1/0, true/false, yes/no или on/off")


DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(raw: str) -> timedelta:
    """"90" or "90s" seconds, "30m" minutes, "12h" hours, "7d" days."""
    found = DURATION_RE.match(raw)
    if not found:
        raise ValueError("нужна длительность: 90 или 90s (секунды), 30m, 12h, 7d")
    return timedelta(seconds=int(found.group(1)) * UNITS[found.group(2).lower()])


def megabytes(raw: str) -> int:
    return positive(raw) * 1024 * 1024


def path_list(raw: str) -> list[str]:
    """Paths separated by the system's separator (":" on Linux), empty parts skipped."""
    return [part for part in raw.split(os.pathsep) if part.strip()]


def number(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError("нужно число") from None
    if value < 0:
        raise ValueError("нужно число не меньше 0")
    return value


def timezone(raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("неизвестный часовой пояс (нужно, например, Asia/Vladivostok)") from None
    return raw.strip()


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        for value in allowed:
            if raw.strip().lower() == value.lower():
                return value
        raise ValueError("допустимые значения: " + ", ".join(allowed))

    return parse


def optional_seconds(raw: str) -> int | None:
    """A number of seconds, or "none" for no limit."""
    if raw.strip().lower() in ("none", "off", "0"):
        return None
    return positive(raw)


def rate_limit(raw: str) -> str:
    """A Flask-Limiter limit string such as "30 per minute; 300 per hour"."""
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError("нужен предел вида «30 per minute» или «30/minute; 300/hour»") from None
    return raw.strip()


def hour(raw: str) -> int:
    value = integer(raw)
    if not 0 <= value <= 23:
        raise ValueError("нужен час от 0 до 23")
    return value


def day_offsets(raw: str) -> tuple[int, ...]:
    """"7,0": days before a deadline, each a whole number from 0 to 365."""
    try:
        days = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()},
                      reverse=True)
    except ValueError:
        raise ValueError("нужны числа дней через запятую, например 7,0") from None
    if not days or any(d < 0 or d > 365 for d in days):
        raise ValueError("нужны числа дней от 0 до 365 через запятую, например 7,0")
    return tuple(days)


def mail_url(raw: str) -> str:
    from .mailer import MailConfigError, transport_for

    try:
        transport_for(raw.strip())
    except MailConfigError as error:
        raise ValueError(str(error)) from None
    return raw.strip()


def base_url(raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("нужен адрес сайта вида https://programmy.example.ru")
    return value


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Setting:
    parse: Callable[[str], Any]
    # The value when the environment says nothing: a value, or a function of the app
    # (for paths inside its instance folder).
    default: Any
    help: str
    # The configuration key, when it differs from the variable (MAX_UPLOAD_MB -> bytes).
    key: str | None = None
    # The default as written in the environment, for the README, when it differs.
    shown: str | None = None


def _instance(*parts: str) -> Callable:
    return lambda app: os.path.join(app.instance_path, *parts)


SETTINGS: dict[str, Setting] = {
    "DATABASE_URL": Setting(text, None, "SQLAlchemy URL; default: SQLite in instance/"),
    "SECRET_KEY": Setting(text, None, "session signing key; default: instance/secret_key, "
                                      "created on first start"),
    "UPLOAD_DIR": Setting(text, _instance("uploads"), "folder of attachments",
                          shown="instance/uploads"),
    "FILE_STORE": Setting(choice("filesystem", "database"), "filesystem",
                          "programme files: under FILE_STORE_DIR, or in the database (shared "
                          "by every app server on it)"),
    "FILE_STORE_DIR": Setting(text, None, "folder of the filesystem file store; default: "
                                          "UPLOAD_DIR"),
    "PKI_DIR": Setting(text, _instance("pki"), "folder of the demo CA and certificates",
                       shown="instance/pki"),
    "TRUSTED_CA_FILES": Setting(text, "", "PEM CA certificates trusted for signatures, "
                                          "separated by commas or colons; when set, the demo "
                                          "CA is neither trusted nor used to issue"),
    "DEMO_PKI": Setting(choice("auto", "0", "1"), "auto",
                        "demo CA: auto (while TRUSTED_CA_FILES is empty), 0 or 1"),
    "SIGNING_SESSION_KEY": Setting(text, None, "server key sealing short-lived signing "
                                               "sessions; default: instance/"
                                               "signing_session_key; keep it out of the "
                                               "database and its backups"),
    "SIGNING_SESSION_MINUTES": Setting(number, 60.0, "how long a signed "
                                       "letter's key stays sealed to produce its PDF, minutes"),
    "JOBS_IMMEDIATE": Setting(boolean, False, "run background jobs inside the call that "
                                              "enqueues them (tests, one-process tools)"),
    "JOBS_WORKERS": Setting(positive, 2, "workers of `flask worker` (one per core)"),
    "JOBS_WORKER_TYPE": Setting(choice("process", "thread"), "process",
                                "`flask worker` runs its workers as processes or threads"),
    "JOBS_REDIS_URL": Setting(text, None, "Redis of the job queue; default: REDIS_URL, "
                                          "else SQLite in instance/jobs.sqlite3"),
    "JOBS_QUEUE_NAME": Setting(text, "programme-approval", "name of the job queue (several "
                                                           "installations on one Redis)"),
    "JOBS_RETRIES": Setting(non_negative, 3, "retries of a failed job (exponential backoff)"),
    "JOBS_RETRY_DELAY": Setting(number, 5.0, "first retry delay of a failed job, seconds "
                                             "(doubled at each retry)"),
    "JOBS_SWEEP_SECONDS": Setting(number, 60.0, "`flask worker`: interval of the sweep "
                                                "that re-enqueues pending work, seconds"),
    "MAX_UPLOAD_MB": Setting(megabytes, 20 * 1024 * 1024, "largest upload, MB",
                             key="MAX_CONTENT_LENGTH", shown="20"),
    "API_MAX_BODY": Setting(positive, 1024 * 1024, "largest JSON body of the API, bytes"),
    "PAGE_SIZE": Setting(positive, 25, "rows per page of the lists"),
    "BABEL_DEFAULT_LOCALE": Setting(choice("ru", "en"), "ru", "language of the screens"),
    "BABEL_DEFAULT_TIMEZONE": Setting(timezone, "Asia/Vladivostok",
                                      "time zone of dates on screens"),
    "SESSION_COOKIE_SECURE": Setting(boolean, False, "send the session cookie over HTTPS "
                                                     "only"),
    "SESSION_COOKIE_SAMESITE": Setting(choice("Lax", "Strict"), "Lax",
                                       "SameSite of the session cookie"),
    "PERMANENT_SESSION_LIFETIME": Setting(duration, timedelta(minutes=30),
                                          "idle session lifetime", shown="30m"),
    "SESSION_ABSOLUTE_LIFETIME": Setting(duration, timedelta(hours=12),
                                         "absolute session lifetime", shown="12h"),
    "WTF_CSRF_TIME_LIMIT": Setting(optional_seconds, None,
                                   "CSRF token lifetime, seconds; none: the session's"),
    "LOGIN_THROTTLE_ATTEMPTS": Setting(positive, 5, "failed sign-ins before throttling"),
    "LOGIN_THROTTLE_ADDRESS_ATTEMPTS": Setting(positive, None, "failed sign-ins from one "
                                               "address across all accounts before it waits; "
                                               "default: 4 x LOGIN_THROTTLE_ATTEMPTS"),
    "SIGNIN_RETENTION_DAYS": Setting(positive, 90, "days `flask purge` keeps sign-in attempts"),
    "AUDIT_KEY": Setting(text, None, "HMAC key of the history and journal chains; default: "
                                     "the contents of AUDIT_KEY_FILE"),
    "AUDIT_KEY_FILE": Setting(text, _instance("audit_key"), "file of the audit key, created "
                              "on first start (mode 0600); back it up apart from the database",
                              shown="instance/audit_key"),
    "AUDIT_CHECKPOINT_DIR": Setting(text, _instance("audit"), "signed checkpoint log of the "
                                    "chains; put it where database administrators cannot write",
                                    shown="instance/audit"),
    "LOGIN_THROTTLE_WINDOW": Setting(duration, timedelta(minutes=15),
                                     "window of the sign-in throttle", shown="15m"),
    "TRUSTED_PROXIES": Setting(non_negative, 0, "reverse proxies in front of the app "
                                                "(X-Forwarded-* hops trusted)"),
    "VERIFY_RATE_LIMIT": Setting(rate_limit, "30 per minute; 300 per hour",
                                 "requests per client address to /verify"),
    "REDIS_URL": Setting(text, None, "Redis for rate-limit counters shared by several "
                                     "processes; default: memory of each process"),
    "MAIL_URL": Setting(mail_url, lambda app: "file://" + os.path.join(app.instance_path, "mail"),
                        "where e-mail goes: smtp://user:pass@host:587 (STARTTLS), "
                        "smtps://user:pass@host:465, or file:///dir (.eml files)",
                        shown="file://instance/mail"),
    "MAIL_FROM": Setting(text, "Согласование программ <noreply@localhost>",
                         "sender of the notification e-mails"),
    "PUBLIC_BASE_URL": Setting(base_url, None, "the site's address for links in e-mails; "
                                               "default: the organisation profile's"),
    "MAIL_MAX_ATTEMPTS": Setting(positive, 8, "delivery attempts of an e-mail before it is "
                                              "marked failed (backoff 30 s doubling to 1 h)"),
    "MAIL_PDF_WAIT": Setting(duration, timedelta(days=1), "how long a letter's e-mail waits "
                             "for its PDF before it is sent without it", shown="1d"),
    "DAILY_JOBS_HOUR": Setting(hour, 8, "hour (organisation's time zone) of the daily jobs: "
                                        "deadline reminders, e-mail digests"),
    "REMINDER_DAYS": Setting(day_offsets, (7, 0), "days before a campaign's deadline on which "
                             "reminder letters are drafted", shown="7,0"),
    "REMINDER_DRAFTER": Setting(text, "", "login of the ministry employee the daily job "
                                          "drafts reminders as; default: the first reviewer"),
}


def load(config: dict, app, environ: Mapping[str, str] | None = None) -> None:
    """Defaults, then the environment, into `config`."""
    environ = os.environ if environ is None else environ
    for name, setting in SETTINGS.items():
        default = setting.default(app) if callable(setting.default) else setting.default
        config[setting.key or name] = default
    for name, setting in SETTINGS.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            config[setting.key or name] = setting.parse(raw)
        except ValueError as error:
            raise SettingError(f"Переменная окружения {name}={raw!r}: {error}") from None


def readme_table() -> str:
    """The settings as a Markdown table, for the README (`python -m web.settings`)."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    # Durations: 90 or 90s, 30m, 12h, 7d; booleans: 1/0, true/false, yes/no, on/off.
    for name, setting in SETTINGS.items():
        default = setting.shown if setting.shown is not None else setting.default
        lines.append(f"| `{name}` | {'' if default is None else f'`{default}`'} | "
                     f"{setting.help} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(readme_table())
