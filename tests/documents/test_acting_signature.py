"""A substitute signs for an absent signatory: the letter's block reads "И.о. заместителя
министра ..." with the substitute's own name, and the PDF is signed with the substitute's own
certificate (checked by pyHanko's verification and independently by poppler's pdfsig)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from documents.issue import render_letter
from documents.signing import Pkcs12Signer
from tests.documents.conftest import column_text, parse_pdf
from tests.factories import SIGNING_PIN, TOTP_SECRET, demo_pkcs12, give_certificate, programme_in
from tests.pdfsig import assert_pades_valid
from tests.workflow.support import letters_of
from workflow import absences, acting, letter_registration, second_factor
from workflow.errors import PermissionDenied
from workflow.models import Letter
from workflow.states import ProgrammeState, Role
from workflow.users import create_user

DEPUTY = "Орлова Елена Сергеевна"


def _deputy(w):
    deputy = create_user(w.session, login="deputy", full_name=DEPUTY, role=Role.SIGNATORY,
                         password="x" * 12, now=w.clock(), enforce_policy=False,
                         position="Начальник отдела общего образования")
    give_certificate(w.session, deputy, now=w.clock())
    second_factor.enrol_with_secret(w.session, deputy, TOTP_SECRET, now=w.clock())
    return deputy


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_genitive_of_a_position_is_derived_when_not_stored():
    assert acting.derived_genitive("Заместитель министра\nобразования Приморского края") == (
        "заместителя министра\nобразования Приморского края")
    assert acting.derived_genitive("Министр образования") == "министра образования"
    assert acting.derived_genitive("Начальник отдела") == "начальника отдела"


def test_a_substitute_signs_as_acting_official(world, session_factory):
    w = world
    deputy = _deputy(w)
    absences.declare_absence(w.session, w.signatory, w.admin, substitute=deputy,
                             starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 10),
                             now=w.clock(), reason="Отпуск")
    p = programme_in(w, ProgrammeState.DECISION_PENDING)  # its approval letter awaits signing
    (letter,) = letters_of(w.session, p.id)
    letter_registration.sign_letter(w.session, letter, deputy, now=w.clock.tick(), pin=SIGNING_PIN,
                                    sealer=None, acting_for=w.signatory)
    w.session.commit()
    data = json.loads(letter.final_data)
    assert data["signatory_position_lines"][0] == "И.о. заместителя министра"
    assert data["signatory_name"] == "Е.С. Орлова"
    assert data["acting_for"]["id"] == w.signatory.id
    assert letter.signatory_id == deputy.id
    own_key = Pkcs12Signer.from_bytes(demo_pkcs12(DEPUTY, SIGNING_PIN), SIGNING_PIN)
    assert render_letter(session_factory, letter.id, own_key)
    w.session.expire_all()
    pdf = w.session.get(Letter, letter.id).pdf
    parsed = parse_pdf(pdf)
    text = _flat(parsed.text)
    # The signature block's left column (the mark stands beside it, so columns are read apart).
    last = len(parsed.pages) - 1
    left = _flat(column_text(pdf, last, left=True))
    assert "И.о. заместителя министра образования Приморского края" in left
    assert "Е.С. Орлова" in text
    assert "М.В. Шкуратская" not in text
    assert_pades_valid(pdf, owner=DEPUTY)


def test_signing_as_acting_without_the_absence_is_refused(world):
    w = world
    deputy = _deputy(w)
    p = programme_in(w, ProgrammeState.DECISION_PENDING)  # its approval letter awaits signing
    (letter,) = letters_of(w.session, p.id)
    with pytest.raises(PermissionDenied):
        letter_registration.sign_letter(w.session, letter, deputy, now=w.clock.tick(), pin=SIGNING_PIN,
                                        sealer=None, acting_for=w.signatory)
    assert w.session.scalar(select(Letter.state).where(Letter.id == letter.id)) == "draft"


def test_a_stored_genitive_is_used(world):
    w = world
    w.signatory.position_genitive = "Заместителя министра образования Приморского края"
    assert acting.acting_position_lines(w.signatory) == [
        "И.о. заместителя министра образования Приморского края"]
    _ = timedelta
