"""A key per signatory, through the screens and the API: the impostor scenario of issue 8,
the PIN at signing, the signing session and the sweep that recovers a crash, and trust."""

from __future__ import annotations

import io
import re
import threading

import pdfplumber
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from documents.issue import demo_pki_active, issue_pending_letters, trust_roots
from documents.verify import verify_pdf
from tests.conftest import sign_in, totp_code
from tests.factories import PASSWORD, SIGNING_PIN, TOTP_SECRET, demo_pkcs12
from tests.letters_web.conftest import read_letter, sign_in_domain
from tests.pdfsig import assert_pades_valid
from web import create_app
from web.jobs.letters import sweep
from workflow import second_factor, signing_errors
from workflow.models import Letter, SignerCertificate, SigningSession, User
from workflow.states import LetterState

IMPOSTOR = "Самозванец Иван Петрович"
IMPOSTOR_PIN = "55554444"


def _token(client, login):
    body = {"login": login, "password": PASSWORD}
    code = totp_code(client.application, login)
    if code:
        body["code"] = code
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _api_sign(client, headers, letter_id, **body):
    return client.post(f"/api/v1/letters/{letter_id}/sign", json=body, headers=headers)


def _count(world, model, *where):
    with world.session.get_bind().connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar()


def _pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages).replace("\u00a0", " ")


