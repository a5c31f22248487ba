"""An operable service: `/healthz`, Prometheus `/metrics` and its access rule, JSON log
lines with the request id and no secrets."""

from __future__ import annotations

import json
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tests.factories import PASSWORD, SIGNING_PIN, programme_in
from tests.web.conftest import make_app, sign_in
from web.observability import register_check
from web.observability.logs import configure_logging
from workflow import letter_registration
from workflow.errors import StaleVersion
from workflow.models import Letter, Programme, User
from workflow.states import ProgrammeState

# ---------------------------------------------------------------- /healthz


def test_healthz_is_ok_with_the_database_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    # Anonymous and repeated: no sign-in redirect, no rate limit.
    assert [client.get("/healthz").status_code for _ in range(20)] == [200] * 20


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/no-such-directory/app.db",
    # Nothing listens on port 1: the connection is refused at once.
    "postgresql://postgres@127.0.0.1:1/nowhere",
], ids=["sqlite-unopenable", "postgres-down"])
def test_healthz_is_503_naming_the_database_when_it_is_down(url, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(url.format(tmp=tmp_path), lambda: None, tmp_path)
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["engine"].dispose()
    assert response.status_code == 503
    assert response.get_json() == {"status": "fail", "database": "fail", "queue": "ok"}
    assert "Set-Cookie" not in response.headers


def test_a_registered_check_that_fails_makes_healthz_503(own_app):
    app = own_app()

    def queue_down(_app):
        raise ConnectionError("queue unreachable")

    register_check(app, "queue", queue_down)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "fail", "database": "ok", "queue": "fail"}


def test_healthz_needs_no_csrf_token_and_no_session(own_app):
    app = own_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.get_cookie("session") is None


# ---------------------------------------------------------------- /metrics


def _scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_latency_transitions_and_signed_letters(app, client, world):
    w = world
    programme = programme_in(w, ProgrammeState.DRAFT, title="Программа для метрик")
    w.session.commit()
    before = _scrape(client)

    sign_in(client, "editor")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert client.post(f"/programmes/{programme.id}/actions/submit",
                       data={"version": version}).status_code == 302
    # A stale second submit is refused and rolled back: it counts no transition.
    assert client.post(f"/programmes/{programme.id}/actions/submit",
                       data={"version": version}).status_code == 409
    client.get("/no-such-page")

    # Sign the approval letter through the app's own sessions (as the screen and the API
    # do); a signing that fails and rolls back counts nothing.
    # The approval proposed: its letter is a draft until signed.
    approved = programme_in(w, ProgrammeState.DECISION_PENDING, title="Одобренная программа")
    w.session.commit()
    factory = app.extensions["session_factory"]
    with factory() as s:
        letter = s.scalars(select(Letter).where(Letter.programme_id == approved.id)).one()
        signatory = s.get(User, w.signatory.id)
        with pytest.raises(StaleVersion):
            letter_registration.sign_letter(s, letter, signatory, now=w.clock.tick(),
                                            expected_version=letter.version + 5, pin=SIGNING_PIN,
                                            sealer=None)
        s.rollback()
        letter_registration.sign_letter(s, letter, signatory, now=w.clock.tick(), pin=SIGNING_PIN,
                                        sealer=None)
        s.commit()

    after = _scrape(client)
    delta = {key: after[key] - before.get(key, 0.0) for key in after}

    def d(name, **labels):
        return delta.get((name, tuple(sorted(labels.items()))), 0.0)

    assert d("http_requests_total", endpoint="auth.login", method="POST", status="302") == 1
    assert d("http_requests_total", endpoint="programmes.action", method="POST", status="302") == 1
    assert d("http_requests_total", endpoint="programmes.action", method="POST", status="409") == 1
    assert d("http_requests_total", endpoint="unmatched", method="GET", status="404") == 1
    assert d("http_request_duration_seconds_count", endpoint="programmes.action") == 2
    assert d("http_request_duration_seconds_sum", endpoint="programmes.action") > 0
    # The scrape before counts itself once it has answered.
    assert d("http_requests_total", endpoint="observability.metrics", method="GET",
             status="200") == 1
    # submit through the screen; submit, start_review, approve through the operations
    # (the test's own session, which the app does not watch) do not count.
    assert d("workflow_transitions_total", trigger="submit") == 1
    assert d("workflow_transitions_total", trigger="approve") == 0
    assert d("letters_signed_total") == 1
    with factory() as s:
        assert s.get(Programme, programme.id).state == ProgrammeState.SUBMITTED


