"""Metrics under several worker processes (gunicorn): with PROMETHEUS_MULTIPROC_DIR set,
`/metrics` in any process adds up the requests answered by every process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import sys
from web import create_app

app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "test", "TESTING": True})
client = app.test_client()
for _ in range(int(sys.argv[2])):
    assert client.get("/healthz").status_code == 200
if sys.argv[3] == "scrape":
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def _run(tmp_path, env, requests: int, scrape: bool) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, f"sqlite:///{tmp_path / 'app.db'}", str(requests),
         "scrape" if scrape else "-"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_metrics_add_up_every_worker_process(tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "APP_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT),
           "LOG_LEVEL": "WARNING"}
    workers = [_run(tmp_path, env, 3, False), _run(tmp_path, env, 2, False)]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    scraper = _run(tmp_path, env, 0, True)
    out, err = scraper.communicate(timeout=120)
    assert scraper.returncode == 0, err

    totals = {}
    for family in text_string_to_metric_families(out):
        for sample in family.samples:
            if sample.name == "http_requests_total":
                key = (sample.labels["endpoint"], sample.labels["status"])
                totals[key] = totals.get(key, 0) + sample.value
    assert totals[("observability.healthz", "200")] == 5
    assert list(metrics_dir.glob("counter_*.db"))  # the values lived in files


def test_gunicorn_hooks_empty_the_metrics_directory_at_start(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    stale = [tmp_path / "counter_123.db", tmp_path / "histogram_9.db", tmp_path / "gauge_all_4.db"]
    keep = tmp_path / "notes.txt"
    for path in [*stale, keep]:
        path.write_text("x")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    conf.on_starting(None)  # without the variable: nothing happens
    assert all(p.exists() for p in stale)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf.on_starting(None)
    assert not any(p.exists() for p in stale) and keep.exists()
