"""Plain values a letter is rendered from.

The renderer is fed these frozen dataclasses only, never ORM objects or request state, so a
letter can be rendered by the web app, the CLI, a worker or a benchmark in exactly the same way
and cannot lazily hit the database (or leak attributes) from inside a template.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date, datetime

from workflow.letter_data import LetterData

# Letterhead names are set in capitals in a column about 8 cm wide; a line of ~16 capitals at
# 12-13 pt is what fits there, which also reproduces the breaks of the reference letter.
_LETTERHEAD_LINE_CHARS = 16


@dataclass(frozen=True, kw_only=True)
class Organisation:
    name: str
    address: str
    phone: str
    email: str
    emblem_svg: str | None = None
    # Real letterheads break the name by sense, not by width; an explicit list wins.
    letterhead_lines: tuple[str, ...] = ()

    @property
    def letterhead(self) -> tuple[str, ...]:
        lines = self.letterhead_lines or tuple(
            textwrap.wrap(self.name, _LETTERHEAD_LINE_CHARS, break_long_words=False)
        )
        return tuple(line.upper() for line in lines)


@dataclass(frozen=True, kw_only=True)
class SignatureMark:
    """What the visible electronic-signature mark says; taken from the signing certificate."""

    certificate_serial: str
    owner: str
    # Instants (a plain date is accepted too); the letter prints them in its own time zone.
    valid_from: date | datetime
    valid_to: date | datetime
    signed_at: datetime


@dataclass(frozen=True, kw_only=True)
class LetterContext:
    organisation: Organisation
    heading: str
    salutation: str
    body_paragraphs: tuple[str, ...]
    signatory_position_lines: tuple[str, ...]
    signatory_name: str
    addressee_lines: tuple[str, ...]
    executor_name: str
    executor_phone: str
    title: str
    author: str
    # A draft has no date/number yet (the journal assigns them at registration).
    date: date | None = None
    number: str | None = None
    reply_to_number: str | None = None
    reply_to_date: date | None = None
    verification_url: str | None = None
    verification_code: str | None = None
    signature_mark: SignatureMark | None = None
    draft: bool = False
    # The organisation's time zone: the mark's signing time and validity dates are printed in
    # it (the registration date is already the organisation's calendar date).
    timezone: str = "UTC"


def context_from_data(data: LetterData, *, draft: bool = False) -> LetterContext:
    """The context of a letter from its frozen values (`workflow.letter_data`): a signed
    letter renders from what it recorded at registration, a draft from what it would."""
    org = data.organisation
    return LetterContext(
        organisation=Organisation(
            name=org.name, address=org.address, phone=org.phone, email=org.email,
            emblem_svg=org.emblem_svg, letterhead_lines=org.letterhead_lines,
        ),
        date=data.date,
        number=data.number,
        reply_to_number=data.reply_to_number,
        reply_to_date=data.reply_to_date,
        addressee_lines=data.addressee_lines,
        heading=data.heading,
        salutation=data.salutation,
        body_paragraphs=data.body_paragraphs,
        signatory_position_lines=data.signatory_position_lines,
        signatory_name=data.signatory_name,
        executor_name=data.executor_name,
        executor_phone=data.executor_phone,
        verification_url=data.verification_url,
        verification_code=data.verification_code,
        title=data.title,
        author=data.author,
        draft=draft,
        timezone=data.timezone,
    )
