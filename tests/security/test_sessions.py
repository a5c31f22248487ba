"""Sessions and sign-in (OWASP ASVS level 2, chapters 2 and 3): cookie flags, a new session
on sign-in, server-side end of sessions on sign-out, deactivation and password reset, idle and
absolute lifetime, throttling per account and per address, password policy, and no open
redirect through `next`."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

from tests.factories import PASSWORD
from tests.security.conftest import api_token, sign_in
from workflow.errors import InvalidInput
from workflow.models import User
from workflow.users import check_password_policy


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def is_signed_in(client) -> bool:
    response = client.get("/programmes/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


# ---------------------------------------------------------------- cookie flags


def test_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http(client, world, sqlite_only):
    """Cookie attributes do not depend on the database: SQLite only."""
    cookie = session_cookie(sign_in(client, "editor"))
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "secure" not in attributes  # plain HTTP in development: a Secure cookie would be lost


def test_session_cookie_is_secure_when_configured(client, world, sqlite_only, configure):
    configure(SESSION_COOKIE_SECURE=True)
    response = sign_in(client, "editor")
    assert "; secure" in session_cookie(response).lower()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_secure_when_served_over_https(app, world, sqlite_only):
    client = app.test_client()
    response = client.post("https://localhost/login",
                           data={"login": "editor", "password": PASSWORD})
    assert response.status_code == 302
    assert "; secure" in session_cookie(response).lower()
    assert "Strict-Transport-Security" in response.headers


# ---------------------------------------------------------------- fixation


def test_sign_in_starts_a_new_session(client, world, sqlite_only):
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["lang"] = "en"
    before = client.get_cookie("session").value
    sign_in(client, "editor")
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["lang"] == "en"  # the language choice is not a secret and survives
        assert s["_user_id"].startswith(f"{world.editor.id}:")


def test_a_forged_user_id_in_an_unsigned_cookie_is_ignored(app, world, sqlite_only):
    client = app.test_client()
    client.set_cookie("session", '{"_user_id": "1:0"}', domain="localhost")
    assert not is_signed_in(client)


# ---------------------------------------------------------------- ending sessions


def _copy_session(source, app):
    thief = app.test_client()
    thief.set_cookie("session", source.get_cookie("session").value, domain="localhost")
    return thief


def test_sign_out_ends_the_session_on_the_server_side(app, client, world):
    sign_in(client, "editor")
    thief = _copy_session(client, app)
    assert is_signed_in(thief)
    client.post("/logout")
    assert not is_signed_in(client)
    assert not is_signed_in(thief), "a copy of the old cookie still works after sign-out"


def test_deactivating_a_user_ends_their_session_and_api_tokens(app, client, world, fresh):
    sign_in(client, "editor")
    token = api_token(app.test_client(), "editor")
    auth = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/auth/me", headers=auth).status_code == 200
    admin = app.test_client()
    sign_in(admin, "admin")
    response = admin.post(f"/admin/users/{world.editor.id}/active", data={"active": "0"})
    assert response.status_code == 302
    with fresh(commit=False) as s:
        assert s.get(User, world.editor.id).active is False
    assert not is_signed_in(client)
    assert app.test_client().get("/api/v1/auth/me", headers=auth).status_code == 401
    # And the account cannot sign in again until reactivated.
    response = sign_in(app.test_client(), "editor", expect=200)
    assert "Неверный логин или пароль" in response.get_data(as_text=True)


def test_password_reset_by_admin_ends_existing_sessions(app, client, world):
    sign_in(client, "editor")
    admin = app.test_client()
    sign_in(admin, "admin")
    response = admin.post(f"/admin/users/{world.editor.id}/password",
                          data={"password": "Ледокол-Красин-1917"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert not is_signed_in(client)
    sign_in(client, "editor", "Ледокол-Красин-1917")
    assert is_signed_in(client)


# ---------------------------------------------------------------- lifetimes


@pytest.fixture
def cookie_time(monkeypatch):
    """Moves the clock the signed session cookie is stamped and checked with."""
    offset = {"seconds": 0}
    real = TimestampSigner.get_timestamp

    def shifted(self):
        return real(self) + offset["seconds"]

    monkeypatch.setattr(TimestampSigner, "get_timestamp", shifted)

    def advance(minutes: float):
        offset["seconds"] += int(minutes * 60)

    return advance


def test_idle_session_expires(app, client, world, sqlite_only, cookie_time):
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    assert idle <= timedelta(minutes=30)
    minutes = idle.total_seconds() / 60
    sign_in(client, "editor")
    cookie_time(minutes - 1)
    assert is_signed_in(client)  # activity renews the idle deadline
    cookie_time(minutes - 1)
    assert is_signed_in(client)
    cookie_time(minutes + 1)
    assert not is_signed_in(client)


def test_absolute_session_lifetime_ends_even_an_active_session(app, client, world, clock):
    limit = app.config["SESSION_ABSOLUTE_LIFETIME"]
    assert limit <= timedelta(hours=12)
    sign_in(client, "editor")
    token = api_token(app.test_client(), "editor")
    steps = int(limit.total_seconds() // 3600)
    for _ in range(steps - 1):
        clock.tick(60)
        assert is_signed_in(client)
    clock.tick(61)
    assert not is_signed_in(client)
    response = app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    sign_in(client, "editor")  # a fresh sign-in starts a fresh lifetime
    assert is_signed_in(client)


# ---------------------------------------------------------------- throttling


def test_failed_sign_ins_are_throttled_per_account_and_address(app, world, configure, clock):
    """Failures count per account AND address: the attacker's address waits, the owner
    signing in from elsewhere does not (tests/security/test_signin_throttle.py has more)."""
    configure(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_WINDOW=timedelta(minutes=15))
    for _ in range(3):
        response = sign_in(app.test_client(), "editor", "wrong-password", address="10.0.0.1",
                           expect=200)
        assert "Неверный логин или пароль" in response.get_data(as_text=True)
    response = sign_in(app.test_client(), "editor", address="10.0.0.1", expect=429)
    assert "Слишком много неудачных попыток входа" in response.get_data(as_text=True)
    api = app.test_client().post("/api/v1/auth/token", json={"login": "editor", "password": PASSWORD},
                                 environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert api.status_code == 429
    assert "Слишком много" in api.get_json()["error"]["message"]
    # The right password from another address, and another account, are not affected.
    client = app.test_client()
    sign_in(client, "editor", address="10.0.1.1")
    assert is_signed_in(client)
    sign_in(app.test_client(), "reviewer", address="10.0.0.1")
    clock.tick(16)
    sign_in(app.test_client(), "editor", address="10.0.0.1")


def test_failed_sign_ins_are_throttled_per_address(app, world, configure, clock):
    configure(LOGIN_THROTTLE_ATTEMPTS=2, LOGIN_THROTTLE_WINDOW=timedelta(minutes=15))
    # An address may host many honest users: it gets four times the per-account allowance.
    for n in range(8):
        sign_in(app.test_client(), f"nobody{n}", "wrong-password", address="10.9.9.9", expect=200)
    response = sign_in(app.test_client(), "editor", address="10.9.9.9", expect=429)
    assert "Повторите через 1 минуту" in response.get_data(as_text=True)
    sign_in(app.test_client(), "editor", address="10.9.9.10")
    clock.tick(2)
    sign_in(app.test_client(), "signatory", address="10.9.9.9")


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize(("password", "login", "message"), [
    ("Short-1", "ivanov", "не короче 10"),
    ("qwerty123", "ivanov", "не короче"),
    ("password123", "ivanov", "распространён"),
    ("Password123!", "ivanov", "распространён"),
    ("1q2w3e4r5t", "ivanov", "распространён"),
    ("йцукен123456", "ivanov", "распространён"),
    ("ivanov-2026-pass", "ivanov", "логин"),
    ("aaaaabbbbbaaaaa", "ivanov", "простой"),
])
def test_password_policy_refuses_weak_passwords(password, login, message):
    """Pure function: no database, no backend parameter."""
    with pytest.raises(InvalidInput) as refused:
        check_password_policy(password, login)
    assert message in refused.value.message
    assert refused.value.field == "password"


def test_password_policy_accepts_a_long_uncommon_passphrase():
    check_password_policy("Ледокол-Красин-1917", "ivanov")


def test_admin_screen_refuses_a_weak_password(client, world, fresh):
    sign_in(client, "admin")
    response = client.post("/admin/users/new", data={
        "login": "weakling", "full_name": "Слабый Пароль", "role": "reviewer",
        "municipality": "", "password": "password123"})
    assert response.status_code == 400
    assert "распространён" in response.get_data(as_text=True)
    with fresh(commit=False) as s:
        assert s.query(User).filter_by(login="weakling").count() == 0


# ---------------------------------------------------------------- open redirect


HOSTILE_NEXT = [
    "//evil.example", "https://evil.example", "http://evil.example/login", "/\\evil.example",
    "\\\\evil.example", "javascript:alert(1)", "///evil.example", "/\t/evil.example",
    "/\n/evil.example", " //evil.example", "https:evil.example", "//evil.example@localhost",
    "data:text/html,<script>alert(1)</script>",
]


def _lands_home(response) -> None:
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert parts.scheme in ("", "http"), location
    assert parts.path == "/", location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leads_off_site(app, world, sqlite_only, target):
    client = app.test_client()
    response = client.post("/login", query_string={"next": target},
                           data={"login": "editor", "password": PASSWORD})
    _lands_home(response)
    _lands_home(client.post("/lang/ru", data={"next": target}))


def test_a_same_site_next_is_followed(client, world, sqlite_only):
    response = client.post("/login", query_string={"next": "/programmes/?state=draft"},
                           data={"login": "editor", "password": PASSWORD})
    assert response.headers["Location"] == "/programmes/?state=draft"
