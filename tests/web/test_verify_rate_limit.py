"""/verify (the public verification page and its upload form) is rate-limited per client
address with Flask-Limiter: a Russian 429 page (JSON when asked for), the limit from
VERIFY_RATE_LIMIT, counters in memory or in Redis (REDIS_URL). Before, it had no limit."""

from __future__ import annotations

import io
import os
import uuid

import pytest

from web import create_app
from workflow.models import Base

CODE = "ABCDEFGHJK"


def build(tmp_path, monkeypatch, **config):
    """An app whose counters are its own: with REDIS_URL set they live in Redis and outlast
    the test, so each app counts under a key prefix of its own (unless the test shares one
    on purpose); a run never starts with the requests of an earlier run."""
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    config.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex}")
    app = create_app({"TESTING": True, "SECRET_KEY": "rate-limit-tests",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'verify.db'}", **config})
    Base.metadata.create_all(app.extensions["engine"])
    return app


def test_the_verification_pages_share_one_limit_per_address(tmp_path, monkeypatch):
    app = build(tmp_path, monkeypatch, VERIFY_RATE_LIMIT="4 per minute")
    client = app.test_client()
    answers = [client.get(f"/verify/{CODE}").status_code, client.get("/verify/").status_code,
               client.post(f"/verify/{CODE}", data={"document": (io.BytesIO(b"%PDF"), "a.pdf")},
                           content_type="multipart/form-data").status_code,
               client.get(f"/verify/?code={CODE}").status_code]
    assert 429 not in answers
    refused = client.get(f"/verify/{CODE}")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Слишком много запросов проверки" in page and "Too Many Requests" not in page
    assert int(refused.headers["Retry-After"]) > 0
    upload = client.post(f"/verify/{CODE}", data={"document": (io.BytesIO(b"%PDF"), "a.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 429
    as_json = client.get(f"/verify/{CODE}", headers={"Accept": "application/json"})
    assert as_json.status_code == 429
    assert as_json.get_json()["error"]["code"] == "too_many_requests"
    # Another address is not affected; neither are the other pages.
    other = client.get(f"/verify/{CODE}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 404
    assert client.get("/login").status_code == 200


def test_a_limit_is_on_by_default(tmp_path, monkeypatch):
    """Without VERIFY_RATE_LIMIT in the environment: 30 a minute per address."""
    monkeypatch.delenv("VERIFY_RATE_LIMIT", raising=False)
    app = build(tmp_path, monkeypatch)
    assert app.config["VERIFY_RATE_LIMIT"] == "30 per minute; 300 per hour"
    client = app.test_client()
    statuses = [client.get(f"/verify/{CODE}").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_the_limit_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_RATE_LIMIT", "2/minute")
    app = build(tmp_path, monkeypatch)
    client = app.test_client()
    assert [client.get("/verify/").status_code for _ in range(3)] == [200, 200, 429]


def test_redis_storage_is_shared_between_processes(tmp_path, monkeypatch):
    """Two apps (as two processes would) on one Redis count together."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL not set: set REDIS_URL=redis://127.0.0.1:6379/0 to test the "
                    "Redis storage of the rate limits")
    prefix = f"test-{uuid.uuid4().hex}"
    config = {"VERIFY_RATE_LIMIT": "3 per minute", "REDIS_URL": url,
              "RATELIMIT_KEY_PREFIX": prefix}
    first = build(tmp_path / "a", monkeypatch, **config)
    second = build(tmp_path / "b", monkeypatch, **config)
    limiter = first.extensions["rate_limiter"]
    assert type(limiter.storage).__name__.lower().startswith("redis")
    assert [first.test_client().get("/verify/").status_code for _ in range(2)] == [200, 200]
    client = second.test_client()
    assert [client.get("/verify/").status_code for _ in range(2)] == [200, 429]
