"""The approval sheet (лист согласования) is its own PDF: parsed back, every visa is there."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pdfplumber
import pytest

from documents.approval_sheet import ApprovalSheetRenderer, render_approval_sheet
from tests.documents.conftest import parse_pdf
from workflow.route_views import ApprovalSheet, Visa

LONG_COMMENT = (
    "Просим уточнить показатели раздела 4 «Ресурсное обеспечение»: объём финансирования на 2027 "
    "год не совпадает с паспортом программы, а перечень мероприятий не содержит сроков. "
) * 4

RESULTS = [
    ("approve", "Согласовано"),
    ("approve_with_remarks", "Согласовано с замечаниями"),
    ("reject", "Не согласовано"),
]


def _visa(i: int, **changes) -> Visa:
    result, label = RESULTS[i % 3]
    visa = Visa(
        stage_name=f"Визы {i + 1}",
        position="Начальник отдела общего образования",
        name=f"Иванов{chr(0x430 + i)} И.И.",
        result=result,
        result_label=label,
        comment="" if result == "approve" else f"Замечание {i + 1}",
        decided_at=datetime(2026, 11, 30, 23, 5, tzinfo=UTC) + timedelta(minutes=i),
    )
    return replace(visa, **changes)


def _sheet(visas, **changes) -> ApprovalSheet:
    sheet = ApprovalSheet(
        organisation="Министерство образования Приморского края",
        letter_heading="О согласовании муниципальной программы развития образования",
        letter_number="23/7001",
        letter_date=date(2026, 12, 1),
        programme_title="Развитие образования Артёмовского городского округа на 2026–2028 годы",
        municipality="Артёмовский городской округ",
        visas=tuple(visas),
    )
    return replace(sheet, **changes)


@pytest.fixture(scope="module")
def ten_visas():
    visas = [_visa(i) for i in range(10)]
    visas[1] = replace(visas[1], comment=LONG_COMMENT)
    visas[2] = replace(visas[2], on_behalf_of="М.В. Шкуратскую")
    return _sheet(visas)


@pytest.fixture(scope="module")
def ten_visas_bytes(ten_visas):
    return render_approval_sheet(ten_visas)


@pytest.fixture(scope="module")
def ten_visas_pdf(ten_visas_bytes):
    return parse_pdf(ten_visas_bytes)


def _flat(cell: str | None) -> str:
    return " ".join((cell or "").replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def visa_rows(ten_visas_bytes):
    """The visa table's body rows, read back from the PDF's ruled table (header rows repeat)."""
    rows = []
    with pdfplumber.open(io.BytesIO(ten_visas_bytes)) as document:
        for page in document.pages:
            for table in page.extract_tables():
                rows += [[_flat(c) for c in row] for row in table if row[0] and row[0] != "№"]
    return [r for r in rows if r[0].isdigit()]


def test_heading_number_programme_and_municipality(ten_visas_pdf):
    text = ten_visas_pdf.text
    assert "ЛИСТ СОГЛАСОВАНИЯ" in text
    assert "к письму от 01.12.2026 № 23/7001" in text
    assert "Министерство образования Приморского края" in text
    assert "Артёмовский городской округ" in " ".join(text.split())
    assert "Развитие образования Артёмовского" in " ".join(text.split())


def test_every_visa_is_a_row_with_result_and_local_time(visa_rows):
    assert [r[0] for r in visa_rows] == [str(i) for i in range(1, 11)]
    for i, row in enumerate(visa_rows):
        number, stage, position, name, result, comment, when = row
        assert stage == f"Визы {i + 1}"
        assert position == "Начальник отдела общего образования"
        assert name.startswith(f"Иванов{chr(0x430 + i)} И.И.")
        assert result == RESULTS[i % 3][1]
        # 23:05 UTC on 30.11 is 09:05 on 01.12 in Vladivostok (UTC+10).
        assert when == f"01.12.2026 09:{5 + i:02d} (UTC+10)"


def test_long_comment_is_kept_whole_in_its_cell(visa_rows):
    # The narrow column may break a long word; nothing of the comment is lost.
    assert visa_rows[1][5].replace(" ", "") == LONG_COMMENT.replace(" ", "")


def test_substitute_is_marked(visa_rows):
    assert visa_rows[2][3] == "Ивановв И.И. за М.В. Шкуратскую"
    assert "за" not in visa_rows[3][3].split()


def test_draft_is_marked_as_project():
    data = render_approval_sheet(_sheet([_visa(0)], letter_number=None, letter_date=None))
    pdf = parse_pdf(data)
    assert "к проекту письма" in pdf.text
    with pdfplumber.open(io.BytesIO(data)) as document:  # the diagonal watermark
        big = "".join(sorted(c["text"] for c in document.pages[0].chars if c["size"] > 50))
    assert big == "".join(sorted("ПРОЕКТ"))
    assert "№ 23/7001" not in pdf.text


def test_registered_sheet_has_no_watermark(ten_visas_bytes):
    with pdfplumber.open(io.BytesIO(ten_visas_bytes)) as document:
        assert not [c for page in document.pages for c in page.chars if c["size"] > 50]


def test_no_visas_yet():
    pdf = parse_pdf(render_approval_sheet(_sheet([])))
    assert "Визы ещё не получены" in pdf.text


def test_user_text_is_escaped():
    payload = '<img src="file:///etc/passwd"><b>x</b>'
    html = ApprovalSheetRenderer().render_html(_sheet([_visa(1, comment=payload)]))
    assert "<img src=" not in html
    assert "&lt;img" in html
    # and rendering does not fetch it
    data = render_approval_sheet(_sheet([_visa(1, comment=payload)]))
    with pdfplumber.open(io.BytesIO(data)) as document:
        row = document.pages[0].extract_tables()[-1][-1]
    # Printed as text (wrapped anywhere in its narrow cell).
    assert "".join(row[5].split()) == "<imgsrc=«file:///etc/passwd»><b>x</b>"
