"""E-mail: the message (stdlib `email`, UTF-8 headers and text) and its transport, chosen by
MAIL_URL:

    smtp://user:pass@host:587   SMTP with STARTTLS (required when a password is given)
    smtps://user:pass@host:465  SMTP over TLS
    file:///dir                 one .eml file per message in `dir` (the demo's default)

No Flask here: the mail job passes the settings in.
"""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 30

GREETING = "Здравствуйте!"
FOOTER = ("--\nСистема согласования муниципальных программ. Письмо отправлено автоматически, "
          "отвечать на него не нужно. Как присылать уведомления, можно выбрать на странице "
          "«Мои сеансы» ({site}/account/sessions).")


class MailConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Outgoing:
    key: str
    to: str
    subject: str
    body: str
    attachment: tuple[str, bytes] | None = None  # (file name, PDF bytes)


def message_id(key: str, sender: str) -> str:
    """The same Message-ID for every attempt of one mail: a duplicate delivered after a crash
    (see NOTES) is recognisable as the same message by the receiving side."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def encoded(name: str, value: str) -> str:
    """`value` as RFC 2047 encoded words, split at character boundaries with its spaces kept.
    (Python's own folding of long non-ASCII headers drops a space at a fold: "на
    рассмотрение" arrived as "нарассмотрение".) Plain ASCII stays as it is."""
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode()


def build_message(mail: Outgoing, *, sender: str, site: str, now: datetime) -> EmailMessage:
    site = site.rstrip("/")
    msg = EmailMessage()
    name, address = parseaddr(sender)
    msg.set_raw("From", f"{encoded('From', name)} <{address}>" if name else address)
    msg["To"] = mail.to
    msg.set_raw("Subject", encoded("Subject", mail.subject))
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(mail.key, sender)
    msg["Auto-Submitted"] = "auto-generated"
    body = mail.body.replace("{site}", site)
    text = f"{GREETING}\n\n{body}\n\n{FOOTER.replace('{site}', site)}\n"
    msg.set_content(text, charset="utf-8")
    if mail.attachment is not None:
        filename, data = mail.attachment
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return msg


class FileTransport:
    """Writes each message as `<dir>/<message id>.eml`: sending the same mail twice writes
    the same file, not a second one."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, msg: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9@._-]", "", str(msg["Message-ID"]))
        target = self.directory / f"{stem}.eml"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(bytes(msg))
        os.replace(tmp, target)


class SmtpTransport:
    def __init__(self, host: str, port: int, *, tls: bool, user: str | None,
                 password: str | None, starttls: str = "auto"):
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password, self.starttls = user, password, starttls

    def send(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.tls:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
        with client:
            client.ehlo()
            if not self.tls and self.starttls != "off":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif self.password or self.starttls == "require":
                    raise smtplib.SMTPException(
                        "сервер не предлагает STARTTLS: пароль открытым текстом не отправляется")
            if self.user:
                client.login(self.user, self.password or "")
            client.send_message(msg)


def transport_for(url: str):
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc and parts.netloc not in ("", "localhost"):
            path = unquote(parts.netloc + parts.path)  # file://relative/dir
        if not path:
            raise MailConfigError("MAIL_URL file:///каталог: не указан каталог")
        return FileTransport(path)
    if parts.scheme in ("smtp", "smtps"):
        if not parts.hostname:
            raise MailConfigError("MAIL_URL: не указан сервер SMTP")
        tls = parts.scheme == "smtps"
        options = parse_qs(parts.query)
        return SmtpTransport(
            parts.hostname, parts.port or (465 if tls else 587), tls=tls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=(options.get("starttls") or ["auto"])[0])
    raise MailConfigError("MAIL_URL: нужен адрес вида smtp://, smtps:// или file:///")


def mail_url(raw: str) -> str:
    """The settings' parser: a MAIL_URL this module can use."""
    transport_for(raw.strip())
    return raw.strip()
