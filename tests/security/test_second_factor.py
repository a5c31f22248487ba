"""The second factor (TOTP) on the screens and the API, recovery codes, the enrolment rule
for signatories and administrators, the administrator's reset, and "Мои сеансы" (sessions a
user sees and ends, server-side at once). OWASP ASVS level 2, chapters 2.8 and 3."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import totp_code
from tests.factories import PASSWORD, SIGNING_PIN, TOTP_SECRET
from tests.security.conftest import api_token, sign_in
from workflow import letter_registration, second_factor
from workflow.models import (
    ApiToken,
    Letter,
    LoginAttempt,
    RecoveryCode,
    SecondFactor,
    SecurityEvent,
    User,
    UserSession,
)
from workflow.second_factor import code_at_step, step_at
from workflow.states import LetterState, Role
from workflow.users import create_user


def is_signed_in(client) -> bool:
    response = client.get("/programmes/")
    if response.status_code == 302:
        return False
    assert response.status_code == 200
    return True


def password_step(client, login: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    response = client.post("/login", data={"login": login, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return response


def code_step(client, code: str, address: str = "127.0.0.1"):
    return client.post("/login/code", data={"code": code}, environ_base={"REMOTE_ADDR": address})


def failures(fresh, login: str) -> int:
    with fresh(commit=False) as s:
        return s.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.login == login, LoginAttempt.success.is_(False)))


def last_step(fresh, user_id: int) -> int | None:
    with fresh(commit=False) as s:
        return s.get(SecondFactor, user_id).last_step


def events(fresh, action: str) -> list[tuple[int | None, str]]:
    """(user id, detail) of the security log's entries of `action`."""
    with fresh(commit=False) as s:
        return [(e.user_id, e.detail) for e in s.scalars(
            select(SecurityEvent).where(SecurityEvent.action == action))]


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- sign-in with a code


def test_signatory_signs_in_with_password_then_the_code(app, client, world, fresh, clock):
    response = password_step(client, "signatory")
    assert response.headers["Location"] == "/login/code"
    # Between the password and the code nobody is signed in.
    assert not is_signed_in(client)
    assert "Код подтверждения" in text(client.get("/login/code"))
    response = code_step(client, code_at_step(TOTP_SECRET, step_at(clock())))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert is_signed_in(client)
    with fresh(commit=False) as s:
        record = s.scalars(select(UserSession).where(UserSession.user_id == world.signatory.id)).one()
        assert record.method == "totp" and record.ended_at is None
    assert last_step(fresh, world.signatory.id) == step_at(clock())


def test_the_code_step_keeps_the_next_address(app, client, world, clock):
    client.post("/login?next=/programmes/", data={"login": "signatory", "password": PASSWORD})
    response = code_step(client, code_at_step(TOTP_SECRET, step_at(clock())))
    assert response.headers["Location"] == "/programmes/"


@pytest.mark.parametrize(("code", "why"), [
    ("000000", "wrong"), ("12345", "too short"), ("abcdef", "not digits"),
    ("expired", "two steps old"), ("future", "two steps ahead"),
])
def test_a_wrong_or_expired_code_is_refused_counted_and_changes_nothing(
        app, client, world, fresh, clock, code, why):
    step = step_at(clock())
    code = {"expired": code_at_step(TOTP_SECRET, step - 2),
            "future": code_at_step(TOTP_SECRET, step + 2)}.get(code, code)
    if code == code_at_step(TOTP_SECRET, step):
        pytest.skip(f"the fixed code {code} happens to be the current one")
    before = failures(fresh, "signatory")
    password_step(client, "signatory")
    response = code_step(client, code)
    assert response.status_code == 400, why
    assert "Неверный или устаревший код" in text(response)
    assert not is_signed_in(client)
    assert failures(fresh, "signatory") == before + 1
    assert last_step(fresh, world.signatory.id) is None
    assert events(fresh, "auth.2fa.failed")
    with fresh(commit=False) as s:
        assert s.scalar(select(func.count(UserSession.id))) == 0


