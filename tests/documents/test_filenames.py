"""The one file-name rule of the PDFs handed out (documents/filenames.py)."""

from datetime import date
from types import SimpleNamespace

import pytest

from documents import filenames
from documents.issue import pdf_filename


def _letter(number, letter_id=7):
    return SimpleNamespace(number=number, id=letter_id)


@pytest.mark.parametrize("number, expected", [
    ("23/6666", "letter-23-6666.pdf"),
    (None, "letter-draft-7.pdf"),
    ('1"; evil\r\n/../x', "letter-1-evil-x.pdf"),
    ("№ 5 от 01.02", "letter-5-01-02.pdf"),
    ("///", "letter-draft-7.pdf"),
])
def test_letter_names_are_ascii_and_header_safe(number, expected):
    assert filenames.letter_pdf(_letter(number)) == expected


def test_every_letter_pdf_shares_the_stem():
    letter = _letter("23/6666")
    assert pdf_filename(letter) == "letter-23-6666.pdf"  # the old import place still answers
    assert filenames.approval_sheet_pdf(letter) == "approval-sheet-23-6666.pdf"
    assert filenames.mail_attachment_pdf(letter.number, letter.id) == "Письмо № 23-6666.pdf"
    assert filenames.mail_attachment_pdf(None, 7) == "Письмо № 7.pdf"


def test_campaign_report_name():
    assert filenames.campaign_report_pdf(3, date(2026, 3, 1)) == "campaign-3-report-2026-03-01.pdf"
