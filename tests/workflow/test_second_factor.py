"""The second factor in the domain: the RFC 6238 codes, the compare-and-set that makes a
code single-use even for two requests at once, the reset, and the demo's enrolment."""

from __future__ import annotations

import threading

import pyotp
import pytest
from sqlalchemy import select

from tests.factories import SIGNING_PIN, TOTP_SECRET, demo_pkcs12
from workflow import second_factor
from workflow.models import SecondFactor, SecurityEvent, User
from workflow.second_factor import CodeReplayed, code_at_step, step_at


def test_codes_are_rfc_6238_as_authenticator_apps_compute_them(clock):
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); apps use the last six.
    assert pyotp.TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", digits=8).at(59) == "94287082"
    assert code_at_step("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1) == "287082"
    assert code_at_step(TOTP_SECRET, step_at(clock())) == pyotp.TOTP(TOTP_SECRET).at(clock())


def test_two_requests_with_the_same_code_at_once_one_wins(world, session_factory, clock):
    code = code_at_step(TOTP_SECRET, step_at(clock()))
    first = session_factory()
    user = first.get(User, world.signatory.id)
    assert second_factor.verify(first, user, code, now=clock()) == "totp"
    outcome: list[object] = []

    def second_request():
        s = session_factory()
        try:
            outcome.append(second_factor.verify(s, s.get(User, world.signatory.id), code,
                                                now=clock()))
            s.commit()
        except CodeReplayed as error:
            s.commit()
            outcome.append(error)
        finally:
            s.close()

    # The second request waits for the first one's lock (SQLite's write lock, PostgreSQL's
    # row lock) and then finds the step already taken.
    thread = threading.Thread(target=second_request)
    thread.start()
    first.commit()
    first.close()
    thread.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], CodeReplayed), outcome
    with session_factory() as s:
        assert s.get(SecondFactor, world.signatory.id).last_step == step_at(clock())


def test_a_confirmed_second_factor_is_not_replaced_by_a_new_enrolment(world, session, clock):
    with pytest.raises(second_factor.InvalidInput):
        second_factor.start_enrolment(session, world.signatory, now=clock())


def test_reset_needs_an_administrator_and_ends_the_users_sessions(world, session, clock):
    with pytest.raises(second_factor.PermissionDenied):
        second_factor.reset(session, world.signatory, actor=world.reviewer, now=clock())
    epoch = world.signatory.session_epoch
    second_factor.reset(session, world.signatory, actor=world.admin, now=clock())
    session.commit()
    assert session.get(SecondFactor, world.signatory.id) is None
    assert world.signatory.session_epoch == epoch + 1
    event = session.scalars(select(SecurityEvent).where(SecurityEvent.action == "auth.2fa.reset")).one()
    assert event.user_id == world.signatory.id and f"id {world.admin.id}" in event.detail
    with pytest.raises(second_factor.SecondFactorRequired):
        second_factor.ensure_may_act(session, world.signatory)


def _demo_certificate(owner: str, pin: str) -> bytes:
    return demo_pkcs12(owner, pin)


def test_the_demo_enrols_the_signatory_and_admin_with_the_printed_secret(session):
    from workflow.demo.seed import seed_demo

    result = seed_demo(session, password="demo-password-2026", totp_secret=TOTP_SECRET,
                       signing_pin=SIGNING_PIN, issue_certificate=_demo_certificate)
    session.commit()
    assert result.totp_secret == TOTP_SECRET
    assert set(result.totp_logins) == {"signatory", "admin", "signatory2"}
    for login in result.totp_logins:
        user = session.scalars(select(User).where(User.login == login)).one()
        assert second_factor.is_enrolled(session, user)
    reviewer = session.scalars(select(User).where(User.login == "reviewer1")).one()
    assert not second_factor.is_enrolled(session, reviewer)


def test_the_demo_draws_a_random_secret_by_default(session):
    from workflow.demo.seed import seed_demo

    result = seed_demo(session, password="demo-password-2026", signing_pin=SIGNING_PIN,
                       issue_certificate=_demo_certificate)
    assert len(result.totp_secret) == 32 and result.totp_secret != TOTP_SECRET


def test_migration_0009_keeps_existing_api_tokens(tmp_path):
    """Tokens issued before the migration keep working; their origin is simply unknown."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from workflow.db import make_engine
    from workflow.schema import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    try:
        upgrade(engine, "0002")
        stamp = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO user_account (id, login, full_name, position, phone, email, role, "
                "password_hash, active, session_epoch, created_at) VALUES (1, 'admin', 'A', '', "
                "'', '', 'admin', 'x', 1, 0, :t)"), {"t": stamp})
            conn.execute(text(
                "INSERT INTO api_token (token_sha256, user_id, session_epoch, created_at, "
                "expires_at) VALUES ('abc', 1, 0, :t, :t)"), {"t": stamp})
        upgrade(engine)
        with engine.connect() as conn:
            row = conn.execute(text("SELECT token_sha256, address, user_agent, last_seen_at "
                                    "FROM api_token")).one()
            assert tuple(row) == ("abc", "", "", None)
            assert conn.execute(text("SELECT count(*) FROM user_session")).scalar() == 0
    finally:
        engine.dispose()
