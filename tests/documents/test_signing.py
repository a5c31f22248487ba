"""Signed letters validate against the demo CA, and any change to the bytes is detected."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from documents.pipeline import render_and_sign
from documents.samples import circular_23_6666_context
from documents.signing import CertificateLocked, CertificateMissing, Pkcs12Signer
from documents.verify import verify_pdf
from tests.documents.conftest import OWNER, SIGNED_AT, reply_letter_context


def test_signed_letter_verifies_against_the_demo_ca(signed_letter, ca_cert, signer_cert):
    result = verify_pdf(signed_letter.data, [ca_cert])
    assert result.ok, result.reasons
    assert result.intact and result.trusted and result.covers_whole_file
    assert result.reasons == []
    assert result.signer_name == OWNER
    assert result.serial == format(signer_cert.serial_number, "X")


def test_signature_time_is_the_callers_clock(signed_letter, ca_cert):
    assert verify_pdf(signed_letter.data, [ca_cert]).signed_at == SIGNED_AT


def test_mark_shows_the_signing_certificate(signed_letter, signer_cert):
    text = signed_letter.texts[-1]
    assert f"Сертификат: {format(signer_cert.serial_number, 'X')}" in text
    assert f"Владелец: {OWNER}" in text
    # Every date and time on the mark is the organisation's (Vladivostok, UTC+10), not UTC.
    zone = ZoneInfo("Asia/Vladivostok")
    valid_from = signer_cert.not_valid_before_utc.astimezone(zone).strftime("%d.%m.%Y")
    valid_to = signer_cert.not_valid_after_utc.astimezone(zone).strftime("%d.%m.%Y")
    assert f"Действителен: с {valid_from} по {valid_to}" in text
    assert "Подписан: 02.03.2026 19:41 (UTC+10)" in text


def test_signature_field_lies_over_the_mark(signed_letter):
    reader = PdfReader(io.BytesIO(signed_letter.data))
    widgets = [
        (index, annot.get_object())
        for index, page in enumerate(reader.pages)
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/FT") == "/Sig"
    ]
    (page_index, widget), = widgets
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    height = signed_letter.sizes[page_index][1]
    mark_words = [w for w in signed_letter.pages[page_index] if w["text"] in ("ДОКУМЕНТ", "(UTC+10)")]
    assert len(mark_words) == 2
    for word in mark_words:
        assert x1 < word["x0"] < word["x1"] < x2
        assert y1 < height - word["bottom"] < height - word["top"] < y2
    assert 150 < x2 - x1 < 200  # ~64 mm


def test_flipping_one_byte_breaks_verification(signed_letter, ca_cert):
    data = bytearray(signed_letter.data)
    data[len(data) // 2] ^= 0x01
    result = verify_pdf(bytes(data), [ca_cert])
    assert not result.ok
    assert result.reasons


def test_appended_bytes_are_reported_as_modification(signed_letter, ca_cert):
    result = verify_pdf(signed_letter.data + b"\n% appended comment\n", [ca_cert])
    assert not result.ok
    assert not result.covers_whole_file
    assert "Документ изменён после подписания" in result.reasons


def test_garbage_is_not_a_pdf(ca_cert):
    result = verify_pdf(b"\x00garbage" * 100, [ca_cert])
    assert not result.ok
    assert any("не является PDF" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[:2000], lambda data: data + b"\n%%EOF\n", lambda data: data[:-40]],
    ids=["truncated", "second-eof", "tail-cut"],
)
def test_damaged_pdf_is_reported_not_raised(signed_letter, ca_cert, damage):
    result = verify_pdf(damage(signed_letter.data), [ca_cert])
    assert not result.ok
    assert result.reasons


def test_unsigned_pdf_has_no_signature(circular, ca_cert):
    result = verify_pdf(circular.data, [ca_cert])
    assert result.reasons == ["В документе нет электронной подписи"]


def test_unknown_ca_is_not_trusted(signed_letter):
    result = verify_pdf(signed_letter.data, [])
    assert not result.ok
    assert result.intact
    assert "Сертификат подписи не выдан доверенным удостоверяющим центром" in result.reasons


def test_missing_certificate_file(tmp_path):
    with pytest.raises(CertificateMissing, match="Сертификат подписи не найден"):
        Pkcs12Signer(tmp_path / "absent.p12", "x")


def test_wrong_passphrase(pki):
    with pytest.raises(CertificateLocked, match="Неверный пароль сертификата подписи"):
        Pkcs12Signer(pki.pkcs12, "не тот пароль")


def test_render_and_sign_reports_sha256_of_the_signed_bytes(signer):
    import hashlib

    signed = render_and_sign(circular_23_6666_context(), signer, datetime.now(UTC))
    assert signed.sha256 == hashlib.sha256(signed.pdf).hexdigest()


def test_signing_a_draft_drops_the_draft_look(signer):
    from dataclasses import replace

    from tests.documents.conftest import parse_pdf

    draft = replace(reply_letter_context(), draft=True)
    text = parse_pdf(render_and_sign(draft, signer, SIGNED_AT).pdf).text
    assert "ПРОЕКТ" not in text
    assert "ДОКУМЕНТ ПОДПИСАН" in text


def test_naive_signing_time_is_taken_as_utc(signer, ca_cert):
    naive = SIGNED_AT.replace(tzinfo=None)
    signed = render_and_sign(circular_23_6666_context(), signer, naive)
    assert verify_pdf(signed.pdf, [ca_cert]).signed_at == SIGNED_AT
