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
from web.observability.logs import configure_logging  # noqa: E402

WARM_UP = 200
ROUNDS = 7


def _us_per_request(client, url: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        client.get(url)
    return (time.perf_counter() - start) / n * 1e6


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
    apps = {}
    for name in ("none", "WARNING", "INFO"):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench",
                          "LOG_LEVEL": "WARNING" if name == "none" else name})
        app.add_url_rule("/bench-nothing", "bench_nothing", lambda: "ok")
        if name == "none":
            _without_hooks(app)
        apps[name] = app
    cases = [("none", "/bench-nothing", n), ("WARNING", "/bench-nothing", n),
             ("INFO", "/bench-nothing", n), ("healthz", "/healthz", n // 4)]
    samples = {name: [] for name, _url, _n in cases}
    real_stderr = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            # Rounds interleave the cases, so a burst of load on the machine hits them all.
            for round_ in range(ROUNDS + 1):
                for name, url, count in cases:
                    app = apps["INFO" if name == "healthz" else name]
                    configure_logging(app)  # the root logger follows the app measured
                    us = _us_per_request(app.test_client(), url, count if round_ else WARM_UP)
                    if round_:
                        samples[name].append(us)
        finally:
            sys.stderr = real_stderr
    figures = {name: statistics.median(values) for name, values in samples.items()}
    metrics = apps["INFO"].extensions["metrics"]
    for app in apps.values():
        app.extensions["engine"].dispose()

    start = time.perf_counter()
    for _ in range(100_000):
        metrics.observe_request("programmes.show", "GET", 200, 0.004)
    observe_us = (time.perf_counter() - start) / 100_000 * 1e6

    print(f"in-process, median of {ROUNDS} interleaved rounds of {n} requests")
    print(f"  empty route, observability hooks removed:         {figures['none']:7.1f} µs/request")
    print(f"  empty route, LOG_LEVEL=WARNING (no access line): {figures['WARNING']:7.1f} µs/request"
          f"  (+{figures['WARNING'] - figures['none']:.1f} µs: request id, metrics)")
    print(f"  empty route, LOG_LEVEL=INFO (JSON access line):   {figures['INFO']:7.1f} µs/request"
          f"  (+{figures['INFO'] - figures['WARNING']:.1f} µs for the line)")
    print(f"  GET /healthz (SQLite probe), INFO:                {figures['healthz']:7.1f} µs/request")
    print(f"  one metrics observation (counter + histogram):    {observe_us:7.2f} µs")


if __name__ == "__main__":
    main()
