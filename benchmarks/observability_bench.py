"""What the request id, the access log line and the request metrics cost per request.

In-process (Flask test client), on a route that does nothing, so the figures are the hooks
alone: (0) the hooks removed, (a) the app with its observability hooks logging at WARNING (no access line is
formatted), (b) at INFO with a JSON access line per request (stderr sent to /dev/null),
(c) `/healthz` (its SQLite probe included). Also the cost of one metrics observation.

Run: .venv/bin/python benchmarks/observability_bench.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web import create_app  # noqa: E402

WARM_UP = 200


def _us_per_request(client, url: str, n: int) -> float:
    for _ in range(WARM_UP):
        client.get(url)
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            client.get(url)
        rounds.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(rounds)


def _without_hooks(app) -> None:
    """Remove the request id, access-log, metrics and cookie hooks: the baseline."""
    for registry in (app.before_request_funcs, app.after_request_funcs,
                     app.teardown_request_funcs):
        for key, funcs in registry.items():
            registry[key] = [f for f in funcs if not f.__module__.startswith("web.observability")]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tmp = tempfile.mkdtemp()
    os.environ["APP_INSTANCE_PATH"] = tmp
    figures = {}
    real_stderr = sys.stderr
    for level in ("none", "WARNING", "INFO"):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
                          "LOG_LEVEL": "WARNING" if level == "none" else level})
        app.add_url_rule("/bench-nothing", "bench_nothing", lambda: "ok")
        if level == "none":
            _without_hooks(app)
        client = app.test_client()
        with open(os.devnull, "w") as devnull:
            sys.stderr = devnull
            try:
                figures[level] = _us_per_request(client, "/bench-nothing", n)
                if level == "INFO":
                    figures["healthz"] = _us_per_request(client, "/healthz", n // 4)
            finally:
                sys.stderr = real_stderr
        metrics = app.extensions["metrics"]
        app.extensions["engine"].dispose()

    start = time.perf_counter()
    for _ in range(100_000):
        metrics.observe_request("programmes.show", "GET", 200, 0.004)
    observe_us = (time.perf_counter() - start) / 100_000 * 1e6

    print(f"in-process, median of 5 rounds of {n} requests")
    print(f"  empty route, observability hooks removed:         {figures['none']:7.1f} µs/request")
    print(f"  empty route, LOG_LEVEL=WARNING (no access line): {figures['WARNING']:7.1f} µs/request"
          f"  (+{figures['WARNING'] - figures['none']:.1f} µs: request id, metrics)")
    print(f"  empty route, LOG_LEVEL=INFO (JSON access line):   {figures['INFO']:7.1f} µs/request"
          f"  (+{figures['INFO'] - figures['WARNING']:.1f} µs for the line)")
    print(f"  GET /healthz (SQLite probe), INFO:                {figures['healthz']:7.1f} µs/request")
    print(f"  one metrics observation (counter + histogram):    {observe_us:7.2f} µs")


if __name__ == "__main__":
    main()
