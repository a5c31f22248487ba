"""The registration journal: listing, search, filters, pagination, CSV, tenant isolation."""

from __future__ import annotations

import csv
import io

from tests.letters_web.conftest import sign_in_domain


def journal_text(client, **params):
    response = client.get("/letters/", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def read_csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_journal_lists_every_letter_with_its_requisites(world, auth, client, by_municipality, make_letters):
    sign_in_domain(world, by_municipality["own"])
    make_letters("circular")
    auth.login(world.reviewer)
    html = journal_text(client)
    assert "23/1" in html
    # Addressed to the head of the authority (position and name in the dative, ГОСТ Р 7.0.97).
    assert "Начальнику управления образования администрации Артёмовского городского округа" in html
    assert "Управление образования Хасанского муниципального округа" in html
    assert "О сроке направления муниципальной программы" in html
    assert "О представлении муниципальных программ" in html
    assert "М.В. Шкуратская" in html  # signatory
    assert world.reviewer.full_name in html  # executor
    assert "badge-letter-signed" in html and "badge-letter-draft" in html
    assert "Напоминание о сроке" in html and "Циркулярное письмо" in html


def test_journal_filters_by_state_kind_and_search(world, auth, client, by_municipality, make_letters):
    sign_in_domain(world, by_municipality["own"])
    make_letters("circular")
    auth.login(world.reviewer)

    signed = journal_text(client, state="signed")
    assert "23/1" in signed and "О представлении муниципальных программ" not in signed

    circulars = journal_text(client, kind="circular")
    assert "О представлении муниципальных программ" in circulars
    assert "О сроке направления" not in circulars

    by_number = journal_text(client, q="23/1")
    assert "Артёмовского" in by_number and "Хасанского" not in by_number
    # Cyrillic search is case-insensitive on SQLite too.
    by_addressee = journal_text(client, q="хасанского")
    assert "Хасанского" in by_addressee and "Артёмовского" not in by_addressee
    by_heading = journal_text(client, q="представлении")
    assert "О представлении муниципальных программ" in by_heading
    assert "О сроке направления" not in by_heading
    # LIKE wildcards in the query are literal.
    assert "Писем не найдено" in journal_text(client, q="%")


def test_journal_is_paginated(app, world, auth, client, make_letters):
    app.config["PAGE_SIZE"] = 2
    for _ in range(3):
        make_letters("circular")
    auth.login(world.reviewer)
    first = journal_text(client)
    assert "страница 1 из 2" in first and "Вперёд" in first
    second = journal_text(client, page=2)
    assert "страница 2 из 2" in second and "Назад" in second
    assert first.count('class="col-number"') - 1 == 2  # header cell excluded
    assert second.count('class="col-number"') - 1 == 1
    assert journal_text(client, page="abc")  # a bad page number is not an error


def test_csv_export_has_bom_semicolons_and_is_an_attachment(world, auth, client, by_municipality):
    sign_in_domain(world, by_municipality["own"])
    auth.login(world.reviewer)
    response = client.get("/letters/journal.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="journal-2026-03-02.csv"' in disposition
    rows = read_csv(response)
    assert rows[0] == ["Номер", "Дата регистрации", "Вид письма", "Адресат", "Заголовок",
                       "Подписант", "Исполнитель", "Состояние", "Код проверки"]
    signed = next(r for r in rows[1:] if r[0] == "23/1")
    assert signed[1] == "02.03.2026"
    assert signed[2] == "Напоминание о сроке"
    # The addressee is the head of the authority, in the dative (ГОСТ Р 7.0.97).
    assert signed[3] == ("Начальнику управления образования администрации Артёмовского "
                         "городского округа И.П. Ивановой")
    assert "\n" not in signed[3]
    assert signed[5] == "Шкуратская Мария Викторовна"
    assert signed[7] == "Подписано"
    assert len(signed[8]) == 10
    draft = next(r for r in rows[1:] if r[0] == "")
    assert draft[7] == "Проект" and draft[8] == ""


def test_csv_export_follows_the_filters(world, auth, client, by_municipality):
    sign_in_domain(world, by_municipality["own"])
    auth.login(world.reviewer)
    rows = read_csv(client.get("/letters/journal.csv", query_string={"state": "draft"}))
    assert len(rows) == 2 and rows[1][7] == "Проект"


def test_csv_cells_cannot_start_a_formula(world, auth, client, make_letters):
    from workflow import letter_drafting

    s = world.session
    letter_drafting.draft_circular(s, world.campaign, world.reviewer, now=world.clock.tick(),
                                   heading="=HYPERLINK(\"http://evil\")", body="Текст")
    s.commit()
    auth.login(world.reviewer)
    rows = read_csv(client.get("/letters/journal.csv"))
    assert rows[1][4].startswith("'=")


def test_municipal_editor_sees_only_own_signed_letters_and_circulars(world, auth, client, by_municipality, make_letters):
    own = sign_in_domain(world, by_municipality["own"])
    foreign = sign_in_domain(world, by_municipality["foreign"])
    circular = sign_in_domain(world, make_letters("circular")[0])
    make_letters("circular")  # an unsigned circular stays internal
    auth.login(world.editor)

    html = journal_text(client)
    assert own.number in html and circular.number in html
    assert foreign.number not in html
    assert "Хасанского" not in html
    assert "Проект" not in html.split("<tbody>")[1]

    rows = read_csv(client.get("/letters/journal.csv"))
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {own.number, circular.number}
    assert all("Хасанского" not in cell for r in rows for cell in r)

    for path in (f"/letters/{foreign.id}", f"/letters/{foreign.id}/preview",
                 f"/letters/{foreign.id}/pdf"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/letters/{own.id}").status_code == 200
    assert client.get(f"/letters/{circular.id}").status_code == 200


def test_municipal_editor_cannot_see_drafts_addressed_to_them(world, auth, client, by_municipality):
    auth.login(world.editor)
    assert client.get(f"/letters/{by_municipality['own'].id}").status_code == 404
    assert "Писем не найдено" in journal_text(client)


def test_journal_needs_sign_in(client):
    response = client.get("/letters/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/letters/journal.csv").status_code == 302
