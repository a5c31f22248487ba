"""The public verification page: requisites for registered letters only, and file checks."""

from __future__ import annotations

import io
import json

import pytest

from tests.factories import SIGNING_PIN
from tests.letters_web.conftest import read_letter


@pytest.fixture
def signed(world, auth, client, by_municipality):
    """Both reminders signed and rendered through the screens; the client is signed out."""
    auth.login(world.signatory)
    for letter in by_municipality.values():
        client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    auth.logout()
    read = {key: read_letter(world, letter.id) for key, letter in by_municipality.items()}
    rows = {key: row for key, (row, _pdf) in read.items()}
    pdfs = {key: pdf for key, (_row, pdf) in read.items()}
    assert all(pdfs.values())
    return rows, pdfs


def upload(client, code, data, name="letter.pdf"):
    return client.post(f"/verify/{code}", content_type="multipart/form-data",
                       data={"document": (io.BytesIO(data), name)})


def test_verify_page_shows_the_requisites_only(client, signed):
    rows, _ = signed
    letter = rows["own"]
    response = client.get(f"/verify/{letter.verification_code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "№ 23/1" in html and "02.03.2026" in html
    assert "О сроке направления муниципальной программы" in html
    # The addressee as printed: the head of the authority, in the dative.
    assert "Начальнику управления образования администрации Артёмовского городского округа" in html
    # Who signed: the owner named by the certificate used, with its serial number.
    assert "Шкуратская Мария Викторовна" in html
    assert json.loads(letter.final_data)["certificate"]["serial"] in html
    assert letter.pdf_sha256 in html
    assert "Подписано" in html
    assert "Напоминаем" not in html  # the text of the letter is not public
    assert "(423) 200-00-00" not in html  # nor the executor's phone


def test_the_registered_pdf_is_genuine(client, signed):
    rows, pdfs = signed
    response = upload(client, rows["own"].verification_code, pdfs["own"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Документ подлинный" in html
    assert "Шкуратская Мария Викторовна" in html


def test_one_flipped_byte_is_detected(client, signed):
    rows, pdfs = signed
    data = bytearray(pdfs["own"])
    middle = len(data) // 3
    data[middle] ^= 0x01
    html = upload(client, rows["own"].verification_code, bytes(data)).get_data(as_text=True)
    assert "Документ подлинный" not in html
    assert "Документ не подтверждён" in html
    assert ("Документ изменён после подписания" in html or "Файл повреждён" in html)
    assert "Это не тот документ, что зарегистрирован под этим кодом" in html


def test_another_genuine_letter_is_not_this_one(client, signed):
    rows, pdfs = signed
    html = upload(client, rows["own"].verification_code, pdfs["foreign"]).get_data(as_text=True)
    assert "Документ подлинный" not in html
    assert "Это не тот документ, что зарегистрирован под этим кодом" in html


def test_a_text_file_is_not_a_pdf(client, signed):
    rows, _ = signed
    response = upload(client, rows["own"].verification_code, "Просто текст".encode(), "note.txt")
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    assert "Файл не является PDF-документом" in html
    assert "не тот документ" not in html


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n garbage", b"%PDF-" + bytes(range(256)) * 10])
def test_garbage_never_breaks_the_page(client, signed, data):
    rows, _ = signed
    response = upload(client, rows["own"].verification_code, data)
    assert response.status_code in (200, 400)
    assert "Документ подлинный" not in response.get_data(as_text=True)


def test_missing_file_gets_a_message(client, signed):
    rows, _ = signed
    response = client.post(f"/verify/{rows['own'].verification_code}", data={})
    assert response.status_code == 400
    assert "Выберите файл" in response.get_data(as_text=True)


def test_too_large_upload_is_refused_cleanly(client, signed):
    from web.blueprints.verify import MAX_UPLOAD

    rows, _ = signed
    response = upload(client, rows["own"].verification_code, b"%PDF-" + b"0" * (MAX_UPLOAD + 70_000))
    assert response.status_code == 413
    assert "Файл больше 5 МБ" in response.get_data(as_text=True)


def test_unknown_code_is_not_found(client, world):
    response = client.get("/verify/ZZZZZZZZZZ")
    assert response.status_code == 404
    assert "Документ не найден" in response.get_data(as_text=True)
    assert client.post("/verify/ZZZZZZZZZZ", data={}).status_code == 404
    assert client.get("/verify/../../etc").status_code == 404


def test_a_drafts_code_is_not_found(client, by_municipality):
    draft = by_municipality["own"]
    response = client.get(f"/verify/{draft.verification_code}")
    assert response.status_code == 404
    assert "Документ не найден" in response.get_data(as_text=True)
    assert "О сроке направления" not in response.get_data(as_text=True)


def test_code_form_redirects_to_the_normalised_code(client, signed):
    rows, _ = signed
    code = rows["own"].verification_code
    assert client.get("/verify/").status_code == 200
    response = client.get("/verify/", query_string={"code": f" {code[:5].lower()}-{code[5:]} "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}")
    assert client.get(f"/verify/{code.lower()}").status_code == 302
    assert client.get("/verify/", query_string={"code": "  "}).status_code == 400


def test_upload_form_checks_csrf(app, client, signed):
    rows, pdfs = signed
    app.config["WTF_CSRF_ENABLED"] = True
    response = upload(client, rows["own"].verification_code, pdfs["own"])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Документ подлинный" not in html
    # Checked by the form itself (the view is exempt from the global check so that its
    # tighter upload limit applies before the body is parsed), and answered on the page.
    assert "Форма устарела. Обновите страницу и загрузите файл снова" in html
