"""Every route of the screens x every role: the expected status, and never another
municipality's data in what is shown."""

from __future__ import annotations

import pytest

from tests.factories import new_programme
from tests.web.conftest import sign_in
from workflow import files, programme_drafting
from workflow.storage import FileSystemBlobStore

OWN_TITLE = "Программа Артёмовского округа"
FOREIGN_TITLE = "Программа Хасанского округа"

ROLES = ("editor", "foreign_editor", "reviewer", "signatory", "admin", "anonymous")

# (method, url template, {role: expected status}, form data). `*` is every signed-in role.
ANON = {"anonymous": 302}
ROUTES = [
    ("GET", "/", {"editor": 200, "foreign_editor": 200, "reviewer": 302, "signatory": 200,
                  "admin": 302}),
    ("GET", "/programmes/", {"*": 200}),
    ("GET", "/programmes/new?campaign={campaign}",
     {"editor": 200, "foreign_editor": 200, "*": 403}),
    ("GET", "/programmes/new?campaign=999999", {"editor": 404, "foreign_editor": 404, "*": 403}),
    ("GET", "/programmes/{own}", {"foreign_editor": 404, "*": 200}),
    ("GET", "/programmes/{own}?rev=1", {"foreign_editor": 404, "*": 200}),
    ("GET", "/programmes/999999", {"*": 404}),
    ("GET", "/programmes/{own}/edit", {"editor": 200, "foreign_editor": 404, "*": 403}),
    ("GET", "/programmes/{own}/attachment", {"foreign_editor": 404, "*": 200}),
    ("GET", "/review/", {"editor": 403, "foreign_editor": 403, "*": 200}),
    ("GET", "/review/?tab=overdue&state=draft", {"editor": 403, "foreign_editor": 403, "*": 200}),
    ("GET", "/admin/", {"admin": 200, "*": 403}),
    ("GET", "/admin/users", {"admin": 200, "*": 403}),
    ("GET", "/admin/users/new", {"admin": 200, "*": 403}),
    ("GET", "/admin/users/{editor_id}", {"admin": 200, "*": 403}),
    ("GET", "/admin/municipalities", {"admin": 200, "*": 403}),
    ("GET", "/admin/municipalities/new", {"admin": 200, "*": 403}),
    ("GET", "/admin/municipalities/{own_municipality}", {"admin": 200, "*": 403}),
    ("GET", "/admin/campaigns", {"admin": 200, "*": 403}),
    ("GET", "/admin/campaigns/new", {"admin": 200, "*": 403}),
    ("POST", "/programmes/{own}/edit",
     {"editor": 302, "foreign_editor": 404, "*": 403},
     {"version": "{version}", "title": "Новое название", "period_from": "2026",
      "period_to": "2027"}),
    ("POST", "/programmes/new?campaign={campaign}",
     {"editor": 302, "foreign_editor": 302, "*": 403},
     {"version": "0", "title": "Ещё одна программа", "period_from": "2026", "period_to": "2027"}),
    ("POST", "/programmes/{own}/actions/submit",
     {"editor": 302, "foreign_editor": 404, "*": 403}, {"version": "{version}"}),
    ("POST", "/programmes/{own}/actions/withdraw",
     {"editor": 302, "foreign_editor": 404, "*": 403},
     {"version": "{version}", "reason": "Передумали"}),
    ("POST", "/programmes/{own}/actions/start_review",
     {"reviewer": 409, "foreign_editor": 404, "*": 403}, {"version": "{version}"}),
    ("POST", "/programmes/{own}/actions/bogus", {"*": 404}, {"version": "{version}"}),
    ("POST", "/programmes/{own}/remarks",
     {"foreign_editor": 404, "reviewer": 409, "*": 403},
     {"requirement_id": "{requirement}", "visibility": "external", "body": "Замечание"}),
    ("POST", "/programmes/{own}/assessments/{requirement}",
     {"foreign_editor": 404, "reviewer": 409, "*": 403}, {"verdict": "met"}),
    ("POST", "/admin/users/new", {"admin": 302, "*": 403},
     {"login": "new-user", "full_name": "Новый Пользователь", "role": "reviewer",
      "municipality": "", "password": "Fresh-Password-2026"}),
    ("POST", "/admin/users/{editor_id}/active", {"admin": 302, "*": 403}, {"active": "0"}),
    ("POST", "/admin/municipalities/new", {"admin": 302, "*": 403},
     {"code": "partizansk", "name": "Партизанский городской округ"}),
    ("POST", "/admin/campaigns/new", {"admin": 302, "*": 403},
     {"title": "Кампания", "deadline": "2026-09-01", "requirements": "Первое\nВторое"}),
]


def expected(table: dict, role: str) -> int:
    if role == "anonymous":
        return 302
    return table.get(role, table.get("*"))


@pytest.fixture
def data(world, app):
    w = world
    own = new_programme(w, title=OWN_TITLE)
    files.add_files(w.session, own, w.editor,
                    [files.NewFile("Программа.pdf", "application/pdf", b"%PDF-1.4 test")],
                    store=FileSystemBlobStore(app.config["UPLOAD_DIR"]), now=w.clock.tick())
    foreign = programme_drafting.create_programme(
        w.session, w.campaign, w.foreign_editor,
        programme_drafting.DraftFields(title=FOREIGN_TITLE, period_from=2026, period_to=2027),
        now=w.clock.tick(),
    )
    w.session.commit()
    return {
        "own": own.id, "foreign": foreign.id, "campaign": w.campaign.id,
        "version": own.version, "editor_id": w.editor.id, "own_municipality": w.own.id,
        "requirement": w.campaign.requirements[0].id,
    }


CASES = [
    pytest.param(route, role, id=f"{route[0]} {route[1]} as {role}")
    for route in ROUTES
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_route_answers_each_role_as_expected(client, world, data, route, role):
    method, url, table, *rest = route
    form = {k: v.format(**data) for k, v in (rest[0] if rest else {}).items()}
    logins = {"editor": "editor", "foreign_editor": "foreign-editor", "reviewer": "reviewer",
              "signatory": "signatory", "admin": "admin"}
    if role != "anonymous":
        sign_in(client, logins[role])
    url = url.format(**data)
    response = client.get(url) if method == "GET" else client.post(url, data=form)
    assert response.status_code == expected(table, role), response.get_data(as_text=True)[:800]
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if role == "editor":
        assert FOREIGN_TITLE not in body
    if role == "foreign_editor":
        assert OWN_TITLE not in body


@pytest.mark.parametrize("url", ["/", "/programmes/", "/programmes/?state=draft"])
def test_editor_lists_and_counts_show_only_own_municipality(client, world, data, url):
    sign_in(client, "editor")
    body = client.get(url).get_data(as_text=True)
    assert OWN_TITLE in body
    assert FOREIGN_TITLE not in body
    assert "Хасанский" not in body
    if url.startswith("/programmes/"):
        assert "Найдено: 1 программа" in body


def test_ministry_sees_every_municipality(client, world, data):
    sign_in(client, "reviewer")
    body = client.get("/review/?tab=all").get_data(as_text=True)
    assert OWN_TITLE in body and FOREIGN_TITLE in body
    assert "Найдено: 2 программы" in body


def test_foreign_editor_cannot_download_or_act(client, world, data):
    sign_in(client, "foreign-editor")
    assert client.get(f"/programmes/{data['own']}/attachment").status_code == 404
    response = client.post(f"/programmes/{data['own']}/remarks/1/comment", data={"body": "x"})
    assert response.status_code == 404