def test_a_code_cannot_be_used_twice_within_its_window(app, world, fresh, clock):
    code = code_at_step(TOTP_SECRET, step_at(clock()))
    first = app.test_client()
    password_step(first, "signatory")
    assert code_step(first, code).status_code == 302
    # Someone who saw the code (over a shoulder, a phishing page) and knows the password.
    second = app.test_client()
    password_step(second, "signatory", address="10.1.1.1")
    before = failures(fresh, "signatory")
    response = code_step(second, code, address="10.1.1.1")
    assert response.status_code == 400
    assert "Этот код уже использован" in text(response)
    assert not is_signed_in(second)
    assert failures(fresh, "signatory") == before + 1
    assert events(fresh, "auth.2fa.replayed")
    # An older code (the previous step) is refused too: codes only go forward.
    third = app.test_client()
    password_step(third, "signatory")
    assert code_step(third, code_at_step(TOTP_SECRET, step_at(clock()) - 1)).status_code == 400
    # The next step's code is good.
    assert code_step(third, code_at_step(TOTP_SECRET, step_at(clock()) + 1)).status_code == 302


def test_wrong_codes_are_throttled_like_passwords(app, world, fresh, configure, clock):
    configure(LOGIN_THROTTLE_ATTEMPTS=3, LOGIN_THROTTLE_WINDOW=timedelta(minutes=15))
    client = app.test_client()
    password_step(client, "signatory", address="10.0.0.1")
    for _ in range(3):
        assert code_step(client, "000000", address="10.0.0.1").status_code == 400
    # Now even the right code is refused, and the code is not spent.
    good = code_at_step(TOTP_SECRET, step_at(clock()))
    response = code_step(client, good, address="10.0.0.1")
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in text(response)
    assert not is_signed_in(client)
    assert last_step(fresh, world.signatory.id) is None
    # And the password step of the same account is throttled as well: one count.
    response = sign_in(app.test_client(), "signatory", address="10.0.0.1", expect=429)
    clock.tick(16)
    sign_in(app.test_client(), "signatory", address="10.0.0.1")


def test_the_code_step_expires(app, client, world, clock):
    password_step(client, "signatory")
    clock.tick(6)
    response = code_step(client, code_at_step(TOTP_SECRET, step_at(clock())))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not is_signed_in(client)


def test_the_code_step_without_a_password_step_leads_to_sign_in(client, world):
    response = code_step(client, code_at_step(TOTP_SECRET, 1))
    assert response.status_code == 302 and response.headers["Location"] == "/login"


# ---------------------------------------------------------------- recovery codes


@pytest.fixture
def editor_codes(world, fresh, clock) -> list[str]:
    """The editor (for whom the second factor is optional) enrols; their recovery codes."""
    with fresh() as s:
        return second_factor.enrol_with_secret(s, s.get(User, world.editor.id), TOTP_SECRET,
                                               now=clock())


