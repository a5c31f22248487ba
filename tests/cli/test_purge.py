"""`flask purge`: expired API tokens are deleted (they were never cleaned up before)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from web import create_app
from workflow import api_tokens
from workflow.models import ApiToken


def test_purge_deletes_expired_tokens_and_keeps_live_ones(world, clock, db_url, tmp_path,
                                                          monkeypatch):
    s = world.session
    old = api_tokens.issue_token(s, world.editor, now=clock() - timedelta(days=2))
    live = api_tokens.issue_token(s, world.reviewer, now=clock())
    s.commit()
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test", "CLOCK": clock})
    try:
        result = app.test_cli_runner().invoke(args=["purge"])
    finally:
        app.extensions["engine"].dispose()
    assert result.exit_code == 0, result.output
    assert "токенов 1" in result.output
    remaining = set(s.scalars(select(ApiToken.token_sha256)))
    s.rollback()
    assert remaining == {live.record.token_sha256}
    assert api_tokens.token_hash(old.token) not in remaining
