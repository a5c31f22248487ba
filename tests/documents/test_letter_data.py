"""The frozen letter data (`workflow.letter_data`): the one contract between the letter that
`workflow` registers and the PDF that `documents` renders. Stored JSON is permanent: letters
signed before this contract existed must read back and render exactly as they did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from documents.context import LetterContext, Organisation, context_from_data
from documents.issue import draft_context
from documents.render import get_renderer
from tests.factories import SIGNING_PIN
from workflow import letter_drafting, letter_registration
from workflow.letter_data import CertificateData, LetterData

# `final_data` exactly as `sign_letter` stored it before the contract (a substitute signing
# for the absent deputy minister, with the certificate recorded).
STORED = '{"organisation": {"name": "Министерство образования Приморского края", "letterhead_lines": ["МИНИСТЕРСТВО", "ОБРАЗОВАНИЯ", "ПРИМОРСКОГО КРАЯ"], "address": "ул. Светланская, 22, г. Владивосток, 690110", "phone": "(423) 240-28-04", "email": "education2006@primorsky.ru", "emblem_svg": null}, "date": "2026-03-02", "number": "23/2", "reply_to_number": "01-12/345", "reply_to_date": "2026-02-20", "addressee_lines": ["Начальнику управления образования администрации Артёмовского городского округа", "И.П. Ивановой"], "heading": "О согласовании муниципальной программы", "salutation": "Уважаемая Ирина Петровна!", "body_paragraphs": ["Министерство образования Приморского края сообщает, что муниципальная программа профориентации на 2026–2028 годы, направленная письмом от 20.02.2026 № 01-12/345, рассмотрена и согласована.", "Программа соответствует всем требованиям, установленным письмом от 15.07.2022 № 23/6666.", "Просим обеспечить реализацию программы и размещение её на официальном сайте органа управления образованием."], "signatory_position_lines": ["И.о. заместителя министра", "образования Приморского края"], "signatory_name": "Е.С. Орлова", "executor_name": "Тестов reviewer Иванович", "executor_phone": "(423) 200-00-00", "verification_url": "http://localhost/verify/8EE369YV6U", "verification_code": "8EE369YV6U", "title": "О согласовании муниципальной программы", "author": "Министерство образования Приморского края", "timezone": "Asia/Vladivostok", "acting_for": {"id": 1, "name": "Шкуратская Мария Викторовна", "position": "Заместитель министра\\nобразования Приморского края"}, "certificate": {"id": 2, "serial": "6EB735E48DC82B6FA8CEFB8B1227E388", "owner": "Орлова Елена Сергеевна", "issuer": "CN=Демонстрационный УЦ,O=Министерство образования Приморского края,C=RU", "valid_from": "2021-12-01", "valid_to": "2029-11-29"}}'

# The first shape letters were stored in: no zone, letterhead lines, emblem or certificate.
FIRST_SHAPE = {k: v for k, v in json.loads(STORED).items()
               if k not in ("timezone", "acting_for", "certificate")}
FIRST_SHAPE["organisation"] = {k: v for k, v in FIRST_SHAPE["organisation"].items()
                               if k not in ("letterhead_lines", "emblem_svg")}


def _legacy_context(data: dict, *, draft: bool = False) -> LetterContext:
    """How documents read the untyped dict before the contract (documents/issue.py)."""
    def day(value):
        return date.fromisoformat(value) if value else None

    org = data["organisation"]
    return LetterContext(
        organisation=Organisation(
            name=org["name"], address=org["address"], phone=org["phone"], email=org["email"],
            emblem_svg=org.get("emblem_svg"), letterhead_lines=tuple(org.get("letterhead_lines") or ()),
        ),
        date=day(data.get("date")), number=data.get("number"),
        reply_to_number=data.get("reply_to_number"), reply_to_date=day(data.get("reply_to_date")),
        addressee_lines=tuple(data["addressee_lines"]), heading=data["heading"],
        salutation=data["salutation"], body_paragraphs=tuple(data["body_paragraphs"]),
        signatory_position_lines=tuple(data["signatory_position_lines"]),
        signatory_name=data["signatory_name"], executor_name=data["executor_name"],
        executor_phone=data["executor_phone"], verification_url=data.get("verification_url"),
        verification_code=data.get("verification_code"), title=data["title"],
        author=data["author"], draft=draft, timezone=data.get("timezone") or "UTC",
    )


def test_a_stored_letter_reads_back_typed_and_writes_back_byte_for_byte():
    data = LetterData.from_json(STORED)
    assert data.date == date(2026, 3, 2) and data.number == "23/2"
    assert data.certificate == CertificateData(
        id=2, serial="6EB735E48DC82B6FA8CEFB8B1227E388", owner="Орлова Елена Сергеевна",
        issuer="CN=Демонстрационный УЦ,O=Министерство образования Приморского края,C=RU",
        valid_from=date(2021, 12, 1), valid_to=date(2029, 11, 29))
    assert data.acting_for.name == "Шкуратская Мария Викторовна"
    assert data.to_json() == STORED


@pytest.mark.parametrize("stored", [STORED, json.dumps(FIRST_SHAPE, ensure_ascii=False)],
                         ids=["current", "first shape"])
def test_old_letters_render_from_the_contract_as_they_did_from_the_dict(stored):
    for draft in (False, True):
        ctx = context_from_data(LetterData.from_json(stored), draft=draft)
        assert ctx == _legacy_context(json.loads(stored), draft=draft)
    renderer = get_renderer()
    assert renderer.render_html(context_from_data(LetterData.from_json(stored))) == \
        renderer.render_html(_legacy_context(json.loads(stored)))


def test_a_letter_of_the_first_shape_prints_utc_and_the_default_letterhead():
    data = LetterData.from_json(json.dumps(FIRST_SHAPE, ensure_ascii=False))
    assert (data.timezone, data.certificate, data.acting_for) == ("UTC", None, None)
    assert data.organisation.letterhead_lines == () and data.organisation.emblem_svg is None


def test_a_value_the_letter_cannot_print_without_is_refused():
    broken = {k: v for k, v in json.loads(STORED).items() if k != "heading"}
    with pytest.raises(KeyError):
        LetterData.from_dict(broken)


def test_signing_stores_the_contract_and_the_preview_reads_it(world):
    w = world
    letter = letter_drafting.draft_circular(w.session, w.campaign, w.reviewer, now=w.clock.tick(),
                                            heading="Циркуляр", body="Первый абзац\n\nВторой абзац")
    preview = draft_context(w.session, letter, w.signatory)
    assert preview.draft and preview.number is None
    letter_registration.sign_letter(w.session, letter, w.signatory, now=w.clock.tick(), pin=SIGNING_PIN,
                                    sealer=None)
    data = LetterData.from_json(letter.final_data)
    assert data.number == letter.number and data.date == letter.registered_on
    assert data.body_paragraphs[:2] == ("Первый абзац", "Второй абзац")
    assert data.certificate.owner == w.signatory.full_name
    assert data.to_json() == letter.final_data
    assert draft_context(w.session, letter) == context_from_data(data)


def test_the_contract_and_the_documents_package_import_no_flask():
    """DESIGN.md: nothing in workflow/ or documents/ imports flask, flask_login or web."""
    code = (
        "import importlib, pkgutil, sys, documents, workflow\n"
        "for pkg in (workflow, documents):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' not in info.name:\n"
        "            importlib.import_module(info.name)\n"
        "web = {'flask', 'flask_login', 'flask_babel', 'flask_wtf', 'web'}\n"
        "print(sorted(web & {name.split('.')[0] for name in sys.modules}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert out.stdout.strip() == "[]"