def test_recovery_codes_are_ten_single_use_and_stored_hashed(app, world, fresh, editor_codes):
    assert len(editor_codes) == 10 and len(set(editor_codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in editor_codes)
    with fresh(commit=False) as s:
        stored = [r.code_sha256 for r in s.scalars(select(RecoveryCode).where(
            RecoveryCode.user_id == world.editor.id))]
    assert len(stored) == 10 and not set(stored) & set(editor_codes)
    first = app.test_client()
    password_step(first, "editor")
    response = code_step(first, editor_codes[0].upper().replace("-", " "))  # as typed off paper
    assert response.status_code == 302
    assert "осталось кодов: 9" in text(first.get("/"))
    assert is_signed_in(first)
    # The same recovery code again: refused, counted, nothing changed.
    second = app.test_client()
    password_step(second, "editor")
    before = failures(fresh, "editor")
    response = code_step(second, editor_codes[0])
    assert response.status_code == 400
    assert "Этот код восстановления уже использован" in text(response)
    assert not is_signed_in(second)
    assert failures(fresh, "editor") == before + 1
    with fresh(commit=False) as s:
        assert second_factor.recovery_codes_left(s, s.get(User, world.editor.id)) == 9


def test_new_recovery_codes_replace_the_old_ones(app, client, world, fresh, clock, editor_codes):
    sign_in(client, "editor")
    response = client.post("/account/second-factor/recovery-codes",
                           data={"code": totp_code(app, "editor")})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    fresh_codes = re.findall(r"<code>([a-z2-9-]{14})</code>", text(response))
    assert len(fresh_codes) == 10 and not set(fresh_codes) & set(editor_codes)
    other = app.test_client()
    password_step(other, "editor")
    assert code_step(other, editor_codes[1]).status_code == 400
    assert code_step(other, fresh_codes[0]).status_code == 302


# ---------------------------------------------------------------- enrolment


@pytest.fixture
def new_signatory(world, fresh, clock) -> int:
    """A signatory just created by the administrator: no second factor yet."""
    with fresh() as s:
        return create_user(s, login="acting", full_name="Петров Пётр Петрович",
                           role=Role.SIGNATORY, password=PASSWORD, now=clock(),
                           enforce_policy=False).id


def test_an_unenrolled_signatory_can_only_enrol_then_works(app, client, world, fresh, clock,
                                                          new_signatory):
    response = sign_in(client, "acting")
    assert response.headers["Location"] == "/account/second-factor"
    # Every other page leads to the enrolment, with the reason in Russian ...
    response = client.get("/programmes/")
    assert response.status_code == 302 and response.headers["Location"] == "/account/second-factor"
    page = text(client.get("/account/second-factor"))
    assert "Для роли «Подписант» обязателен второй фактор" in page
    # ... and anything else is refused with it.
    response = client.post("/account/sessions/end-others")
    assert response.status_code == 403
    assert "обязателен второй фактор" in text(response)
    # Enrolment: a secret and its QR, confirmed by a first code.
    assert client.post("/account/second-factor/start").status_code == 302
    page = text(client.get("/account/second-factor"))
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert 'src="data:image/svg+xml' in page
    with fresh(commit=False) as s:
        factor = s.get(SecondFactor, new_signatory)
        assert factor.secret == secret and factor.confirmed_at is None
    # A wrong first code: refused, counted, not enrolled.
    before = failures(fresh, "acting")
    response = client.post("/account/second-factor/confirm", data={"code": "000000"},
                           follow_redirects=True)
    assert "Неверный или устаревший код" in text(response)
    assert failures(fresh, "acting") == before + 1
    with fresh(commit=False) as s:
        assert s.get(SecondFactor, new_signatory).confirmed_at is None
    assert client.get("/programmes/").status_code == 302
    # The right one: enrolled, ten recovery codes shown once.
    response = client.post("/account/second-factor/confirm",
                           data={"code": code_at_step(secret, step_at(clock()))})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r"<code>[a-z2-9-]{14}</code>", text(response))) == 10
    assert client.get("/programmes/").status_code == 200
    assert events(fresh, "auth.2fa.enrolled")
    # From now on the sign-in asks for the code.
    client.post("/logout")
    assert password_step(client, "acting").headers["Location"] == "/login/code"


def test_an_unenrolled_signatory_cannot_sign_on_screen_api_or_in_the_domain(
        app, client, world, fresh, clock, new_signatory):
    from tests.factories import programme_in
    from workflow.states import ProgrammeState

    programme_in(world, ProgrammeState.DECISION_PENDING)  # its approval letter awaits signing
    world.session.commit()
    with fresh(commit=False) as s:
        letter_id = s.scalars(select(Letter.id)).one()
    sign_in(client, "acting")
    response = client.post(f"/letters/{letter_id}/sign", data={"version": "1"})
    assert response.status_code == 403
    assert "обязателен второй фактор" in text(response)
    with fresh(commit=False) as s:
        assert s.get(Letter, letter_id).state == LetterState.DRAFT
    assert events(fresh, "action.refused")
    # No API token either, and an old token is refused.
    response = app.test_client().post("/api/v1/auth/token",
                                      json={"login": "acting", "password": PASSWORD})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "second_factor_required"
    with fresh() as s:
        from workflow import api_tokens

        token = api_tokens.issue_token(s, s.get(User, new_signatory), now=clock()).token
    response = app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "обязателен второй фактор" in response.get_json()["error"]["message"]
    # The domain refuses as well, whatever the caller.
    with fresh(commit=False) as s, pytest.raises(second_factor.SecondFactorRequired):
        letter_registration.sign_letter(s, s.get(Letter, letter_id), s.get(User, new_signatory),
                                        now=clock(), pin=SIGNING_PIN, sealer=None)