def test_metrics_are_open_to_loopback_and_to_the_token_only(own_app):
    token = "metrics-token-for-tests-0123456789"
    guarded = own_app(METRICS_TOKEN=token).test_client()
    remote = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}

    refused = guarded.get("/metrics", **remote)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "http_requests_total" not in refused.get_data(as_text=True)
    assert guarded.get("/metrics", headers={"Authorization": "Bearer wrong"},
                       **remote).status_code == 401
    assert guarded.get("/metrics", headers={"Authorization": f"Basic {token}"},
                       **remote).status_code == 401
    assert guarded.get("/metrics", headers={"Authorization": f"Bearer {token}"},
                       **remote).status_code == 200
    assert guarded.get("/metrics").status_code == 200  # loopback
    assert guarded.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    # Relayed by a proxy on this host: loopback address, but from elsewhere.
    assert guarded.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 401
    assert "Set-Cookie" not in guarded.get("/metrics").headers

    open_to_host = own_app().test_client()
    assert open_to_host.get("/metrics", **remote).status_code == 403
    assert open_to_host.get("/metrics", headers={"Authorization": "Bearer anything"},
                            **remote).status_code == 403

    token_only = own_app(METRICS_TOKEN=token, METRICS_ALLOW_LOOPBACK=False).test_client()
    assert token_only.get("/metrics").status_code == 401
    assert token_only.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200


# ---------------------------------------------------------------- logs and request id


def _json_lines(err: str) -> list[dict]:
    lines = [line for line in err.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def test_log_lines_are_json_with_the_request_fields_and_no_secrets(app, client, world, capsys):
    configure_logging(app)  # another app built later in the session may have replaced it
    capsys.readouterr()
    wrong_password = "Неверный-пароль-42"
    refused = client.post("/login", data={"login": "editor", "password": wrong_password})
    assert refused.status_code == 200
    response = sign_in(client, "editor")
    client.get("/", headers={"X-Request-ID": "trace-42.a:b"})
    cookie = client.get_cookie("session").value
    err = capsys.readouterr().err

    assert PASSWORD not in err and wrong_password not in err
    assert cookie not in err
    entries = _json_lines(err)  # every line is JSON
    access = [e for e in entries if e["logger"] == "web.access"]
    login = [e for e in access if e["route"] == "/login" and e["method"] == "POST"]
    assert [e["status"] for e in login] == [200, 302]
    ok = login[1]
    assert set(ok) >= {"time", "level", "logger", "message", "request_id", "user_id",
                       "endpoint", "route", "method", "status", "duration_ms"}
    assert ok["level"] == "INFO" and ok["endpoint"] == "auth.login"
    assert ok["request_id"] == response.headers["X-Request-ID"]
    assert ok["user_id"] == world.editor.id
    assert login[0]["user_id"] is None
    assert isinstance(ok["duration_ms"], float | int) and ok["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", ok["time"])
    home = [e for e in access if e["route"] == "/"]
    assert home and home[0]["request_id"] == "trace-42.a:b"


def test_the_request_id_is_echoed_when_sane_and_replaced_when_not(client):
    assert client.get("/login", headers={"X-Request-ID": "abc-123_X.y"}).headers[
        "X-Request-ID"] == "abc-123_X.y"
    for bad in ("two words", "x" * 200, "<script>", "-leading-dash", "a\u0417b"):
        echoed = client.get("/login", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", echoed), bad
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert first != second and re.fullmatch(r"[0-9a-f]{32}", first)


def test_a_log_call_while_the_session_awaits_a_rollback_neither_queries_nor_raises(
        app, world, capsys):
    """Found by the hostile-input test on PostgreSQL: a refused flush (a NUL byte) is
    logged before the rollback, and reading the signed-in user's id for the log line
    reloaded the expired row from the failed session."""
    import logging

    from flask import g
    from sqlalchemy.exc import IntegrityError

    from web.extensions import SessionUser
    from workflow.models import Municipality

    configure_logging(app)
    capsys.readouterr()
    s = app.extensions["session_factory"]()
    try:
        user = s.get(User, world.editor.id)
        s.expire(user)
        s.add(Municipality(code=world.own.code, name="Дубликат"))
        with pytest.raises(IntegrityError):
            s.flush()
        with app.test_request_context("/"):
            g._login_user = SessionUser(user)
            logging.getLogger("web.test").warning("refused data")
    finally:
        s.rollback()
        s.close()
    entry = _json_lines(capsys.readouterr().err)[-1]
    assert entry["message"] == "refused data" and entry["user_id"] == world.editor.id


def test_messages_that_carry_secrets_are_masked(app, capsys):
    import logging

    configure_logging(app)
    capsys.readouterr()
    log = logging.getLogger("web.test")
    log.warning("retry with password=hunter2-secret and token: pa_AbCdEfGh12345678")
    log.warning("header Authorization: Bearer abc.def.ghi, csrf_token='tok-123'")
    err = capsys.readouterr().err
    for secret in ("hunter2-secret", "pa_AbCdEfGh12345678", "abc.def.ghi", "tok-123"):
        assert secret not in err
    assert all(e["level"] == "WARNING" for e in _json_lines(err))


def test_text_format_and_a_bad_level_are_configurable(own_app, capsys):
    app = own_app(LOG_FORMAT="text")
    capsys.readouterr()
    request_id = app.test_client().get("/login").headers["X-Request-ID"]
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "web.access" in line)
    assert f"[{request_id}]" in line and "GET /login 200" in line
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        own_app(LOG_LEVEL="LOUD")
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        own_app(LOG_FORMAT="xml")
    own_app()  # back to the defaults for the tests that follow
