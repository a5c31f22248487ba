"""Requests/s of the reviewer queue and the programme page with 2,300 programmes (the number
of municipal districts and okrugs in Russia), under gunicorn with 2 workers, next to a bare
Flask page rendering a 50-row Jinja2 table in the same run. Loopback only, bounded in time.

Run: python benchmarks/web_pages_bench.py [--seconds 10] [--clients 4] [--programmes 2300]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The audit chains are keyed (workflow/audit.py); a benchmark brings its own key.
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")

from tests.conftest import FakeClock  # noqa: E402
from tests.factories import PASSWORD, build_world  # noqa: E402
from tests.resilience.harness import free_port  # noqa: E402
from workflow import audit, schema  # noqa: E402
from workflow.db import make_engine, make_session_factory  # noqa: E402
from workflow.models import (  # noqa: E402
    Municipality,
    Programme,
    ProgrammeSection,
    Remark,
    Revision,
    RevisionSection,
    WorkflowEvent,
)

STATES = ("submitted", "in_review", "returned", "approved", "draft")


def seed(url: str, count: int) -> int:
    """Bulk rows shaped like the real thing: sections, revisions, history, remarks."""
    engine = make_engine(url)
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        clock = FakeClock()
        w = build_world(s, clock)
        requirements = w.campaign.requirements
        sample_id = None
        for i in range(count):
            m = Municipality(code=f"mo-{i}", name=f"Муниципальный округ № {i}", kind="округ")
            s.add(m)
            s.flush()
            state = STATES[i % len(STATES)]
            now = clock.tick(7)
            revision_number = 0 if state == "draft" else 1 + (i % 3 == 0)
            p = Programme(
                campaign_id=w.campaign.id, municipality_id=m.id,
                title=f"Программа профориентационной работы ({m.name})", period_from=2026,
                period_to=2028, state=state, version=3, revision_number=revision_number,
                reviewer_id=w.reviewer.id if state in ("in_review", "approved", "returned") else None,
                created_by_id=w.editor.id, created_at=now, updated_at=now,
                submitted_at=now - timedelta(days=i % 30) if revision_number else None,
                sections=[ProgrammeSection(requirement_id=r.id, text="Текст раздела " * 30)
                          for r in requirements],
            )
            s.add(p)
            s.flush()
            prev = audit.GENESIS
            for n in range(1, revision_number + 1):
                rev = Revision(programme_id=p.id, number=n, created_at=now, created_by_id=w.editor.id,
                               sections=[RevisionSection(requirement_id=r.id, text="Текст раздела " * 30)
                                         for r in requirements])
                s.add(rev)
                s.flush()
                if state in ("in_review", "returned"):
                    s.add(Remark(programme_id=p.id, revision_id=rev.id, requirement_id=requirements[0].id,
                                 author_id=w.reviewer.id, visibility="external", state="open",
                                 body="Уточните показатели", created_at=now, updated_at=now))
            for seq, (trigger, a, b) in enumerate([("submit", "draft", "submitted")] if revision_number else [], 1):
                e = WorkflowEvent(programme_id=p.id, seq=seq, actor_id=w.editor.id, at=now, trigger=trigger,
                                  from_state=a, to_state=b, reason="", revision_number=1, prev_hash=prev)
                audit.seal_event(s, e)
                s.add(e)
            if state == "in_review" and sample_id is None:
                sample_id = p.id
        s.commit()
    engine.dispose()
    return sample_id


def gunicorn(app: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/login" if "wsgi" in app else "/")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{app} did not start")


def sign_in(port: int, login: str) -> str:
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/login")
    r = c.getresponse()
    body = r.read().decode()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"login": login, "password": PASSWORD, "csrf_token": token})
    c.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = c.getresponse()
    r.read()
    assert r.status == 302, f"sign-in failed: {r.status}"
    return r.getheader("Set-Cookie").split(";")[0]


def measure(port: int, path: str, seconds: float, clients: int, cookie: str | None) -> tuple[float, int]:
    count, errors, stop = [0], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        n = bad = 0
        while time.monotonic() < stop:
            c.request("GET", path, headers=headers)
            r = c.getresponse()
            r.read()
            n += 1
            bad += r.status != 200
        with lock:
            count[0] += n
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / (time.monotonic() - start), errors[0]


def in_process(url: str, instance: str, sample: int) -> dict[str, float]:
    """Milliseconds per request through the Flask test client, best of five runs: shows
    where the time goes without HTTP. "signed-in, empty" is a page that only checks the
    session and loads the user: the floor of any page of the application."""
    from flask_login import login_required

    from benchmarks.bare_app import app as bare
    from web import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "APP_INSTANCE_PATH": instance})

    @app.route("/__bench_empty")
    @login_required
    def _empty():
        return "ok"

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": "reviewer", "password": PASSWORD, "csrf_token": token})
    out = {}
    for name, c, path in (("bare 50-row table", bare.test_client(), "/"),
                          ("signed-in, empty", client, "/__bench_empty"),
                          ("reviewer queue", client, "/review/"),
                          ("programme page", client, f"/programmes/{sample}")):
        for _ in range(20):
            c.get(path)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(100):
                c.get(path)
            best = min(best, (time.perf_counter() - start) * 10)
        out[name] = best
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--programmes", type=int, default=2300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        t0 = time.monotonic()
        sample = seed(url, args.programmes)
        print(f"seeded {args.programmes} programmes in {time.monotonic() - t0:.1f} s")
        env = dict(os.environ, DATABASE_URL=url, APP_INSTANCE_PATH=tmp, SECRET_KEY="bench",
                   PYTHONPATH=str(ROOT))
        app_port, bare_port = free_port(), free_port()
        procs = [gunicorn("wsgi:app", app_port, env), gunicorn("benchmarks.bare_app:app", bare_port, env)]
        try:
            cookie = sign_in(app_port, "reviewer")
            for path, port, ck in (("/review/", app_port, cookie), (f"/programmes/{sample}", app_port, cookie),
                                   ("/", bare_port, None)):
                measure(port, path, 1.0, args.clients, ck)  # warm-up
            results = {
                "bare 50-row Jinja2 table": measure(bare_port, "/", args.seconds, args.clients, None),
                "reviewer queue /review/": measure(app_port, "/review/", args.seconds, args.clients, cookie),
                f"programme page /programmes/{sample}": measure(
                    app_port, f"/programmes/{sample}", args.seconds, args.clients, cookie),
            }
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait()
        timings = in_process(url, tmp, sample)
    bare = results["bare 50-row Jinja2 table"][0]
    print(f"gunicorn, 2 workers; {args.clients} keep-alive clients; {args.seconds:.0f} s per page; "
          f"{args.programmes} programmes")
    for name, (rps, errors) in results.items():
        print(f"  {name:<36} {rps:8.1f} req/s  ({rps / bare:5.0%} of bare)  non-200: {errors}")
    print("in-process, Flask test client, best of 5 x 100 requests:")
    for name, ms in timings.items():
        print(f"  {name:<36} {ms:8.2f} ms per request")


if __name__ == "__main__":
    main()
