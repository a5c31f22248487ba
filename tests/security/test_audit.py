"""The audit trail: hash chains over the workflow history and the letter journal, checked by
`flask verify-audit`; and the security log of sign-ins, failures and refused actions (who,
what, when in UTC, from where; never a secret)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select, text

from tests.factories import PASSWORD
from tests.security.conftest import api_token, sign_in
from workflow.models import LoginAttempt, SecurityEvent, WorkflowEvent

SECRETS = (PASSWORD, "wrong-password-Зима2026", "pa_")


def verify(app):
    # `flask` (FlaskGroup) pushes an app context for every command; the test runner
    # invokes the bare group, so push one as the real CLI does.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["verify-audit"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_verify_audit_passes_on_a_clean_world(app, tenants):
    """Two programmes through submit, review, return; two letters signed and rendered."""
    code, output = verify(app)
    assert code == 0, output
    assert "целостны" in output


@pytest.mark.parametrize("column", ["reason", "to_state", "at"])
def test_verify_audit_names_a_tampered_history_entry(app, tenants, fresh, column):
    with fresh(commit=False) as s:
        events = s.scalars(select(WorkflowEvent).where(
            WorkflowEvent.programme_id == tenants.foreign.programme_id)
            .order_by(WorkflowEvent.seq)).all()
        target = events[1]
        target_id, programme_id = target.id, target.programme_id
    value = {"reason": "'переписано задним числом'", "to_state": "'approved'",
             "at": "'2020-01-01 00:00:00'"}[column]
    with app.extensions["engine"].begin() as conn:
        conn.execute(text(f"UPDATE workflow_event SET {column} = {value} WHERE id = :id"),
                     {"id": target_id})
    code, output = verify(app)
    assert code != 0
    assert f"workflow_event #{target_id}" in output
    assert f"программы {programme_id}" in output


def test_verify_audit_names_a_deleted_history_entry(app, tenants, fresh):
    with fresh(commit=False) as s:
        first = s.scalar(select(WorkflowEvent).where(
            WorkflowEvent.programme_id == tenants.own.programme_id, WorkflowEvent.seq == 2))
        first_id = first.id
    with app.extensions["engine"].begin() as conn:
        conn.execute(text("DELETE FROM workflow_event WHERE id = :id"), {"id": first_id})
    code, output = verify(app)
    assert code != 0
    assert "запись 2 отсутствует" in output


@pytest.mark.parametrize("sql", [
    "UPDATE letter SET final_data = REPLACE(final_data, 'СЕКРЕТ', 'ПОДЛОГ') WHERE id = :id",
    "UPDATE letter SET signed_at = '2020-01-01 00:00:00' WHERE id = :id",
    "UPDATE letter SET registered_on = '2020-01-01' WHERE id = :id",
])
def test_verify_audit_names_a_tampered_letter(app, tenants, sql):
    letter_id = tenants.foreign.letter_id
    with app.extensions["engine"].begin() as conn:
        assert conn.execute(text(sql), {"id": letter_id}).rowcount == 1
    code, output = verify(app)
    assert code != 0
    assert f"letter #{letter_id}" in output


# ---------------------------------------------------------------- the security log


def _events(fresh):
    with fresh(commit=False) as s:
        events = s.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
        s.expunge_all()
        return events


def _no_secrets_anywhere(fresh, *extra: str) -> None:
    """No column of the security log or the sign-in attempts holds a password or token."""
    with fresh(commit=False) as s:
        rows = [*s.execute(select(SecurityEvent.__table__)).all(),
                *s.execute(select(LoginAttempt.__table__)).all()]
    dump = "\n".join(repr(tuple(r)) for r in rows)
    for secret in (*SECRETS, *extra):
        assert secret not in dump, secret


def test_sign_ins_and_failures_are_logged_with_who_what_when(app, world, fresh, clock):
    sign_in(app.test_client(), "editor", "wrong-password-Зима2026", address="192.0.2.7", expect=200)
    sign_in(app.test_client(), "nobody", "wrong-password-Зима2026", address="192.0.2.8", expect=200)
    sign_in(app.test_client(), "editor", address="192.0.2.7")
    token = api_token(app.test_client(), "reviewer")
    events = _events(fresh)
    summary = [(e.action, e.login, e.user_id, e.address) for e in events]
    assert ("auth.login.failed", "editor", None, "192.0.2.7") in summary
    assert ("auth.login.failed", "nobody", None, "192.0.2.8") in summary
    assert ("auth.login.ok", "editor", world.editor.id, "192.0.2.7") in summary
    assert ("api.token.issued", "reviewer", world.reviewer.id, "127.0.0.1") in summary
    for e in events:
        assert e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0)
        assert e.at == clock().astimezone(UTC)
    _no_secrets_anywhere(fresh, token, token[3:])


def test_throttled_sign_in_is_logged(app, world, fresh, configure):
    configure(LOGIN_THROTTLE_ATTEMPTS=1)
    sign_in(app.test_client(), "editor", "wrong-password-Зима2026", address="192.0.2.9", expect=200)
    sign_in(app.test_client(), "editor", address="192.0.2.9", expect=429)
    assert ("auth.login.throttled", "editor") in [(e.action, e.login) for e in _events(fresh)]
    _no_secrets_anywhere(fresh)


def _refusals(fresh):
    return [e for e in _events(fresh) if e.action == "action.refused"]


def test_refused_screen_actions_are_logged(app, tenants, fresh, client, clock):
    world = tenants.world
    client.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    sign_in(client, "editor", address="198.51.100.4")
    foreign = tenants.foreign
    assert client.get(f"/programmes/{foreign.programme_id}?token=SECRET-QUERY").status_code == 404
    assert client.get("/admin/users").status_code == 403
    response = client.post(f"/programmes/{foreign.programme_id}/actions/withdraw",
                           data={"version": "1", "reason": "ПАРОЛЬ-В-ТЕЛЕ"})
    assert response.status_code == 404
    assert client.get(f"/letters/{foreign.letter_id}").status_code == 404
    refusals = _refusals(fresh)
    details = [e.detail for e in refusals]
    assert details == [
        f"GET /programmes/{foreign.programme_id} 404 not_found",
        "GET /admin/users 403 forbidden",
        f"POST /programmes/{foreign.programme_id}/actions/withdraw 404 not_found",
        f"GET /letters/{foreign.letter_id} 404 not_found",
    ]
    for e in refusals:
        assert (e.user_id, e.login, e.address) == (world.editor.id, "editor", "198.51.100.4")
        assert e.at == clock()
    _no_secrets_anywhere(fresh, "SECRET-QUERY", "ПАРОЛЬ-В-ТЕЛЕ")
    # The refused request changed nothing, and the log entry did not need its transaction.
    assert client.get(f"/programmes/{tenants.own.programme_id}").status_code == 200


def test_refused_api_actions_are_logged(app, tenants, fresh, client):
    token = api_token(client, "editor")
    auth = {"Authorization": f"Bearer {token}"}
    foreign = tenants.foreign
    assert client.get(f"/api/v1/programmes/{foreign.programme_id}", headers=auth).status_code == 404
    response = client.post(f"/api/v1/programmes/{tenants.own.programme_id}/actions/start_review",
                           headers=auth, json={"version": 1})
    assert response.status_code == 403
    details = [e.detail for e in _refusals(fresh)]
    assert f"GET /api/v1/programmes/{foreign.programme_id} 404 not_found" in details
    assert any(d.startswith(f"POST /api/v1/programmes/{tenants.own.programme_id}/actions/start_review 403")
               for d in details), details
    _no_secrets_anywhere(fresh, token)


def test_csrf_failures_are_logged_and_change_nothing(app, tenants, fresh, client, configure):
    sign_in(client, "editor")
    configure(WTF_CSRF_ENABLED=True)
    own = tenants.own
    response = client.post(f"/programmes/{own.programme_id}/actions/resubmit",
                           data={"version": "99", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)
    refusals = _refusals(fresh)
    assert [e.detail for e in refusals] == [
        f"POST /programmes/{own.programme_id}/actions/resubmit 400 csrf"]
    assert "forged" not in refusals[0].detail


def test_anonymous_refusals_are_not_logged_as_a_user(app, tenants, fresh, client):
    """An anonymous caller is sent to sign in; there is no one to attribute a refusal to."""
    client.get(f"/programmes/{tenants.foreign.programme_id}")
    client.get("/api/v1/programmes")
    assert _refusals(fresh) == []
