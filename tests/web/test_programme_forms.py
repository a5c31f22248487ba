"""Creating and editing programmes: validation, stale forms, forged actions, CSRF."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import new_programme, programme_in
from tests.web.conftest import sign_in, text
from workflow.models import Programme, ProgrammeSection
from workflow.programme_drafting import MAX_SECTION
from workflow.states import ProgrammeState


def _form(programme, w, **overrides):
    data = {
        "version": str(programme.version), "title": programme.title, "period_from": "2026",
        "period_to": "2028", "responsible_name": "Петрова Анна Сергеевна",
        "responsible_position": "Начальник отдела", "responsible_phone": "(42337) 4-00-00",
        "outgoing_number": "01-12/345", "outgoing_date": "2026-02-20",
    }
    for r in w.campaign.requirements:
        data[f"section_{r.id}"] = f"Раздел {r.position}: исходный текст"
    data.update(overrides)
    return data


def _fresh(session, programme_id):
    """Re-read the programme, then end the test's transaction: on SQLite an open one would
    hold the write lock the app needs."""
    session.expire_all()
    programme = session.get(Programme, programme_id)
    _ = [s.text for s in programme.sections]
    session.commit()
    return programme


def test_editor_creates_a_programme_with_sections(client, world, login):
    login("editor")
    page = client.get(f"/programmes/new?campaign={world.campaign.id}")
    body = text(page)
    assert "Требование номер 2" in body and 'name="section_' in body
    data = {"version": "0", "title": "  Новая программа  ", "period_from": "2026",
            "period_to": "2027", "outgoing_date": "2026-03-01"}
    data.update({f"section_{r.id}": f"Текст {r.position}" for r in world.campaign.requirements})
    response = client.post(f"/programmes/new?campaign={world.campaign.id}", data=data)
    assert response.status_code == 302
    world.session.expire_all()
    created = world.session.scalar(select(Programme).where(Programme.title == "Новая программа"))
    assert created.municipality_id == world.own.id
    assert sorted(s.text for s in created.sections) == ["Текст 1", "Текст 2", "Текст 3"]
    shown = text(client.get(response.headers["Location"]))
    assert "Черновик программы создан" in shown and "Текст 2" in shown


def test_empty_title_is_refused_and_the_typed_text_kept(client, world, login):
    login("editor")
    data = {"version": "0", "title": "   ", "period_from": "2026", "period_to": "2027"}
    rid = world.campaign.requirements[0].id
    data[f"section_{rid}"] = "Мой длинный текст раздела"
    response = client.post(f"/programmes/new?campaign={world.campaign.id}", data=data)
    assert response.status_code == 400
    body = text(response)
    assert "Укажите название программы" in body
    assert "Мой длинный текст раздела" in body
    assert world.session.scalar(select(Programme.id)) is None


def test_inverted_period_is_refused_by_the_domain_with_its_message(client, world, login):
    login("editor")
    data = {"version": "0", "title": "Программа", "period_from": "2028", "period_to": "2026"}
    response = client.post(f"/programmes/new?campaign={world.campaign.id}", data=data)
    assert response.status_code == 400
    assert "Период реализации указан неверно" in text(response)


def test_oversized_section_is_refused(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    rid = world.campaign.requirements[1].id
    seen = p.version
    data = _form(p, world, **{f"section_{rid}": "я" * (MAX_SECTION + 1)})
    response = client.post(f"/programmes/{p.id}/edit", data=data)
    assert response.status_code == 400
    assert f"Раздел длиннее {MAX_SECTION} символов" in text(response)
    assert _fresh(world.session, p.id).version == seen


def test_save_changes_sections_and_bumps_version(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    seen = p.version
    page = text(client.get(f"/programmes/{p.id}/edit"))
    assert f'name="version" type="hidden" value="{seen}"' in page
    response = client.post(f"/programmes/{p.id}/edit", data=_form(p, world))
    assert response.status_code == 302
    fresh = _fresh(world.session, p.id)
    assert fresh.version == seen + 1
    assert fresh.responsible_name == "Петрова Анна Сергеевна"
    assert {s.text for s in fresh.sections} == {f"Раздел {i}: исходный текст" for i in (1, 2, 3)}


def test_stale_form_in_a_second_tab_keeps_the_typed_text(client, world, login):
    """The same editor has the edit form open in two tabs: the first save wins, the second
    is told who changed the programme and when, and keeps what was typed."""
    p = new_programme(world)
    world.session.commit()
    login("editor")
    seen = p.version
    rid = world.campaign.requirements[0].id
    first = _form(p, world, **{f"section_{rid}": "Текст из первой вкладки"})
    assert client.post(f"/programmes/{p.id}/edit", data=first).status_code == 302
    world.clock.tick(5)
    second = _form(p, world, version=str(seen),
                   **{f"section_{rid}": "Текст из второй вкладки, набранный долго"})
    response = client.post(f"/programmes/{p.id}/edit", data=second)
    assert response.status_code == 409
    body = text(response)
    assert "Программа была изменена" in body
    assert world.editor.full_name in body  # who saved it (recorded on the row)
    assert "2 марта 2026" in body  # when, in Russian, in the ministry's time zone
    assert "Текст из второй вкладки, набранный долго" in body  # the user's text is kept
    assert "Текст из первой вкладки" in body  # and the saved one is shown beside it
    fresh = _fresh(world.session, p.id)
    assert fresh.section_for(rid).text == "Текст из первой вкладки"
    # The form now carries the current version: a deliberate second save goes through.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', body).group(1)
    assert int(version) == fresh.version
    again = client.post(f"/programmes/{p.id}/edit", data={**second, "version": version})
    assert again.status_code == 302
    assert _fresh(world.session, p.id).section_for(rid).text.startswith("Текст из второй")


def test_stale_action_names_who_acted(client, world, login):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    world.session.commit()
    seen = p.version
    login("reviewer2")
    assert client.post(f"/programmes/{p.id}/actions/start_review",
                       data={"version": str(seen)}).status_code == 302
    login("reviewer")
    response = client.post(f"/programmes/{p.id}/actions/start_review",
                           data={"version": str(seen)})
    assert response.status_code == 409
    assert "Тестов reviewer2 Иванович" in text(response)
    assert _fresh(world.session, p.id).reviewer_id == world.other_reviewer.id


def test_forged_trigger_is_not_found_not_a_server_error(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    for trigger in ("bogus", "__init__", "state", "approve%00"):
        response = client.post(f"/programmes/{p.id}/actions/{trigger}",
                               data={"version": str(p.version)})
        assert response.status_code in (404, 409)
        assert "Traceback" not in text(response)
    assert _fresh(world.session, p.id).state == ProgrammeState.DRAFT


def test_action_missing_reason_keeps_the_page_and_says_why(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    response = client.post(f"/programmes/{p.id}/actions/withdraw",
                           data={"version": str(p.version), "reason": "  "})
    assert response.status_code == 422
    assert "Укажите причину отзыва" in text(response)
    assert _fresh(world.session, p.id).state == ProgrammeState.DRAFT


def test_submit_with_empty_sections_shows_reasons_and_no_dead_button(client, world, login):
    p = new_programme(world, filled=False)
    world.session.commit()
    login("editor")
    page = text(client.get(f"/programmes/{p.id}"))
    assert "Не заполнены разделы программы по требованиям № 1, 2, 3" in page
    assert 'data-trigger="submit"' not in page  # blocked: a hint, not a button
    assert 'data-trigger="withdraw"' in page


def test_editing_outside_draft_or_returned_redirects_with_a_message(client, world, login):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    world.session.commit()
    login("editor")
    response = client.get(f"/programmes/{p.id}/edit", follow_redirects=True)
    assert "можно изменять только" in text(response)
    response = client.post(f"/programmes/{p.id}/edit", data=_form(p, world))
    assert response.status_code == 409


def test_nothing_changes_on_get(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    seen = (p.version, p.updated_at)
    for url in (f"/programmes/{p.id}", f"/programmes/{p.id}/edit", "/", "/programmes/"):
        client.get(url)
    fresh = _fresh(world.session, p.id)
    assert (fresh.version, fresh.updated_at) == seen


def test_csrf_token_is_required_for_every_post(own_app, world):
    app = own_app(WTF_CSRF_ENABLED=True)
    p = new_programme(world)
    world.session.commit()
    client = app.test_client()
    sign_in(client, "editor")
    seen = (p.version, p.title)
    response = client.post(f"/programmes/{p.id}/actions/submit", data={"version": str(p.version)})
    assert response.status_code == 400
    assert "Форма устарела" in text(response)
    response = client.post(f"/programmes/{p.id}/edit", data=_form(p, world, title="Взлом"))
    assert response.status_code == 400
    fresh = _fresh(world.session, p.id)
    assert (fresh.state, fresh.version, fresh.title) == (ProgrammeState.DRAFT, *seen)
    # With the token from the page, the same action goes through.
    page = text(client.get(f"/programmes/{p.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/programmes/{p.id}/actions/submit",
                           data={"version": str(p.version), "csrf_token": token})
    assert response.status_code == 302
    assert _fresh(world.session, p.id).state == ProgrammeState.SUBMITTED


def test_sections_are_stored_per_requirement(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    rid = world.campaign.requirements[2].id
    client.post(f"/programmes/{p.id}/edit", data=_form(p, world, **{f"section_{rid}": "Третий"}))
    world.session.expire_all()
    texts = dict(world.session.execute(
        select(ProgrammeSection.requirement_id, ProgrammeSection.text)
        .where(ProgrammeSection.programme_id == p.id)).all())
    assert texts[rid] == "Третий"
