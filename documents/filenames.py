"""The one file-name rule of the PDFs the system hands out (screens, API, mail).

A name is built from the letter's journal number (or `draft-<id>` before registration),
every run of characters outside ASCII letters and digits becoming one hyphen: the number
`23/6666` gives `letter-23-6666.pdf`. ASCII keeps the name safe inside a quoted
Content-Disposition header without further escaping; a quote, a slash or a line break can
never reach it.
"""

from __future__ import annotations

import re
from datetime import date

_NOT_SAFE = re.compile(r"[^0-9A-Za-z]+")


def stem(number: str | None, fallback: str) -> str:
    """The safe part of a name: the journal number, else `fallback`."""
    return _NOT_SAFE.sub("-", number or "").strip("-") or _NOT_SAFE.sub("-", fallback).strip("-")


def _letter_stem(letter) -> str:
    return stem(letter.number, f"draft-{letter.id}")


def letter_pdf(letter) -> str:
    """The signed letter: `letter-23-6666.pdf`."""
    return f"letter-{_letter_stem(letter)}.pdf"


def approval_sheet_pdf(letter) -> str:
    """The sheet of visas of a letter: `approval-sheet-23-6666.pdf`."""
    return f"approval-sheet-{_letter_stem(letter)}.pdf"


def campaign_report_pdf(campaign_id: int, day: date) -> str:
    """A campaign's status report as of `day`: `campaign-7-report-2026-03-01.pdf`."""
    return f"campaign-{campaign_id}-report-{day.isoformat()}.pdf"


def mail_attachment_pdf(number: str | None, letter_id: int) -> str:
    """The signed letter attached to a mail, named for its Russian reader (mail clients
    show attachment names; RFC 2231 carries the Cyrillic): `Письмо № 23-6666.pdf`."""
    return f"Письмо № {stem(number, str(letter_id))}.pdf"
