"""Bearer tokens: issue, use, expire, revoke; sign-in throttling over the API."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from tests.factories import PASSWORD
from workflow import api_tokens, users
from workflow.models import ApiToken, SecurityEvent, User


def test_a_valid_login_gets_a_12_hour_token(anonymous, world, clock, fresh):
    response = anonymous.post("/auth/token", json={"login": "editor", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["login"] == "editor"
    assert body["user"]["municipality"]["code"] == "artem"
    assert body["expires_at"] == (clock() + timedelta(hours=12)).isoformat()
    assert response.headers["Cache-Control"] == "no-store"
    with fresh() as s:
        stored = s.scalars(select(ApiToken)).all()
    # Only the hash is stored, never the token itself.
    assert [t.token_sha256 for t in stored] == [hashlib.sha256(body["token"].encode()).hexdigest()]
    me = anonymous.get("/auth/me", token=body["token"])
    assert me.status_code == 200
    assert me.get_json()["user"]["id"] == world.editor.id


def test_wrong_password_is_401_and_is_logged(anonymous, fresh):
    response = anonymous.post("/auth/token", json={"login": "editor", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"
    with fresh() as s:
        actions = s.scalars(select(SecurityEvent.action)).all()
    assert actions == ["auth.login.failed"]


def test_repeated_failures_are_throttled_with_429(anonymous):
    for _ in range(5):
        assert anonymous.post("/auth/token", json={"login": "editor", "password": "nope-nope"}).status_code == 401
    response = anonymous.post("/auth/token", json={"login": "editor", "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_attempts"


def test_token_request_body_is_validated(anonymous):
    response = anonymous.post("/auth/token", json={"login": "editor"})
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "missing_field", "message": "Не заполнено обязательное поле «password»",
        "field": "password"}
    response = anonymous.post("/auth/token", json={"login": 5, "password": PASSWORD})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_type"


def test_requests_without_a_token_are_401_with_a_bearer_challenge(anonymous):
    response = anonymous.get("/programmes")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401(anonymous):
    for token in ("pa_not-a-real-token", "garbage", "x" * 5000):
        response = anonymous.get("/programmes", token=token)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_token"


def test_a_token_expires_after_12_hours(editor, clock):
    assert editor.get("/programmes").status_code == 200
    clock.tick(12 * 60 - 1)
    assert editor.get("/programmes").status_code == 200
    clock.tick(1)
    assert editor.get("/programmes").status_code == 401


def test_deleting_the_token_revokes_it(editor, fresh):
    assert editor.delete("/auth/token").status_code == 204
    assert editor.get("/programmes").status_code == 401
    with fresh() as s:
        assert s.scalars(select(ApiToken)).all() == []


def test_deactivation_revokes_the_users_tokens(editor, world, fresh):
    with fresh() as s:
        users.set_active(s, s.get(User, world.editor.id), False, s.get(User, world.admin.id))
    assert editor.get("/programmes").status_code == 401


def test_a_password_reset_revokes_the_users_tokens(editor, world, fresh):
    with fresh() as s:
        users.set_password(s, s.get(User, world.editor.id), "another-long-secret-42",
                           s.get(User, world.admin.id))
    assert editor.get("/programmes").status_code == 401


def test_verify_token_refuses_expired_and_foreign_epoch_tokens(fresh, world, clock):
    with fresh() as s:
        user = s.get(User, world.reviewer.id)
        issued = api_tokens.issue_token(s, user, now=clock())
        assert api_tokens.verify_token(s, issued.token, now=clock()) == user
        assert api_tokens.verify_token(s, issued.token, now=issued.expires_at) is None
        user.session_epoch += 1
        assert api_tokens.verify_token(s, issued.token, now=clock()) is None
        assert api_tokens.revoke_token(s, issued.token) is True
        assert api_tokens.revoke_token(s, issued.token) is False
