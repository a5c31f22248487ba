"""The rendered letter has the geometry of ГОСТ Р 7.0.97-2025 (angular letterhead on A4)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.documents.conftest import (
    A4_HEIGHT,
    A4_WIDTH,
    LEFT_MARGIN,
    TEXT_CENTRE,
    TEXT_RIGHT,
    TOP_MARGIN,
    reply_letter_context,
)


def test_pages_are_a4(long_letter):
    for width, height in long_letter.sizes:
        assert width == pytest.approx(A4_WIDTH, abs=1)
        assert height == pytest.approx(A4_HEIGHT, abs=1)


def test_text_stays_inside_the_margins(long_letter):
    for words in long_letter.pages:
        assert min(w["x0"] for w in words) >= 56  # 20 mm
        assert max(w["x1"] for w in words) <= A4_WIDTH - 28.3  # 10 mm


def test_letterhead_is_capitals_in_the_left_half(signed_letter):
    for word in ("МИНИСТЕРСТВО", "ОБРАЗОВАНИЯ", "ПРИМОРСКОГО", "КРАЯ"):
        (hit,) = [w for w in signed_letter.words(word, page=0) if w["top"] < 200]
        assert hit["x1"] < A4_WIDTH / 2


def test_letterhead_lines_are_centred_in_their_column(signed_letter):
    centres = [
        (w["x0"] + w["x1"]) / 2
        for word in ("МИНИСТЕРСТВО", "ОБРАЗОВАНИЯ")
        for w in signed_letter.words(word, page=0)
    ]
    assert max(centres) - min(centres) < 2


def test_date_and_number_line(signed_letter):
    assert re.search(r"15\.07\.2022 № 23/6666", signed_letter.texts[0])


def test_reply_reference_is_filled(signed_letter):
    assert "На № 01-12/345 от 01.07.2022" in signed_letter.texts[0]


def test_addressee_is_in_the_right_half_level_with_the_letterhead(signed_letter):
    words = [w for line in reply_letter_context().addressee_lines for w in line.split()]
    hits = [hit for word in words for hit in signed_letter.words(word, page=0)[:1]]
    assert len(hits) == len(words)
    assert all(hit["x0"] > A4_WIDTH / 2 for hit in hits)
    (org_first_line,) = signed_letter.words("МИНИСТЕРСТВО", page=0)
    assert min(hit["top"] for hit in hits) == pytest.approx(org_first_line["top"], abs=6)


def test_salutation_is_centred(signed_letter):
    words = signed_letter.words("Уважаемые", page=0) + signed_letter.words("коллеги!", page=0)
    centre = (min(w["x0"] for w in words) + max(w["x1"] for w in words)) / 2
    assert centre == pytest.approx(TEXT_CENTRE, abs=10)


def test_heading_comes_before_the_salutation_at_the_left_margin(signed_letter):
    heading = min(signed_letter.words("профориентационной", page=0), key=lambda w: w["top"])
    (salutation,) = signed_letter.words("Уважаемые", page=0)
    assert heading["top"] < salutation["top"]
    (first_word,) = [w for w in signed_letter.words("О", page=0) if w["top"] == heading["top"]]
    assert first_word["x0"] == pytest.approx(LEFT_MARGIN, abs=1)


def test_signatory_position_left_and_name_right_on_one_baseline(signed_letter):
    last = signed_letter.pages[-1]
    (surname,) = [w for w in last if w["text"] == "Шкуратская" and w["size"] > 12]
    assert surname["x1"] == pytest.approx(TEXT_RIGHT, abs=2)
    (position_last_line,) = [w for w in last if w["text"] == "образования" and w["size"] > 12
                             and w["top"] > surname["top"] - 30]
    assert position_last_line["x0"] == pytest.approx(LEFT_MARGIN, abs=1)
    assert position_last_line["bottom"] == pytest.approx(surname["bottom"], abs=2)


def test_signature_mark_sits_between_position_and_name(signed_letter):
    last = signed_letter.pages[-1]
    (title,) = [w for w in last if w["text"] == "ДОКУМЕНТ"]
    (surname,) = [w for w in last if w["text"] == "Шкуратская" and w["size"] > 12]
    assert LEFT_MARGIN + 100 < title["x0"] < surname["x0"]
    assert "ЭЛЕКТРОННОЙ ПОДПИСЬЮ" in signed_letter.texts[-1]


def test_executor_mark_only_at_the_bottom_left_of_the_last_page(long_letter):
    assert len(long_letter.pages) >= 3
    for words in long_letter.pages[:-1]:
        assert not [w for w in words if w["text"] == "Петрова"]
    (executor,) = long_letter.words("Петрова", page=len(long_letter.pages) - 1)
    assert executor["x0"] == pytest.approx(LEFT_MARGIN, abs=1)
    assert executor["top"] > A4_HEIGHT * 0.8


def test_qr_code_is_at_the_bottom_right_of_the_last_page(long_letter):
    reader = PdfReader(io.BytesIO(long_letter.data))
    assert "Код: 7Q4K-9ZP2" in long_letter.texts[-1]
    (code,) = long_letter.words("7Q4K-9ZP2", page=len(long_letter.pages) - 1)[-1:]
    assert code["x1"] == pytest.approx(TEXT_RIGHT, abs=2)
    assert code["top"] > A4_HEIGHT * 0.85
    assert len(reader.pages) == len(long_letter.pages)


def test_page_numbers_from_page_two_centred_in_the_top_margin(long_letter):
    def numbers_in_top_margin(page):
        return [w for w in long_letter.pages[page] if w["bottom"] < TOP_MARGIN]

    assert numbers_in_top_margin(0) == []
    for page in range(1, len(long_letter.pages)):
        (number,) = numbers_in_top_margin(page)
        assert number["text"] == str(page + 1)
        assert (number["x0"] + number["x1"]) / 2 == pytest.approx(TEXT_CENTRE, abs=10)


def test_signature_block_is_not_alone_on_its_page(long_letter):
    last_page_body = [w for w in long_letter.pages[-1] if w["size"] > 13 and w["top"] > 60]
    (surname,) = [w for w in last_page_body if w["text"] == "Шкуратская"]
    assert [w for w in last_page_body if w["top"] < surname["top"] - 40], "no text above it"


def _font_descriptors(resources, seen):
    fonts = resources.get("/Font", {})
    for font in fonts.values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            yield font["/BaseFont"], descendant.get_object().get("/FontDescriptor")
    for xobject in resources.get("/XObject", {}).values():
        xobject = xobject.get_object()
        if id(xobject) not in seen and "/Resources" in xobject:
            seen.add(id(xobject))
            yield from _font_descriptors(xobject["/Resources"].get_object(), seen)


def test_every_font_is_embedded(signed_letter):
    reader = PdfReader(io.BytesIO(signed_letter.data))
    found = []
    for page in reader.pages:
        for name, descriptor in _font_descriptors(page["/Resources"].get_object(), set()):
            descriptor = descriptor.get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
            found.append(name)
    assert any("Liberation-Serif" in name for name in found)


def test_metadata_title_author_and_language(signed_letter):
    reader = PdfReader(io.BytesIO(signed_letter.data))
    ctx = reply_letter_context()
    assert reader.metadata.title == ctx.title
    assert reader.metadata.author == ctx.author
    assert reader.trailer["/Root"]["/Lang"] == "ru"
