"""The bell on every page (one cheap query), the notifications page (paginated), mark one
or all as read, and the e-mail preference form."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.web.conftest import sign_in, text
from tests.web.test_query_counts import counting
from workflow import notifications
from workflow.models import Notification, User


def _bell(page: str) -> int:
    found = re.search(r'id="bell-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def _notes(world, user, count: int) -> None:
    for i in range(count):
        notifications.notify(world.session, [user], kind="test.note", now=world.clock.tick(),
                             text=f"Уведомление № {i}", link=f"/programmes/{i}")
    world.session.commit()


def test_the_bell_counts_unread_on_every_page_and_read_all_clears_it(client, world):
    _notes(world, world.editor, 3)
    sign_in(client, "editor")
    for url in ("/", "/programmes/", "/letters/", "/notifications", "/account/sessions"):
        assert _bell(text(client.get(url))) == 3, url
    first = world.session.scalars(select(Notification.id).where(
        Notification.recipient_id == world.editor.id).order_by(Notification.id)).first()
    world.session.commit()
    response = client.post(f"/notifications/{first}/read", data={"back": "list"})
    assert response.headers["Location"].endswith("/notifications")
    assert _bell(text(client.get("/"))) == 2
    client.post("/notifications/read-all", data={"back": "list"})
    page = text(client.get("/notifications"))
    assert _bell(page) == 0 and "Уведомление № 2" in page  # read, still listed
    sign_in(client, "reviewer")
    assert _bell(text(client.get("/review/"))) == 0  # nobody else's


def test_someone_elses_notification_cannot_be_marked(client, world):
    _notes(world, world.reviewer, 1)
    note = world.session.scalar(select(Notification.id))
    world.session.commit()
    sign_in(client, "editor")
    client.post(f"/notifications/{note}/read")
    with world.session.begin():
        assert world.session.get(Notification, note).read_at is None
    world.session.commit()


def test_the_bell_costs_one_query_whatever_the_number_of_notifications(app, client, world):
    _notes(world, world.editor, 1)
    sign_in(client, "editor")
    with counting(app) as few:
        client.get("/letters/")
    _notes(world, world.editor, 40)
    with counting(app) as many:
        page = text(client.get("/letters/"))
    assert len(few) == len(many) and _bell(page) == 41
    assert sum("count(notification.id)" in s for s in many) == 1


def test_the_list_is_paginated(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    _notes(world, world.editor, 23)
    sign_in(client, "editor")
    first = text(client.get("/notifications"))
    assert "Уведомление № 22" in first and "Уведомление № 12" not in first
    last = text(client.get("/notifications?page=3"))
    assert "Уведомление № 0" in last and "Уведомление № 3" not in last
    assert "Уведомление № 22" not in last
    beyond = client.get("/notifications?page=oops")
    assert beyond.status_code == 200 and "Уведомление № 22" in text(beyond)


def test_the_mail_preference_is_saved_and_a_wrong_value_refused(client, world):
    sign_in(client, "editor")
    response = client.post("/notifications/preference", data={"mail_preference": "digest"},
                           follow_redirects=True)
    assert "Настройка уведомлений сохранена" in text(response)
    assert world.session.scalar(select(User.mail_preference).where(
        User.id == world.editor.id)) == "digest"
    world.session.commit()
    response = client.post("/notifications/preference", data={"mail_preference": "hourly"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Выберите, как присылать уведомления" in text(response)
    assert world.session.scalar(select(User.mail_preference).where(
        User.id == world.editor.id)) == "digest"
    world.session.commit()
