"""Load: N concurrent users (default 64) doing a realistic mix against gunicorn, bounded in
time, loopback only. Prints requests/s, p50/p99 latency, the number of 5xx, and the lost or
doubled effects found by checking the database afterwards (both must be 0).

The mix: reviewers read the queue (list) and programmes, add remarks on programmes they
review, and read and download letters; municipal editors take programmes through their
whole life (create, submit), the reviewers' drivers review and approve, the signatory signs.

Run:  python benchmarks/load.py [--users 64] [--seconds 30] [--url DATABASE_URL]
      python benchmarks/load.py --compare postgresql://...   (SQLite, then PostgreSQL)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The audit chains are keyed (workflow/audit.py); the invariant check reads them in this process.
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")


from benchmarks.postgres import empty_public_schema  # noqa: E402
from tests.resilience.driver import Acks, ProgrammeDriver  # noqa: E402
from tests.resilience.harness import ApiClient, Server, open_prepared, prepare_database  # noqa: E402
from tests.resilience.invariants import check  # noqa: E402

# As gunicorn.conf.py deploys it (GUNICORN_THREADS).
DEFAULT_THREADS = int(os.environ.get("GUNICORN_THREADS", "3"))


class TimedClient(ApiClient):
    def __init__(self, *args, latencies: list, lock: threading.Lock, **kwargs):
        super().__init__(*args, **kwargs)
        self.latencies = latencies
        self.lock = lock

    def call(self, method, path, body=None, *, timeout=30):
        start = time.perf_counter()
        result = super().call(method, path, body, timeout=timeout)
        with self.lock:
            self.latencies.append((time.perf_counter() - start) * 1000)
        return result


def reader(client, acks, stop, seed):
    rng = random.Random(seed)
    _, me = client.call("GET", "/auth/me")
    my_id = me["user"]["id"] if isinstance(me, dict) and "user" in me else None
    while not stop.is_set():
        try:
            roll = rng.random()
            if roll < 0.45:
                status, _ = client.call("GET", f"/programmes?per_page=25&page={rng.randint(1, 3)}")
            elif roll < 0.75:
                status, page = client.call("GET", "/programmes?state=in_review&per_page=25")
                items = page.get("items", []) if isinstance(page, dict) else []
                if items:
                    status, _ = client.call("GET", f"/programmes/{rng.choice(items)['id']}")
            elif roll < 0.85:
                status, page = client.call("GET", "/programmes?state=in_review&per_page=25")
                items = page.get("items", []) if isinstance(page, dict) else []
                mine = [p for p in items if (p.get("reviewer") or {}).get("id") == my_id]
                if mine:
                    p = rng.choice(mine)
                    status, detail = client.call("GET", f"/programmes/{p['id']}")
                    sections = detail.get("sections", []) if isinstance(detail, dict) else []
                    if sections:
                        status, _ = client.call("POST", f"/programmes/{p['id']}/remarks", {
                            "requirement_id": sections[0]["requirement_id"], "visibility": "internal",
                            "body": "Проверить показатели по годам"})
            else:
                status, page = client.call("GET", "/letters?state=signed&per_page=25")
                items = page.get("items", []) if isinstance(page, dict) else []
                ready = [x for x in items if x.get("pdf_available")]
                if ready:
                    status, _ = client.call("GET", f"/letters/{rng.choice(ready)['id']}/pdf")
            with acks.lock:
                acks.requests += 1
            if status >= 500:
                acks.add("server_errors", f"reader got {status}")
        except OSError as error:
            acks.add("server_errors", f"network error at {time.strftime('%H:%M:%S')}: {error}")


def run(users: int, seconds: float, url: str | None, quiet: bool = False,
        server_threads: int = DEFAULT_THREADS) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        instance = tmp / "instance"
        instance.mkdir()
        db_url = url or f"sqlite:///{tmp / 'load.db'}"
        editors = max(1, users // 4)
        prepare_database(db_url, instance, editors=editors)
        engine, factory, campaign_id, requirement_ids = open_prepared(db_url)
        server = Server(db_url, instance, workers=2, threads=server_threads)
        server.start()
        acks, stop, lock, latencies = Acks(), threading.Event(), threading.Lock(), []
        threads, clients = [], []
        for i in range(editors):
            driver = ProgrammeDriver(server.base, f"ed{i}", acks, stop, seed=i)
            for client in (driver.editor, driver.reviewer, driver.signatory):
                client.__class__ = TimedClient
                client.latencies, client.lock = latencies, lock
                clients.append(client)
            threads.append(threading.Thread(target=driver.run, args=(campaign_id, requirement_ids)))
        for i in range(users - editors):
            client = TimedClient(server.base, "reviewer", latencies=latencies, lock=lock)
            clients.append(client)
            threads.append(threading.Thread(target=reader, args=(client, acks, stop, 1000 + i)))
        # Users sign in once and then work: the (deliberately slow) scrypt check of every
        # sign-in happens before the measured window.
        tokens: dict[str, str] = {}
        for client in clients:
            if client.login not in tokens:
                client.authenticate()
                tokens[client.login] = client.token
            client.token = tokens[client.login]
        latencies.clear()
        start = time.perf_counter()
        for t in threads:
            t.daemon = True
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.perf_counter() - start
        server.stop()
        with factory() as s:
            problems = check(s, acks)
        engine.dispose()
    lat = sorted(latencies)
    result = {
        "database": "postgresql" if db_url.startswith("postgres") else "sqlite",
        "users": users, "seconds": round(elapsed, 1), "requests": len(lat),
        "rps": len(lat) / elapsed if elapsed else 0,
        "p50_ms": statistics.median(lat) if lat else 0,
        "p99_ms": lat[int(len(lat) * 0.99) - 1] if lat else 0,
        "server_errors": len(acks.server_errors), "transitions": len(acks.transitions),
        "signed": len(acks.signed), "lost_or_doubled": problems,
    }
    if not quiet:
        print(f"load: {result['users']} users for {result['seconds']} s on {result['database']}"
              f" (gunicorn: 2 workers x {server_threads} threads)")
        print(f"  requests {result['requests']}  ->  {result['rps']:.1f} req/s; "
              f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
        print(f"  acknowledged transitions {result['transitions']}, letters signed {result['signed']}")
        print(f"  5xx / network errors: {result['server_errors']}; lost or doubled effects: {len(problems)}")
        for p in problems[:10]:
            print("   ", p)
        for e in acks.server_errors[:10]:
            print("   ", e)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="gunicorn threads per worker (2 workers)")
    parser.add_argument("--url", default=None, help="DATABASE_URL (default: a temp SQLite file)")
    parser.add_argument("--compare", default=None, metavar="POSTGRES_URL",
                        help="run on a temp SQLite file, then on this PostgreSQL database "
                             "(its schema is replaced), and print their throughput ratio")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    if args.compare:
        results = [run(args.users, args.seconds, None, server_threads=args.threads)]
        empty_public_schema(args.compare)  # the run migrates it
        results.append(run(args.users, args.seconds, args.compare, server_threads=args.threads))
        sqlite, postgres = (r["rps"] for r in results)
        print(f"SQLite/PostgreSQL throughput: {sqlite / postgres:.2f}x "
              f"(load average {os.getloadavg()[0]:.2f})" if postgres else "no PostgreSQL requests")
    else:
        results = [run(args.users, args.seconds, args.url, server_threads=args.threads)]
    sys.exit(1 if any(r["server_errors"] or r["lost_or_doubled"] for r in results) else 0)


if __name__ == "__main__":
    main()