def test_the_optional_second_factor_can_be_turned_off_with_a_code(app, client, world, fresh,
                                                                  editor_codes):
    sign_in(client, "editor")
    response = client.post("/account/second-factor/disable", data={"code": "000000"},
                           follow_redirects=True)
    assert "Неверный или устаревший код" in text(response)
    response = client.post("/account/second-factor/disable", data={"code": editor_codes[3]})
    assert response.status_code == 302
    with fresh(commit=False) as s:
        assert s.get(SecondFactor, world.editor.id) is None
        assert not s.scalar(select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == world.editor.id))


def test_a_signatory_cannot_turn_the_second_factor_off(app, client, world, fresh):
    sign_in(client, "signatory")
    response = client.post("/account/second-factor/disable", data={"code": totp_code(app, "signatory")})
    assert response.status_code == 403
    assert "обязателен" in text(response)
    with fresh(commit=False) as s:
        assert s.get(SecondFactor, world.signatory.id).confirmed_at is not None


# ---------------------------------------------------------------- administrator's reset


def test_admin_resets_a_second_factor_audited_and_the_user_enrols_again(app, world, fresh):
    victim = app.test_client()
    sign_in(victim, "signatory")
    admin = app.test_client()
    sign_in(admin, "admin")
    page = text(admin.get(f"/admin/users/{world.signatory.id}"))
    assert "Сбросить второй фактор" in page
    response = admin.post(f"/admin/users/{world.signatory.id}/second-factor/reset")
    assert response.status_code == 302
    with fresh(commit=False) as s:
        assert s.get(SecondFactor, world.signatory.id) is None
    [(user_id, detail)] = events(fresh, "auth.2fa.reset")
    assert user_id == world.signatory.id and "admin" in detail
    assert not is_signed_in(victim)  # the lost phone's sessions end
    response = sign_in(app.test_client(), "signatory")
    assert response.headers["Location"] == "/account/second-factor"


def test_only_an_admin_resets_a_second_factor(app, client, world, fresh):
    sign_in(client, "reviewer")
    response = client.post(f"/admin/users/{world.signatory.id}/second-factor/reset")
    assert response.status_code == 403
    with fresh(commit=False) as s:
        assert s.get(SecondFactor, world.signatory.id) is not None


# ---------------------------------------------------------------- API tokens


