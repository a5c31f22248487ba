"""CSRF protection is on in the application as it is deployed: the app is built with the
production defaults (no test_config at all; the database comes from DATABASE_URL, as in
production), and a POST without a token is refused on the login form and on a form screen,
changing nothing. Every other test builds its app with WTF_CSRF_ENABLED=False, so switching
CSRF off by default would have gone unnoticed."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import FakeClock, sign_in
from tests.factories import PASSWORD, build_world
from web import create_app
from workflow.models import Municipality, SecurityEvent

REFUSED = "Форма устарела или отправлена повторно"


def _token(client, url: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(url).get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def test_a_post_without_a_token_is_refused_with_production_defaults(
        db_url, engine, session_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    app = create_app()
    assert not app.testing and app.config.get("WTF_CSRF_ENABLED", True) is not False
    with session_factory() as s:
        build_world(s, FakeClock())
        s.commit()
        municipalities = s.scalar(select(func.count(Municipality.id)))
    client = app.test_client()

    # The login form: refused without its token, and no session begins.
    refused = client.post("/login", data={"login": "admin", "password": PASSWORD})
    assert refused.status_code == 400
    assert REFUSED in refused.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # still signed out

    # With the token the same sign-in works (then the second step, with its own token).
    sign_in(client, "admin")
    assert client.get("/admin/").status_code == 200

    # A form screen: refused without the token, nothing created, the refusal logged.
    form = {"code": "csrf-test", "name": "Подделанный округ"}
    refused = client.post("/admin/municipalities/new", data=form)
    assert refused.status_code == 400
    assert REFUSED in refused.get_data(as_text=True)
    with session_factory() as s:
        assert s.scalar(select(func.count(Municipality.id))) == municipalities
        assert s.scalar(select(func.count(SecurityEvent.id)).where(
            SecurityEvent.detail.like("%/admin/municipalities/new%csrf%"))) == 1

    # And accepted with it: the refusal was the token's, not the form's.
    form["csrf_token"] = _token(client, "/admin/municipalities/new")
    assert client.post("/admin/municipalities/new", data=form).status_code == 302
    with session_factory() as s:
        assert s.scalar(select(func.count(Municipality.id))) == municipalities + 1
    app.extensions["engine"].dispose()
