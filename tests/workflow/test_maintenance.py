"""The nightly purge: what only grows is trimmed, what still counts is kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from workflow.api_tokens import issue_token
from workflow.maintenance import purge_stale_records
from workflow.models.security import ApiToken, LoginAttempt


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_purge_drops_expired_tokens_and_old_attempts_and_keeps_the_rest(session, world, clock):
    now = clock()
    expired = issue_token(session, world.editor, now=now - timedelta(days=60),
                          lifetime=timedelta(days=1))
    live = issue_token(session, world.editor, now=now, lifetime=timedelta(days=1))
    session.add_all([
        LoginAttempt(login="old", address="10.0.0.1", at=now - timedelta(days=91), success=False),
        LoginAttempt(login="new", address="10.0.0.1", at=now - timedelta(days=1), success=True),
    ])
    session.commit()

    counts = purge_stale_records(session, now=now, keep_attempts=timedelta(days=90),
                                 forget_throttle_after=timedelta(minutes=15))
    session.commit()

    assert counts["tokens"] == 1 and counts["attempts"] == 1
    left_tokens = set(session.scalars(select(ApiToken.id)))
    assert left_tokens == {live.record.id}
    assert expired.record.id not in left_tokens
    assert list(session.scalars(select(LoginAttempt.login))) == ["new"]
    assert _count(session, ApiToken) == 1


def test_the_purge_is_scheduled_nightly():
    from datetime import datetime

    from web.jobs import huey
    from web.jobs.maintenance import purge_stale_records_nightly

    task_class = purge_stale_records_nightly.task_class
    scheduled = [t for t in huey._registry.periodic_tasks if isinstance(t, task_class)]
    assert len(scheduled) == 1
    assert scheduled[0].validate_datetime(datetime(2026, 12, 1, 3, 17))
    assert not scheduled[0].validate_datetime(datetime(2026, 12, 1, 14, 17))
