"""The queue on /healthz and /metrics."""

from __future__ import annotations

import re

from tests.factories import SIGNING_PIN


def test_healthz_reports_the_queue_and_fails_when_it_cannot_be_reached(app, queued, monkeypatch):
    client = app.test_client()
    assert client.get("/healthz").get_json()["queue"] == "ok"

    def down():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(queued.storage, "queue_size", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "fail", "database": "ok", "queue": "fail"}


def test_metrics_show_the_queue_depth(app, world, auth, client, by_municipality, queued):
    def depth() -> int:
        text = client.get("/metrics").get_data(as_text=True)
        return int(float(re.search(r'^jobs_queue_depth\{queue="[^"]+"\} (\S+)$', text, re.M)[1]))

    assert depth() == 0
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    assert depth() == 1