def test_the_impostor_cannot_sign_as_anyone_and_signs_only_in_his_own_name(app, world, auth, client, by_municipality):
    letter = by_municipality["own"]
    # The admin creates "Самозванец" and makes him a signatory.
    auth.login(world.admin)
    response = client.post("/admin/users/new", data={
        "login": "impostor", "full_name": IMPOSTOR, "role": "signatory", "municipality": "",
        "password": PASSWORD, "position": "Заместитель министра"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with world.session.get_bind().connect() as conn:
        impostor_id = conn.execute(select(User.id).where(User.login == "impostor")).scalar()
    auth.logout()
    # A signatory must have a second factor before acting (issue 12): he enrols his app.
    with Session(world.session.get_bind()) as s:
        second_factor.enrol_with_secret(s, s.get(User, impostor_id), TOTP_SECRET,
                                        now=world.clock.tick())
        s.commit()

    # The real signatory is told on her home page.
    auth.login(world.signatory)
    home = client.get("/").get_data(as_text=True)
    assert "Уведомления" in home and IMPOSTOR in home and "назначил(а) подписантом" in home
    auth.logout()

    # Without a certificate of his own he cannot sign, with or without a PIN.
    api = _token(client, "impostor")
    refused = _api_sign(client, api, letter.id, pin=SIGNING_PIN)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "no_certificate"

    # Nor with the real signatory's certificate: the upload is refused (owner mismatch).
    auth.login(world.admin)
    upload = client.post(f"/admin/users/{impostor_id}/certificates", data={
        "pkcs12": (io.BytesIO(demo_pkcs12(world.signatory.full_name)), "shkuratskaya.p12"),
        "pin": SIGNING_PIN}, content_type="multipart/form-data")
    assert upload.status_code == 400
    assert "Шкуратская Мария Викторовна" in upload.get_data(as_text=True)
    assert _count(world, SignerCertificate, SignerCertificate.user_id == impostor_id) == 0
    assert _api_sign(client, api, letter.id, pin=SIGNING_PIN).status_code == 403

    # A certificate in his own name (the demo CA, PIN chosen now and shown once).
    issued = client.post(f"/admin/users/{impostor_id}/certificates/demo",
                         data={"pin": IMPOSTOR_PIN})
    page = issued.get_data(as_text=True)
    assert issued.status_code == 200 and IMPOSTOR_PIN in page
    assert issued.headers["Cache-Control"] == "no-store"
    again = client.get(f"/admin/users/{impostor_id}").get_data(as_text=True)
    assert IMPOSTOR_PIN not in again and IMPOSTOR in again
    auth.logout()
    with world.session.get_bind().connect() as conn:
        serial = conn.execute(select(SignerCertificate.serial).where(
            SignerCertificate.user_id == impostor_id)).scalar()
    auth.login(world.signatory)
    assert serial in client.get("/").get_data(as_text=True)  # told of the new certificate
    auth.logout()

    signed = _api_sign(client, api, letter.id, pin=IMPOSTOR_PIN)
    assert signed.status_code == 200, signed.get_json()
    row, pdf = read_letter(world, letter.id)
    assert row.state == LetterState.SIGNED and pdf is not None
    # The mark, the signature and the verification page all name the certificate's owner.
    result = verify_pdf(pdf, trust_roots(app))
    assert result.ok and result.signer_name == IMPOSTOR and result.serial == serial
    assert f"Владелец: {IMPOSTOR}" in _pdf_text(pdf)
    assert_pades_valid(pdf, owner=IMPOSTOR)
    verify_page = client.get(f"/verify/{row.verification_code}").get_data(as_text=True)
    assert IMPOSTOR in verify_page and serial in verify_page
    assert "Шкуратская" not in verify_page


def test_api_signing_asks_for_the_pin(app, world, client, by_municipality):
    letter = by_municipality["own"]
    api = _token(client, "signatory")
    missing = _api_sign(client, api, letter.id)
    assert missing.status_code == 400
    assert missing.get_json()["error"]["code"] == "pin_required"
    wrong = _api_sign(client, api, letter.id, pin="111111")
    assert wrong.status_code == 400
    error = wrong.get_json()["error"]
    assert error["code"] == "wrong_pin" and "Неверный PIN-код" in error["message"]
    row, _ = read_letter(world, letter.id)
    assert row.state == LetterState.DRAFT and row.number is None
    ok = _api_sign(client, api, letter.id, pin=SIGNING_PIN)
    assert ok.status_code == 200 and ok.get_json()["number"] == "23/1"  # no number was burnt
    assert ok.get_json()["pdf_available"] is True


def test_repeated_wrong_pins_lock_the_key_with_a_clear_answer(app, world, client, by_municipality):
    letter = by_municipality["own"]
    api = _token(client, "signatory")
    for _ in range(signing_errors.PIN_MAX_FAILURES):
        assert _api_sign(client, api, letter.id, pin="111111").status_code == 400
    locked = _api_sign(client, api, letter.id, pin=SIGNING_PIN)
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "pin_locked"
    assert read_letter(world, letter.id)[0].number is None


def test_the_sign_form_asks_for_the_pin_and_a_wrong_one_leaves_a_draft(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert 'name="pin"' in page and 'type="password"' in page
    response = client.post(f"/letters/{letter.id}/sign",
                           data={"version": letter.version, "pin": "000000"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Неверный PIN-код ключа электронной подписи; письмо не подписано" in html
    row, _ = read_letter(world, letter.id)
    assert row.state == LetterState.DRAFT and row.number is None
    with Session(bind=world.session.get_bind()) as s:  # the failed attempt alone is committed
        assert s.scalars(select(SignerCertificate.pin_failures)
                         .where(SignerCertificate.user_id == world.signatory.id,
                                SignerCertificate.revoked_at.is_(None))).one() == 1


def test_a_signatory_without_a_certificate_sees_why_the_action_is_disabled(world, auth, client, by_municipality, fresh):
    with fresh() as s:
        for cert in s.scalars(select(SignerCertificate)):
            cert.revoked_at = world.clock()
    letter = by_municipality["own"]
    auth.login(world.signatory)
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Подписать и зарегистрировать", page)
    assert "нет действующего сертификата" in page
    assert "нет действующего сертификата" in client.get("/").get_data(as_text=True)
    response = client.post(f"/letters/{letter.id}/sign",
                           data={"version": letter.version, "pin": SIGNING_PIN},
                           follow_redirects=True)
    assert "нет действующего сертификата" in response.get_data(as_text=True)
    assert read_letter(world, letter.id)[0].state == LetterState.DRAFT


def test_the_sweep_gives_a_letter_left_without_its_pdf_a_valid_signed_one(app, world, by_municipality):
    # As after `kill -9` between the signing commit and the rendering: registered, no PDF.
    letter = sign_in_domain(world, by_municipality["own"])
    assert _count(world, SigningSession, SigningSession.letter_id == letter.id) == 1
    assert read_letter(world, letter.id)[1] is None

    # The periodic sweep (a Huey task; immediate mode runs the render job it enqueues here).
    assert sweep(app) == 1
    row, pdf = read_letter(world, letter.id)
    assert pdf is not None, "the sweep did not produce the PDF"
    assert row.number == letter.number and row.render_error is None
    result = verify_pdf(pdf, trust_roots(app))
    assert result.ok, result.reasons
    assert result.signer_name == world.signatory.full_name
    assert_pades_valid(pdf, owner=world.signatory.full_name)
    # The session (the re-encrypted key) is gone with the PDF stored.
    assert _count(world, SigningSession) == 0
    assert issue_pending_letters(app) == 0


def test_concurrent_sweeps_store_the_pdf_once(app, world, by_municipality):
    letter = sign_in_domain(world, by_municipality["own"])
    results, barrier = [], threading.Barrier(2)

    def sweep():
        barrier.wait(30)
        results.append(issue_pending_letters(app))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == [0, 1]
    row, pdf = read_letter(world, letter.id)
    assert pdf is not None and row.pdf_sha256 is not None


def test_an_expired_session_asks_the_signatory_for_the_pin_again(app, world, auth, client, by_municipality):
    letter = sign_in_domain(world, by_municipality["own"])
    number = letter.number
    world.clock.tick(61)  # the signing session (60 minutes) has expired
    assert issue_pending_letters(app) == 0
    assert _count(world, SigningSession) == 0  # purged: no key is kept past its expiry

    auth.login(world.reviewer)
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "PDF сформирует подписант" in page and 'name="pin"' not in page
    auth.logout()

    auth.login(world.signatory)
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "Сеанс подписи истёк" in page and 'name="pin"' in page
    wrong = client.post(f"/letters/{letter.id}/render", data={"pin": "000000"},
                        follow_redirects=True)
    assert "Неверный PIN-код" in wrong.get_data(as_text=True)
    assert read_letter(world, letter.id)[1] is None
    done = client.post(f"/letters/{letter.id}/render", data={"pin": SIGNING_PIN},
                       follow_redirects=True)
    assert "PDF с электронной подписью сформирован" in done.get_data(as_text=True)
    row, pdf = read_letter(world, letter.id)
    assert row.number == number and pdf is not None
    assert verify_pdf(pdf, trust_roots(app)).ok


def test_the_issue_letters_command_still_renders_through_sessions(app, world, by_municipality):
    letter = sign_in_domain(world, by_municipality["own"])
    result = app.test_cli_runner().invoke(args=["issue-letters"])
    assert result.exit_code == 0 and "Сформировано писем: 1" in result.output
    assert read_letter(world, letter.id)[1] is not None


def test_trusted_ca_files_come_from_the_environment_and_retire_the_demo_ca(app, tmp_path, monkeypatch, db_url, clock):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from documents.demo_pki import ensure_ca

    pems = []
    for name in ("a", "b"):
        _key, cert, _ = ensure_ca(tmp_path / name, organisation=f"УЦ {name}", secret=b"x",
                                  now=clock())
        path = tmp_path / f"{name}.pem"
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        pems.append(str(path))
    demo_ca = (app.config["PKI_DIR"] + "/demo-ca.pem")
    with open(demo_ca, "rb") as fh:
        demo_serial = x509.load_pem_x509_certificate(fh.read()).serial_number
    assert demo_pki_active(app.config)
    assert demo_serial in [c.serial_number for c in trust_roots(app)]

    for separator in (",", ":"):
        monkeypatch.setenv("TRUSTED_CA_FILES", separator.join(pems))
        real = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "t",
                           "WTF_CSRF_ENABLED": False, "CLOCK": clock,
                           "PKI_DIR": app.config["PKI_DIR"]})
        try:
            roots = trust_roots(real)
            assert not demo_pki_active(real.config)
            assert len(roots) == 2 and demo_serial not in [c.serial_number for c in roots]
            # The demo CA no longer issues either.
            client = real.test_client()
            sign_in(client, "admin")
            user_id = world_signatory_id(real)
            assert client.post(f"/admin/users/{user_id}/certificates/demo",
                               data={"pin": "12345678"}).status_code == 404
        finally:
            real.extensions["engine"].dispose()


def world_signatory_id(app) -> int:
    with app.extensions["session_factory"]() as s:
        return s.scalar(select(User.id).where(User.login == "signatory"))


def test_letters_are_only_rendered_with_the_certificate_they_were_registered_with(app, world, by_municipality, fresh):
    from documents.issue import render_letter
    from documents.signing import Pkcs12Signer, SignerError

    letter = sign_in_domain(world, by_municipality["own"])
    other = Pkcs12Signer.from_bytes(demo_pkcs12(world.signatory.full_name, "other-pin-1"),
                                    "other-pin-1")
    try:
        render_letter(app.extensions["session_factory"], letter.id, other)
    except SignerError as error:
        assert "другим сертификатом" in str(error)
    else:
        raise AssertionError("a letter was signed with a certificate it was not registered with")
    with fresh() as s:
        assert s.scalar(select(Letter.pdf_sha256).where(Letter.id == letter.id)) is None
