"""The notifications API: the caller's own list (paged, unread filter, the unread count),
mark one / all read, the e-mail preference. Another user's notification answers 404 and stays
unread. Responses are checked against the OpenAPI document by the Api client."""

from __future__ import annotations

from sqlalchemy import select

from workflow import notifications
from workflow.models import MailOutbox, Notification, User


def _notify(fresh, world, user, count: int, kind: str = "remark.added") -> list[int]:
    with fresh() as s:
        rows = []
        for n in range(count):
            rows += notifications.notify(s, [s.get(User, user.id)], kind=kind,
                                         text=f"Событие {n + 1}", now=world.clock.tick(),
                                         link=f"/programmes/{n + 1}")
        s.flush()
        return [r.id for r in rows]


def test_the_list_is_paged_newest_first_with_the_unread_count(world, editor, fresh):
    ids = _notify(fresh, world, world.editor, 5)
    first = editor.get("/notifications", query={"per_page": 2}).get_json()
    assert first["total"] == 5 and first["unread"] == 5 and first["per_page"] == 2
    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    assert first["items"][0]["text"] == "Событие 5" and first["items"][0]["read_at"] is None
    third = editor.get("/notifications", query={"per_page": 2, "page": 3}).get_json()
    assert [i["id"] for i in third["items"]] == [ids[0]]
    beyond = editor.get("/notifications", query={"per_page": 2, "page": 9}).get_json()
    assert beyond["items"] == [] and beyond["page"] == 9 and beyond["total"] == 5


def test_mark_one_then_the_unread_filter_and_count_follow(world, editor, fresh):
    ids = _notify(fresh, world, world.editor, 3)
    marked = editor.post(f"/notifications/{ids[1]}/read")
    assert marked.status_code == 200 and marked.get_json() == {"marked": 1, "unread": 2}
    # Marking it again changes nothing and is not an error.
    assert editor.post(f"/notifications/{ids[1]}/read").get_json() == {"marked": 0, "unread": 2}
    unread = editor.get("/notifications", query={"unread": "true"}).get_json()
    assert [i["id"] for i in unread["items"]] == [ids[2], ids[0]] and unread["total"] == 2
    everything = editor.get("/notifications", query={"unread": "false"}).get_json()
    assert everything["total"] == 3 and everything["unread"] == 2
    read = next(i for i in everything["items"] if i["id"] == ids[1])
    assert read["read_at"] is not None


def test_mark_all_read(world, editor, fresh):
    _notify(fresh, world, world.editor, 4)
    assert editor.post("/notifications/read-all").get_json() == {"marked": 4, "unread": 0}
    assert editor.post("/notifications/read-all").get_json() == {"marked": 0, "unread": 0}
    assert editor.get("/notifications", query={"unread": "1"}).get_json()["items"] == []


def test_a_user_sees_and_marks_only_their_own(world, editor, foreign_editor, reviewer, fresh):
    theirs = _notify(fresh, world, world.foreign_editor, 2)
    mine = _notify(fresh, world, world.editor, 1)
    assert [i["id"] for i in editor.get("/notifications").get_json()["items"]] == mine
    assert reviewer.get("/notifications").get_json()["total"] == 0
    response = editor.post(f"/notifications/{theirs[0]}/read")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    editor.post("/notifications/read-all")
    with fresh(commit=False) as s:
        assert s.scalars(select(Notification.read_at).where(
            Notification.id.in_(theirs))).all() == [None, None]
    assert foreign_editor.get("/notifications").get_json()["unread"] == 2


def test_bad_query_values_are_refused_in_russian(editor):
    for query, field in (({"unread": "maybe"}, "unread"), ({"page": "0"}, "page"),
                         ({"per_page": "1000"}, "per_page"), ({"page": "x"}, "page")):
        response = editor.get("/notifications", query=query)
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["field"] == field and "Параметр" in error["message"]
    assert editor.post("/notifications/2147483648/read").status_code == 404


def test_preferences_read_and_changed(world, editor, fresh):
    with fresh() as s:
        s.get(User, world.editor.id).email = "editor@example.ru"
    current = editor.get("/notifications/preferences").get_json()
    assert current["mail_preference"] == "immediate" and current["email"] == "editor@example.ru"
    assert current["label"] == notifications.PREFERENCE_LABELS["immediate"]
    changed = editor.put("/notifications/preferences", json={"mail_preference": "digest"})
    assert changed.status_code == 200 and changed.get_json()["mail_preference"] == "digest"
    assert editor.get("/notifications/preferences").get_json()["mail_preference"] == "digest"
    # The preference takes effect: a new notification waits for the digest, no mail at once.
    (nid,) = _notify(fresh, world, world.editor, 1)
    with fresh(commit=False) as s:
        assert s.get(Notification, nid).mail_pending is True
        assert s.scalar(select(MailOutbox.id).where(
            MailOutbox.idempotency_key == f"notification:{nid}")) is None
    for body, code in (({"mail_preference": "weekly"}, "invalid_value"),
                       ({"mail_preference": 1}, "invalid_type"), ({}, "missing_field"),
                       ({"mail_preference": "off", "x": 1}, "unknown_field")):
        response = editor.put("/notifications/preferences", json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] == code
    assert editor.get("/notifications/preferences").get_json()["mail_preference"] == "digest"


def test_anonymous_callers_get_401(anonymous):
    for method, path in (("GET", "/notifications"), ("POST", "/notifications/1/read"),
                         ("POST", "/notifications/read-all"),
                         ("GET", "/notifications/preferences")):
        assert anonymous.request(method, path).status_code == 401
