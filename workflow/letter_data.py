"""The frozen values of a registered letter: what `workflow` records and `documents` prints.

`workflow.letter_registration.final_data_for` builds a `LetterData` when a letter is registered (and for
the preview of a draft); `Letter.final_data` stores it as JSON (`to_json`); `documents`
reads it back (`from_json`) and renders exactly that, so a signed letter prints the same
forever. This module is plain data (no ORM, no Flask) so both sides import it freely.

The stored JSON is permanent and signed letters are never rewritten, so the format only
grows: `to_json` writes the keys and their order as the letters stored so far, and
`from_json` accepts every earlier shape (letters registered before the time zone, the
letterhead lines, the emblem or the signing certificate were recorded lack those keys; the
zone then defaults to UTC, which is what those letters printed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# Letters registered before the organisation's zone was recorded printed UTC.
DEFAULT_TIMEZONE = "UTC"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True, kw_only=True)
class OrganisationData:
    """The letterhead and the footer: the organisation's profile at registration."""

    name: str
    letterhead_lines: tuple[str, ...] = ()
    address: str
    phone: str
    email: str
    emblem_svg: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrganisationData:
        return cls(name=data["name"], letterhead_lines=tuple(data.get("letterhead_lines") or ()),
                   address=data["address"], phone=data["phone"], email=data["email"],
                   emblem_svg=data.get("emblem_svg"))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "letterhead_lines": list(self.letterhead_lines),
                "address": self.address, "phone": self.phone, "email": self.email,
                "emblem_svg": self.emblem_svg}


@dataclass(frozen=True, kw_only=True)
class ActingFor:
    """The absent official a substitute signed for (`sign_letter(acting_for=...)`)."""

    id: int
    name: str
    position: str | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActingFor:
        return cls(id=data["id"], name=data["name"], position=data.get("position"))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "position": self.position}


@dataclass(frozen=True, kw_only=True)
class CertificateData:
    """The signing certificate the letter was registered with (`UnlockedKey.summary`); its
    PDF must be signed with the same one (`serial`, upper-case hex)."""

    id: int
    serial: str
    owner: str
    issuer: str
    valid_from: date
    valid_to: date

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CertificateData:
        return cls(id=data["id"], serial=data["serial"], owner=data["owner"],
                   issuer=data["issuer"], valid_from=date.fromisoformat(data["valid_from"]),
                   valid_to=date.fromisoformat(data["valid_to"]))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "serial": self.serial, "owner": self.owner,
                "issuer": self.issuer, "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat()}


@dataclass(frozen=True, kw_only=True)
class LetterData:
    """Every value printed on a letter, frozen at registration. A draft's preview has no
    `date`, `number` or `certificate` yet."""

    organisation: OrganisationData
    date: date | None = None
    number: str | None = None
    reply_to_number: str | None = None
    reply_to_date: date | None = None
    addressee_lines: tuple[str, ...]
    heading: str
    salutation: str
    body_paragraphs: tuple[str, ...]
    signatory_position_lines: tuple[str, ...]
    signatory_name: str
    executor_name: str
    executor_phone: str
    verification_url: str | None = None
    verification_code: str | None = None
    title: str
    author: str
    timezone: str = DEFAULT_TIMEZONE
    acting_for: ActingFor | None = None
    certificate: CertificateData | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LetterData:
        acting_for, certificate = data.get("acting_for"), data.get("certificate")
        return cls(
            organisation=OrganisationData.from_dict(data["organisation"]),
            date=_date(data.get("date")),
            number=data.get("number"),
            reply_to_number=data.get("reply_to_number"),
            reply_to_date=_date(data.get("reply_to_date")),
            addressee_lines=tuple(data["addressee_lines"]),
            heading=data["heading"],
            salutation=data["salutation"],
            body_paragraphs=tuple(data["body_paragraphs"]),
            signatory_position_lines=tuple(data["signatory_position_lines"]),
            signatory_name=data["signatory_name"],
            executor_name=data["executor_name"],
            executor_phone=data["executor_phone"],
            verification_url=data.get("verification_url"),
            verification_code=data.get("verification_code"),
            title=data["title"],
            author=data["author"],
            timezone=data.get("timezone") or DEFAULT_TIMEZONE,
            acting_for=ActingFor.from_dict(acting_for) if acting_for else None,
            certificate=CertificateData.from_dict(certificate) if certificate else None,
        )

    @classmethod
    def from_json(cls, text: str) -> LetterData:
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> dict[str, Any]:
        """The stored shape: the keys in the order letters have always been stored in;
        `acting_for` and `certificate` only when there is one."""
        data: dict[str, Any] = {
            "organisation": self.organisation.to_dict(),
            "date": _iso(self.date),
            "number": self.number,
            "reply_to_number": self.reply_to_number,
            "reply_to_date": _iso(self.reply_to_date),
            "addressee_lines": list(self.addressee_lines),
            "heading": self.heading,
            "salutation": self.salutation,
            "body_paragraphs": list(self.body_paragraphs),
            "signatory_position_lines": list(self.signatory_position_lines),
            "signatory_name": self.signatory_name,
            "executor_name": self.executor_name,
            "executor_phone": self.executor_phone,
            "verification_url": self.verification_url,
            "verification_code": self.verification_code,
            "title": self.title,
            "author": self.author,
            "timezone": self.timezone,
        }
        if self.acting_for is not None:
            data["acting_for"] = self.acting_for.to_dict()
        if self.certificate is not None:
            data["certificate"] = self.certificate.to_dict()
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)