def test_an_api_token_for_a_user_with_a_second_factor_takes_the_code(app, world, fresh, clock):
    api = app.test_client()
    body = {"login": "signatory", "password": PASSWORD}
    response = api.post("/api/v1/auth/token", json=body)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "second_factor_required"
    before = failures(fresh, "signatory")
    response = api.post("/api/v1/auth/token", json={**body, "code": "000000"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_code"
    assert failures(fresh, "signatory") == before + 1
    code = code_at_step(TOTP_SECRET, step_at(clock()))
    response = api.post("/api/v1/auth/token", json={**body, "code": code},
                        headers={"User-Agent": "ministry-script/1.0"})
    assert response.status_code == 201
    token = response.get_json()["token"]
    response = api.post("/api/v1/auth/token", json={**body, "code": code})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "code_replayed"
    with fresh(commit=False) as s:
        assert s.scalar(select(func.count(ApiToken.id))) == 1
        assert s.scalars(select(ApiToken)).one().user_agent == "ministry-script/1.0"
    me = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


def test_api_codes_are_throttled(app, world, configure, clock):
    configure(LOGIN_THROTTLE_ATTEMPTS=2)
    api = app.test_client()
    body = {"login": "signatory", "password": PASSWORD}
    for _ in range(2):
        assert api.post("/api/v1/auth/token", json={**body, "code": "000000"}).status_code == 401
    response = api.post("/api/v1/auth/token",
                        json={**body, "code": code_at_step(TOTP_SECRET, step_at(clock()))})
    assert response.status_code == 429


def test_a_user_without_a_second_factor_gets_a_token_with_the_password(app, world):
    response = app.test_client().post("/api/v1/auth/token",
                                      json={"login": "editor", "password": PASSWORD})
    assert response.status_code == 201


# ---------------------------------------------------------------- my sessions


def sid(client) -> int:
    with client.session_transaction() as s:
        return s["sid"]


def test_my_sessions_lists_sessions_and_tokens_and_ends_one_at_once(app, world, fresh, clock):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "editor", address="10.0.0.5")
    sign_in(phone, "editor", address="10.0.0.6")
    api_token(app.test_client(), "editor")
    page = text(laptop.get("/account/sessions"))
    assert "Мои сеансы" in page and "10.0.0.5" in page and "10.0.0.6" in page
    assert "Завершить все остальные" in page and "Токены API" in page
    assert page.count('name="id"') == 3  # two sessions and one token
    response = laptop.post("/account/sessions/end", data={"id": sid(phone)})
    assert response.status_code == 302
    assert not is_signed_in(phone)  # its very next request
    assert is_signed_in(laptop)
    with fresh(commit=False) as s:
        assert s.get(UserSession, sid(laptop)).ended_at is None
    assert events(fresh, "auth.session.ended")


def test_ending_all_other_sessions_and_tokens(app, world, fresh, clock):
    here, there = app.test_client(), app.test_client()
    sign_in(here, "editor")
    sign_in(there, "editor")
    token = api_token(app.test_client(), "editor")
    response = here.post("/account/sessions/end-others", follow_redirects=True)
    assert "Завершено сеансов: 1, отозвано токенов: 1" in text(response)
    assert not is_signed_in(there)
    auth = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/auth/me", headers=auth).status_code == 401
    assert is_signed_in(here)


def test_another_users_session_cannot_be_ended(app, world, fresh):
    editor, reviewer = app.test_client(), app.test_client()
    sign_in(editor, "editor")
    sign_in(reviewer, "reviewer")
    response = editor.post("/account/sessions/end", data={"id": sid(reviewer)},
                           follow_redirects=True)
    assert "Сеанс не найден" in text(response)
    assert is_signed_in(reviewer)
    token_id = None
    api_token(app.test_client(), "reviewer")
    with fresh(commit=False) as s:
        token_id = s.scalars(select(ApiToken.id)).one()
    response = editor.post("/account/tokens/end", data={"id": token_id}, follow_redirects=True)
    assert "Токен не найден" in text(response)
    with fresh(commit=False) as s:
        assert s.get(ApiToken, token_id) is not None


def test_sign_out_ends_this_session_only(app, world):
    one, two = app.test_client(), app.test_client()
    sign_in(one, "editor")
    sign_in(two, "editor")
    thief = app.test_client()
    thief.set_cookie("session", one.get_cookie("session").value, domain="localhost")
    one.post("/logout")
    assert not is_signed_in(one)
    assert not is_signed_in(thief)
    assert is_signed_in(two)


def test_last_seen_is_refreshed_at_most_once_a_minute(app, client, world, fresh, clock):
    sign_in(client, "editor")
    started = clock()
    clock.tick(0.5)
    client.get("/programmes/")
    with fresh(commit=False) as s:
        assert s.get(UserSession, sid(client)).last_seen_at == started
    clock.tick(1)
    client.get("/programmes/")
    with fresh(commit=False) as s:
        assert s.get(UserSession, sid(client)).last_seen_at == clock()


def test_a_cookie_without_a_session_record_is_signed_out(app, client, world):
    """Cookies from before the session records (or forged without one) do not sign in."""
    sign_in(client, "editor")
    with client.session_transaction() as s:
        del s["sid"]
    assert not is_signed_in(client)
