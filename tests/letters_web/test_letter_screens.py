"""A letter's page: preview, editing, signing through the screen, PDF, dispatch, cancel."""

from __future__ import annotations

import pytest

from documents.issue import trust_roots
from documents.verify import verify_pdf
from tests.factories import SIGNING_PIN
from tests.letters_web.conftest import read_letter, sign_in_domain
from workflow.states import LetterState


def fresh(world, letter_id):
    return read_letter(world, letter_id)


def page(client, letter):
    response = client.get(f"/letters/{letter.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_signatory_signs_through_the_screen_and_gets_a_verifiable_pdf(app, world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    assert "Подписать и зарегистрировать" in page(client, letter)
    response = client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Письмо подписано и зарегистрировано: № 23/1 от 02.03.2026" in html
    row, pdf = fresh(world, letter.id)
    assert row.state == LetterState.SIGNED and row.number == "23/1"
    assert pdf is not None and row.render_error is None
    result = verify_pdf(pdf, trust_roots(app))
    assert result.ok, result.reasons
    assert result.sha256 == row.pdf_sha256

    download = client.get(f"/letters/{letter.id}/pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="letter-23-1.pdf"'
    assert download.data == pdf


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_only_the_signatory_may_sign(world, auth, client, by_municipality, who):
    letter = by_municipality["own"]
    auth.login(getattr(world, who))
    assert "Подписать и зарегистрировать" not in page(client, letter)
    response = client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    assert response.status_code == 403
    row, _ = fresh(world, letter.id)
    assert row.state == LetterState.DRAFT and row.number is None


def test_a_municipal_editor_cannot_even_see_a_draft_to_sign_it(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.editor)
    response = client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    assert response.status_code == 404
    assert fresh(world, letter.id)[0].state == LetterState.DRAFT


def test_signing_twice_says_so_and_keeps_the_number(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    # The same (now stale) form again, as after a double click or the back button.
    response = client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Письмо уже подписано и зарегистрировано: № 23/1 от 02.03.2026" in html
    row, _ = fresh(world, letter.id)
    assert row.number == "23/1" and row.seq == 1
    other = by_municipality["foreign"]
    client.post(f"/letters/{other.id}/sign", data={"version": other.version, "pin": SIGNING_PIN})
    assert fresh(world, other.id)[0].number == "23/2"  # no number was burnt


def test_signed_letter_cannot_be_edited(world, auth, client, by_municipality):
    letter = sign_in_domain(world, by_municipality["own"])
    auth.login(world.reviewer)
    html = page(client, letter)
    assert "Сохранить проект" not in html
    response = client.post(f"/letters/{letter.id}/edit", follow_redirects=True, data={
        "version": letter.version, "addressee": "Другой адресат", "heading": "Другой заголовок",
        "salutation": "Коллеги!", "body": "Новый текст"})
    assert "подписанное письмо не меняется" in response.get_data(as_text=True)
    row, _ = fresh(world, letter.id)
    assert row.heading == "О сроке направления муниципальной программы"


def test_draft_is_edited_and_a_stale_form_keeps_the_users_text(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.reviewer)
    form = {"version": letter.version, "addressee": "Начальнику управления\nИвановой И.П.",
            "heading": "О сроке", "salutation": "Уважаемая Ирина Петровна!",
            "body": "Первый абзац.\r\n\r\nВторой абзац."}
    response = client.post(f"/letters/{letter.id}/edit", data=form, follow_redirects=True)
    assert "Проект письма сохранён" in response.get_data(as_text=True)
    row, _ = fresh(world, letter.id)
    assert row.body == "Первый абзац.\n\nВторой абзац." and row.version == letter.version + 1

    stale = dict(form, body="Мой несохранённый текст")  # still carries the old version
    response = client.post(f"/letters/{letter.id}/edit", data=stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "изменено другим пользователем" in html
    assert "Мой несохранённый текст" in html  # the user's text is not lost
    assert f'value="{letter.version + 1}"' in html  # saving again is a deliberate overwrite
    assert fresh(world, letter.id)[0].body == "Первый абзац.\n\nВторой абзац."


def test_a_form_without_the_version_it_was_read_at_is_refused(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.reviewer)
    response = client.post(f"/letters/{letter.id}/edit", data={
        "addressee": "Другой адресат", "heading": "Другой заголовок", "salutation": "Коллеги!",
        "body": "Текст без версии"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Форма устарела: обновите страницу" in html and "Текст без версии" in html
    assert fresh(world, letter.id)[0].version == letter.version
    auth.logout()
    auth.login(world.signatory)
    assert client.post(f"/letters/{letter.id}/sign", data={"pin": SIGNING_PIN}).status_code == 400
    assert fresh(world, letter.id)[0].state == LetterState.DRAFT


def test_editing_is_for_ministry_drafters_only(world, auth, client, by_municipality):
    letter = sign_in_domain(world, by_municipality["own"])
    auth.login(world.editor)
    response = client.post(f"/letters/{letter.id}/edit", data={"version": letter.version})
    assert response.status_code == 403


def test_empty_fields_are_refused_with_a_message(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.reviewer)
    response = client.post(f"/letters/{letter.id}/edit", data={
        "version": letter.version, "addressee": "А", "heading": "", "salutation": "С", "body": "Т"})
    assert response.status_code == 400
    assert "Укажите заголовок" in response.get_data(as_text=True)


def test_preview_shows_the_draft_with_watermark_and_placeholders(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.reviewer)
    response = client.get(f"/letters/{letter.id}/preview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "О сроке направления муниципальной программы" in html
    assert "ПРОЕКТ" in html  # watermark
    assert "__________" in html and "______" in html  # date and number not yet assigned
    assert "<style>" in html
    assert response.headers["Content-Security-Policy"].startswith(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:")
    assert "script" not in response.headers["Content-Security-Policy"]


def test_preview_of_a_signed_letter_has_its_number_and_no_watermark(world, auth, client, by_municipality):
    letter = sign_in_domain(world, by_municipality["own"])
    auth.login(world.editor)
    html = client.get(f"/letters/{letter.id}/preview").get_data(as_text=True)
    assert "23/1" in html and "ПРОЕКТ" not in html


def test_render_failure_keeps_the_letter_signed_and_retry_stores_the_pdf(app, world, auth, client, by_municipality, monkeypatch):
    from documents.render import LetterRenderer

    def broken(self, ctx):
        raise OSError("диск переполнен")

    letter = by_municipality["own"]
    auth.login(world.signatory)
    with monkeypatch.context() as patch:
        patch.setattr(LetterRenderer, "render_pdf", broken)
        response = client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN},
                               follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "зарегистрировано под № 23/1" in html and "PDF сформировать не удалось" in html
    assert "Сформировать PDF повторно" in html
    row, pdf = fresh(world, letter.id)
    assert row.state == LetterState.SIGNED and row.number == "23/1"
    assert pdf is None and row.pdf_sha256 is None
    assert "диск переполнен" in row.render_error

    journal = client.get("/letters/").get_data(as_text=True)
    assert "PDF не сформирован" in journal
    # Dispatch waits for the PDF.
    assert "Отметить как отправленное" not in html

    response = client.post(f"/letters/{letter.id}/render", follow_redirects=True)
    assert "PDF с электронной подписью сформирован" in response.get_data(as_text=True)
    row, pdf = fresh(world, letter.id)
    assert pdf is not None and row.render_error is None and row.number == "23/1"
    assert verify_pdf(pdf, trust_roots(app)).ok


def test_dispatch_after_the_pdf_and_cancel_of_a_draft(world, auth, client, by_municipality):
    own, foreign = by_municipality["own"], by_municipality["foreign"]
    auth.login(world.signatory)
    client.post(f"/letters/{own.id}/sign", data={"version": own.version, "pin": SIGNING_PIN})
    response = client.post(f"/letters/{own.id}/dispatch", follow_redirects=True)
    assert "отмечено как отправленное" in response.get_data(as_text=True)
    assert fresh(world, own.id)[0].state == LetterState.DISPATCHED

    response = client.post(f"/letters/{foreign.id}/cancel", follow_redirects=True)
    assert "Проект письма аннулирован" in response.get_data(as_text=True)
    assert fresh(world, foreign.id)[0].state == LetterState.CANCELLED
    response = client.post(f"/letters/{foreign.id}/sign", data={"version": foreign.version + 1, "pin": SIGNING_PIN},
                           follow_redirects=True)
    assert "аннулировано" in response.get_data(as_text=True)


def test_pdf_of_an_unrendered_letter_is_not_found(world, auth, client, by_municipality):
    letter = by_municipality["own"]
    auth.login(world.reviewer)
    assert client.get(f"/letters/{letter.id}/pdf").status_code == 404
    assert client.get("/letters/999999").status_code == 404


def test_campaign_circular_and_reminders(world, auth, client):
    auth.login(world.reviewer)
    url = f"/letters/campaigns/{world.campaign.id}/circular"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"heading": "О программах", "salutation": "Уважаемые коллеги!",
                                      "body": "Абзац один.\r\n\r\nАбзац два."})
    assert response.status_code == 302
    letter_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    row, _ = fresh(world, letter_id)
    # The campaign's request and deadline are added as the last paragraph.
    assert row.kind == "circular" and row.municipality_id is None
    assert row.body.startswith("Абзац один.\n\nАбзац два.\n\nПросим в срок до ")

    response = client.post(f"/letters/campaigns/{world.campaign.id}/reminders", follow_redirects=True)
    assert "Подготовлено проектов напоминаний: 2" in response.get_data(as_text=True)
    response = client.post(f"/letters/campaigns/{world.campaign.id}/reminders", follow_redirects=True)
    assert "Напоминания не нужны" in response.get_data(as_text=True)


def test_campaign_letters_are_for_the_ministry(world, auth, client):
    auth.login(world.editor)
    assert client.get(f"/letters/campaigns/{world.campaign.id}/circular").status_code == 403
    assert client.post(f"/letters/campaigns/{world.campaign.id}/reminders").status_code == 403
