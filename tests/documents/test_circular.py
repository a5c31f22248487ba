"""The demo circular reproduces the reference letter 23/6666 requisite for requisite."""

from __future__ import annotations

import re

from documents.samples import (
    CIRCULAR_23_6666_PARAGRAPHS,
    CIRCULAR_23_6666_REQUIREMENTS,
    circular_23_6666_context,
)
from tests.documents.conftest import column_text


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_letterhead_column_has_the_reference_requisites(circular):
    text = _flat(column_text(circular.data, 0, left=True))
    for requisite in (
        "МИНИСТЕРСТВО ОБРАЗОВАНИЯ ПРИМОРСКОГО КРАЯ",
        "ул. Светланская, 22, г. Владивосток, 690110",
        "Телефон: (423) 240-28-04",
        "E-mail: education2006@primorsky.ru",
        "15.07.2022 № 23/6666",
        "О профориентационной работе с обучающимися",
    ):
        assert requisite in text, requisite
    # The printed blank's "На № ___ от ___" is left out: a circular answers no letter.
    assert "На №" not in text


def test_addressee_column_matches_the_reference(circular):
    text = _flat(column_text(circular.data, 0, left=False))
    assert text.startswith("Руководителям муниципальных органов управления образования")


def test_text_and_signature_requisites_appear(circular):
    text = _flat(circular.text)
    for requisite in (
        "Уважаемые коллеги!",
        "Заместитель министра образования Приморского края",
        "М.В. Шкуратская",
    ):
        assert requisite in text, requisite


def test_letterhead_name_is_broken_as_in_the_reference(circular):
    lines = circular.texts[0].splitlines()
    for line in ("МИНИСТЕРСТВО", "ОБРАЗОВАНИЯ", "ПРИМОРСКОГО КРАЯ"):
        assert any(candidate.startswith(line) for candidate in lines), line


def test_every_paragraph_is_there_in_order(circular):
    text = _flat(circular.text)
    positions = []
    for paragraph in CIRCULAR_23_6666_PARAGRAPHS:
        opening = " ".join(paragraph.lstrip("- ").split()[:4])
        assert opening in text, opening
        positions.append(text.index(opening))
    assert positions == sorted(positions)


def test_seven_requirements_match_the_bullets():
    assert len(CIRCULAR_23_6666_REQUIREMENTS) == 7
    bullets = CIRCULAR_23_6666_PARAGRAPHS[2:]
    for requirement, bullet in zip(CIRCULAR_23_6666_REQUIREMENTS, bullets, strict=True):
        assert bullet[2:-1] == requirement[0].lower() + requirement[1:]
    assert CIRCULAR_23_6666_PARAGRAPHS[-1].endswith(".")


def test_context_is_plain_and_has_the_gost_heading():
    ctx = circular_23_6666_context()
    assert ctx.heading == "О профориентационной работе с обучающимися"
    assert ctx.organisation.letterhead == ("МИНИСТЕРСТВО", "ОБРАЗОВАНИЯ", "ПРИМОРСКОГО КРАЯ")
