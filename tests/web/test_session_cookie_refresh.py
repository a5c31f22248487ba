"""The sliding session cookie is signed and sent again at most once a minute while nothing in
it changes (web/extensions.SessionInterface); a change is sent at once, and a stale or forged
cookie still signs nobody in."""

from __future__ import annotations

from tests.web.conftest import sign_in
from web import extensions


def _session_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_an_unchanged_cookie_is_sent_again_only_after_a_minute(client, world, monkeypatch):

    sign_in(client, "editor")
    first = client.get("/")  # its forms add a CSRF token to the session: sent
    assert first.status_code == 200 and _session_cookies(first)
    page = client.get("/")
    assert page.status_code == 200
    assert _session_cookies(page) == []  # unchanged, and signed a moment ago
    monkeypatch.setattr(extensions, "COOKIE_REFRESH_EVERY_S", 0)
    refreshed = client.get("/")
    assert refreshed.status_code == 200
    (cookie,) = _session_cookies(refreshed)
    assert "expires=" in cookie.lower()  # it slides: a new expiry
    assert client.get("/").status_code == 200  # the new cookie signs in as the old one did


def test_a_changed_session_is_sent_at_once(client, world):
    sign_in(client, "editor")
    switched = client.post("/lang/en", data={"next": "/"})
    assert switched.status_code == 302
    assert _session_cookies(switched)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_forged_cookie_is_an_empty_session(client, world):
    sign_in(client, "editor")
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"),
                      domain="localhost")
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
