"""Every key belongs to a person: a signatory signs only with a certificate of their own, in
their name, opened by their PIN; granting the role or a certificate is audited and announced."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import SIGNING_PIN, TOTP_SECRET, demo_pkcs12, give_certificate
from workflow import (
    admin_ops,
    letter_drafting,
    letter_registration,
    notifications,
    second_factor,
    signatory_certificates,
    signing_errors,
    signing_keys,
    signing_pkcs12,
)
from workflow.errors import InvalidInput, PermissionDenied
from workflow.models import (
    Letter,
    Notification,
    RegistrationCounter,
    SecurityEvent,
    SignerCertificate,
)
from workflow.states import LetterState, Role
from workflow.users import create_user

IMPOSTOR = "Самозванец Иван Петрович"


def _circular(w):
    return letter_drafting.draft_circular(w.session, w.campaign, w.reviewer, now=w.clock.tick(),
                                          heading="Циркуляр", body="Текст циркуляра")


def _sign(w, letter, actor=None, pin=SIGNING_PIN):
    return letter_registration.sign_letter(w.session, letter, actor or w.signatory, now=w.clock.tick(),
                                           pin=pin, sealer=None)


def _impostor(w):
    """The attack as reproduced: the admin creates a user and makes him a signatory."""
    user = create_user(w.session, login="impostor", full_name=IMPOSTOR, role=Role.REVIEWER,
                       password="x" * 12, now=w.clock.tick(), enforce_policy=False)
    admin_ops.change_role(w.session, user, w.admin, role=Role.SIGNATORY, municipality_id=None,
                          now=w.clock.tick())
    # He enrols a second factor, as every signatory must (issue 12): the key is what stops him.
    second_factor.enrol_with_secret(w.session, user, TOTP_SECRET, now=w.clock.tick())
    return user


def _untouched(w, letter):
    w.session.refresh(letter)
    assert letter.state == LetterState.DRAFT and letter.number is None
    assert w.session.scalar(select(RegistrationCounter.last)) is None


def test_a_signatory_without_a_certificate_of_their_own_cannot_sign(world):
    w = world
    impostor = _impostor(w)
    letter = _circular(w)
    with pytest.raises(signing_errors.NoCertificate) as refused:
        _sign(w, letter, impostor)
    assert "нет действующего сертификата" in refused.value.message
    _untouched(w, letter)
    assert "нет действующего сертификата" in signing_keys.signing_refusal(
        w.session, impostor, w.clock())


def test_a_certificate_in_someone_elses_name_is_refused_on_upload_and_at_signing(world):
    w = world
    impostor = _impostor(w)
    with pytest.raises(InvalidInput) as refused:
        signatory_certificates.add_certificate(
            w.session, impostor, w.admin, pkcs12_bytes=demo_pkcs12(w.signatory.full_name),
            pin=SIGNING_PIN, now=w.clock.tick())
    assert "Шкуратская Мария Викторовна" in refused.value.message
    # Even a row written around the admin screen (a database writer) does not sign: the
    # owner the certificate names must be the user.
    real = w.session.scalar(select(SignerCertificate).where(
        SignerCertificate.user_id == w.signatory.id))
    w.session.add(SignerCertificate(
        user_id=impostor.id, pkcs12=real.pkcs12, owner_name=real.owner_name,
        subject=real.subject, issuer=real.issuer, serial=real.serial,
        valid_from=real.valid_from, valid_to=real.valid_to, source="upload",
        added_at=w.clock.tick(), pin_failures=0))
    w.session.flush()
    letter = _circular(w)
    with pytest.raises(signing_errors.CertificateOwnerMismatch):
        _sign(w, letter, impostor)
    _untouched(w, letter)


def test_signing_uses_the_signatorys_own_certificate_and_records_it(world):
    w = world
    letter = _circular(w)
    _sign(w, letter)
    cert = signatory_certificates.current_certificate(w.session, w.signatory, w.clock())
    recorded = json.loads(letter.final_data)["certificate"]
    assert recorded["serial"] == cert.serial and recorded["owner"] == w.signatory.full_name
    assert recorded["id"] == cert.id


def test_a_wrong_pin_changes_nothing_and_repeated_ones_lock_the_key(world):
    w = world
    letter = _circular(w)
    for _attempt in range(signing_errors.PIN_MAX_FAILURES):
        with pytest.raises(signing_errors.WrongPin) as wrong:
            _sign(w, letter, pin="000000")
        w.session.commit()  # as the screens do: the failed attempt is kept
        _untouched(w, letter)
    assert "заблокирован" in wrong.value.message
    # Locked: even the right PIN is refused until the lock expires.
    with pytest.raises(signing_errors.PinLocked):
        _sign(w, letter)
    _untouched(w, letter)
    failures = w.session.scalar(select(func.count(SecurityEvent.id)).where(
        SecurityEvent.action == "signing.pin.failed"))
    assert failures == signing_errors.PIN_MAX_FAILURES
    w.clock.tick(16)
    _sign(w, letter)
    assert letter.state == LetterState.SIGNED and letter.number == "23/1"


def test_an_empty_pin_is_asked_for(world):
    letter = _circular(world)
    with pytest.raises(signing_errors.PinRequired):
        _sign(world, letter, pin="")
    _untouched(world, letter)


def test_names_match_regardless_of_case_yo_and_spaces():
    assert signing_pkcs12.owner_matches("ФЁДОРОВ  Павел Геннадьевич ", "Федоров павел геннадьевич")
    assert not signing_pkcs12.owner_matches("Фёдоров Павел", "Фёдоров Пётр")
    assert not signing_pkcs12.owner_matches("", "")


def test_granting_the_role_is_audited_and_announced_to_the_signatories(world):
    w = world
    impostor = _impostor(w)
    event = w.session.scalar(select(SecurityEvent).where(
        SecurityEvent.action == "signing.role.granted"))
    assert event.user_id == w.admin.id  # the actor
    assert f"target_id={impostor.id}" in event.detail and "impostor" in event.detail
    (note,) = notifications.unread(w.session, w.signatory)
    assert note.kind == "signing.role_granted"
    assert IMPOSTOR in note.text and w.admin.full_name in note.text
    assert notifications.unread(w.session, impostor) == []


def test_adding_a_certificate_is_audited_with_its_serial_and_announced(world):
    w = world
    impostor = _impostor(w)
    cert = give_certificate(w.session, impostor, now=w.clock.tick(), actor=w.admin)
    event = w.session.scalar(select(SecurityEvent).where(
        SecurityEvent.action == "signing.certificate.added"))
    assert event.user_id == w.admin.id
    assert f"serial={cert.serial}" in event.detail and f"target_id={impostor.id}" in event.detail
    texts = [n.text for n in notifications.unread(w.session, w.signatory)]
    assert any(cert.serial in t and IMPOSTOR in t for t in texts)
    # The impostor, now holding a key in his own name, signs as himself, not as anyone else.
    letter = _circular(w)
    _sign(w, letter, impostor)
    assert json.loads(letter.final_data)["certificate"]["owner"] == IMPOSTOR


def test_a_new_certificate_replaces_the_old_one(world):
    w = world
    old = signatory_certificates.current_certificate(w.session, w.signatory, w.clock())
    new = give_certificate(w.session, w.signatory, now=w.clock.tick(), pin="987654321",
                           actor=w.admin)
    w.session.refresh(old)
    assert old.revoked_at is not None
    assert signatory_certificates.current_certificate(w.session, w.signatory, w.clock()).id == new.id
    letter = _circular(w)
    with pytest.raises(signing_errors.WrongPin):
        _sign(w, letter)  # the old PIN does not open the new key
    letter_registration.sign_letter(w.session, letter, w.signatory, now=w.clock.tick(), pin="987654321",
                                    sealer=None)


def test_only_an_admin_adds_certificates_and_only_to_signatories(world):
    w = world
    with pytest.raises(PermissionDenied):
        give_certificate(w.session, w.signatory, now=w.clock.tick(), actor=w.reviewer)
    with pytest.raises(InvalidInput):
        give_certificate(w.session, w.reviewer, now=w.clock.tick(), actor=w.admin)
    with pytest.raises(InvalidInput) as garbage:
        signatory_certificates.add_certificate(w.session, w.signatory, w.admin, pkcs12_bytes=b"not p12",
                                               pin=SIGNING_PIN, now=w.clock.tick())
    assert "PKCS#12" in garbage.value.message
    with pytest.raises(InvalidInput) as wrong:
        signatory_certificates.add_certificate(w.session, w.signatory, w.admin,
                                               pkcs12_bytes=demo_pkcs12(w.signatory.full_name),
                                               pin="000000", now=w.clock.tick())
    assert wrong.value.field == "pin"


def test_a_revoked_or_expired_certificate_does_not_sign(world):
    w = world
    cert = signatory_certificates.current_certificate(w.session, w.signatory, w.clock())
    letter = _circular(w)
    w.clock.now = cert.valid_to + timedelta(days=1)
    with pytest.raises(signing_errors.NoCertificate):
        _sign(w, letter)
    w.clock.now = cert.valid_from + timedelta(days=400)
    signatory_certificates.revoke_certificate(w.session, cert, w.admin, now=w.clock.tick())
    with pytest.raises(signing_errors.NoCertificate):
        _sign(w, letter)
    _untouched(w, letter)


def test_notifications_are_read_by_their_recipient_only(world):
    w = world
    _impostor(w)
    (note,) = notifications.unread(w.session, w.signatory)
    assert not notifications.mark_read(w.session, w.admin, note.id, now=w.clock.tick())
    assert notifications.mark_read(w.session, w.signatory, note.id, now=w.clock.tick())
    assert notifications.unread(w.session, w.signatory) == []
    assert w.session.scalar(select(func.count(Notification.id))) == 1
    assert w.session.scalar(select(func.count(Letter.id))) == 0


def test_a_namesake_account_cannot_get_a_certificate_in_the_signatorys_name(world):
    """Names must match, so the impostor's next move is an account named like the signatory:
    one live certificate per person's name, and one account per certificate."""
    w = world
    namesake = create_user(w.session, login="namesake", full_name=w.signatory.full_name,
                           role=Role.SIGNATORY, password="x" * 12, now=w.clock.tick(),
                           enforce_policy=False, actor=w.admin)
    with pytest.raises(InvalidInput) as refused:
        give_certificate(w.session, namesake, now=w.clock.tick(), actor=w.admin, pin="namesake-1")
    assert "уже есть у другой учётной записи" in refused.value.message
    real = signatory_certificates.current_certificate(w.session, w.signatory, w.clock())
    with pytest.raises(InvalidInput) as same:
        signatory_certificates.add_certificate(w.session, namesake, w.admin, pkcs12_bytes=real.pkcs12,
                                               pin=SIGNING_PIN, now=w.clock.tick())
    assert "уже принадлежит другому пользователю" in same.value.message
