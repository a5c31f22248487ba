"""Administration screens and each role's home page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.factories import add_external_remark, programme_in
from tests.web.conftest import sign_in, text
from workflow import operations
from workflow.models import Campaign, Letter, Municipality, User
from workflow.states import ProgrammeState


def _user(w, login):
    w.session.expire_all()
    user = w.session.scalar(select(User).where(User.login == login))
    w.session.commit()
    return user


def test_admin_creates_a_user_and_the_password_policy_is_applied(client, world):
    sign_in(client, "admin")
    weak = client.post("/admin/users/new", data={
        "login": "ivanova", "full_name": "Иванова Анна", "role": "municipal_editor",
        "municipality": str(world.own.id), "password": "password123"})
    assert weak.status_code == 400 and "слишком распространён" in text(weak)
    assert "Иванова Анна" in text(weak)  # what was typed stays
    ok = client.post("/admin/users/new", data={
        "login": "ivanova", "full_name": "Иванова Анна", "role": "municipal_editor",
        "municipality": str(world.own.id), "password": "Strong-Pass-2026!"})
    assert ok.status_code == 302
    user = _user(world, "ivanova")
    assert user.municipality_id == world.own.id
    sign_in(client, "ivanova", "Strong-Pass-2026!")
    assert "Программы муниципалитета" in text(client.get("/"))


def test_admin_changes_role_deactivates_and_resets_password(client, world):
    admin_id = world.admin.id
    sign_in(client, "admin")
    editor = world.editor
    missing = client.post(f"/admin/users/{editor.id}", data={"role": "municipal_editor",
                                                             "municipality": ""})
    assert missing.status_code == 400 and "укажите муниципалитет" in text(missing)
    assert client.post(f"/admin/users/{editor.id}",
                       data={"role": "reviewer", "municipality": ""}).status_code == 302
    changed = _user(world, "editor")
    assert changed.role == "reviewer" and changed.municipality_id is None
    assert client.post(f"/admin/users/{editor.id}/active", data={"active": "0"}).status_code == 302
    assert _user(world, "editor").active is False
    assert client.post(f"/admin/users/{editor.id}/password",
                       data={"password": "Another-Strong-2026"}).status_code == 302
    refused = client.post(f"/admin/users/{admin_id}/active", data={"active": "0"},
                          follow_redirects=True)
    assert "Нельзя отключить собственную" in text(refused)
    demote = client.post(f"/admin/users/{admin_id}", data={"role": "reviewer", "municipality": ""})
    assert demote.status_code == 400 and "Нельзя снять роль администратора" in text(demote)


def test_admin_manages_municipalities_and_campaigns(client, world):
    sign_in(client, "admin")
    assert client.post("/admin/municipalities/new", data={
        "code": "nakhodka", "name": "Находкинский городской округ"}).status_code == 302
    duplicate = client.post("/admin/municipalities/new", data={
        "code": "nakhodka", "name": "Дубль"})
    assert duplicate.status_code == 400 and "уже есть" in text(duplicate)
    m = world.session.scalar(select(Municipality).where(Municipality.code == "nakhodka"))
    world.session.commit()
    # The head is now three fields and a position (reference data for the addressee line).
    assert client.post(f"/admin/municipalities/{m.id}", data={
        "name": "Находкинский ГО", "head_surname": "Петров", "head_first_name": "Пётр",
        "head_patronymic": "Петрович", "head_position_dative": "Начальнику управления образования"}
    ).status_code == 302
    assert client.post(f"/admin/municipalities/{m.id}/active", data={"active": "0"}).status_code == 302
    world.session.expire_all()
    m = world.session.get(Municipality, m.id)
    assert (m.name, m.head_full_name, m.active) == ("Находкинский ГО", "Петров Пётр Петрович", False)
    world.session.commit()
    assert client.post("/admin/campaigns/new", data={
        "title": "Программы воспитания", "deadline": "2026-12-01", "circular_number": "23/7000",
        "requirements": "Первое требование\n\n  Второе требование  \n"}).status_code == 302
    campaign = world.session.scalar(select(Campaign).where(Campaign.title == "Программы воспитания"))
    assert [r.text for r in campaign.requirements] == ["Первое требование", "Второе требование"]
    world.session.commit()
    empty = client.post("/admin/campaigns/new", data={"title": "X", "deadline": "2026-12-01",
                                                      "requirements": " \n "})
    assert empty.status_code == 400


def test_home_per_role(client, world):
    programme_in(world, ProgrammeState.RETURNED, title="Возвращённая")
    programme_in(world, ProgrammeState.DRAFT, title="Черновая")
    # A return proposed, its letter awaiting the signatory.
    pending = programme_in(world, ProgrammeState.IN_REVIEW, title="На подписи")
    add_external_remark(world, pending)
    operations.return_for_revision(world.session, pending, world.reviewer,
                                   now=world.clock.tick(), reason="Доработать")
    world.session.commit()
    sign_in(client, "editor")
    home = text(client.get("/"))
    assert "Ответьте на замечания (1) и направьте программу повторно" in home
    assert "Заполните разделы и направьте в министерство" in home
    assert "Возвращена на доработку" in home and "Создать программу" in home
    sign_in(client, "reviewer")
    assert client.get("/").headers["Location"].endswith("/review/")
    sign_in(client, "admin")
    assert client.get("/").headers["Location"].endswith("/admin/")
    sign_in(client, "signatory")
    page = text(client.get("/"))
    assert "Письма на подпись" in page
    letters = world.session.scalars(select(Letter).where(Letter.state == "draft")).all()
    world.session.commit()
    assert letters  # the pending return drafted a letter
    if "letters.index" not in client.application.view_functions:
        assert "О возврате программы на доработку" in page


def test_language_switch_keeps_the_page(client, world):
    sign_in(client, "editor")
    response = client.post("/lang/en", data={"next": "/programmes/"})
    assert response.headers["Location"].endswith("/programmes/")
    assert 'lang="en"' in text(client.get("/programmes/"))


def test_queue_tabs_and_overdue(client, world):
    """"Просрочено" derives from the campaign's deadline (1 June 2026) and nothing else: a
    programme submitted long ago but in time is not late; a draft past the deadline is."""
    late = programme_in(world, ProgrammeState.SUBMITTED, title="Давно направленная")
    programme_in(world, ProgrammeState.IN_REVIEW, title="Моя на рассмотрении")
    programme_in(world, ProgrammeState.DRAFT, title="Так и не направленная")
    world.session.commit()
    world.clock.tick(11 * 24 * 60)  # eleven days later, still before the deadline
    sign_in(client, "reviewer")
    overdue = text(client.get("/review/?tab=overdue"))
    assert "Давно направленная" not in overdue and "Так и не направленная" not in overdue
    world.clock.now = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 2 June in Vladivostok
    sign_in(client, "reviewer")
    overdue = text(client.get("/review/?tab=overdue"))
    assert "Так и не направленная" in overdue and "просрочено" in overdue
    assert "Давно направленная" not in overdue
    mine = text(client.get("/review/?tab=mine"))
    assert "Моя на рассмотрении" in mine and "Давно направленная" not in mine
    waiting = text(client.get(f"/review/?tab=submitted&municipality={world.foreign.id}"))
    assert "Давно направленная" not in waiting
    paged = text(client.get("/review/?tab=all&page=999"))
    assert late.title in paged  # an out-of-range page shows the last one


def test_a_programme_submitted_after_the_deadline_shows_how_late(client, world):
    """The campaign is due on 1 June 2026; submitted on 4 June (Vladivostok): 3 days late,
    on the list and on the programme page; one submitted in time shows nothing."""
    in_time = programme_in(world, ProgrammeState.SUBMITTED, title="Вовремя")
    world.clock.now = datetime(2026, 6, 4, 1, 0, tzinfo=UTC)
    late = programme_in(world, ProgrammeState.SUBMITTED, title="С опозданием")
    world.session.commit()
    sign_in(client, "reviewer")
    listing = text(client.get("/review/?tab=all"))
    assert listing.count("с опозданием на 3 дня") == 1
    assert "направлена с опозданием на 3 дня" in text(client.get(f"/programmes/{late.id}"))
    page = text(client.get(f"/programmes/{in_time.id}"))
    assert "опозданием" not in page and "просрочено" not in page
