"""Plain values a letter is rendered from.

The renderer is fed these frozen dataclasses only, never ORM objects or request state, so a
letter can be rendered by the web app, the CLI, a worker or a benchmark in exactly the same way
and cannot lazily hit the database (or leak attributes) from inside a template.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date, datetime

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
