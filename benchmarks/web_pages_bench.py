"""The reviewer queue and the programme page as the data grows, next to a bare Flask page
rendering a 50-row Jinja2 table and a signed-in empty page measured in the same run.

By default, in-process (Flask test client, no HTTP): milliseconds and SQL statements per
request with 2,300 programmes (the number of municipal districts and okrugs in Russia) and
again after growing the same database to 23,000, on SQLite and PostgreSQL, with the ratios
to the bare and signed-in pages and the 23,000/2,300 ratio of each page.

With --http: requests/s under gunicorn with 2 workers (SQLite), loopback only, bounded in time.

Run: python benchmarks/web_pages_bench.py [--db sqlite,postgresql] [--sizes 2300,23000]
         [--pg-url postgresql://...]   (PostgreSQL: the schema `public` is dropped and recreated)
     python benchmarks/web_pages_bench.py --http [--seconds 10] [--clients 4] [--programmes 2300]
"""

from __future__ import annotations

import argparse
import gc
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The audit chains are keyed (workflow/audit.py); a benchmark brings its own key.
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy import text as text_sql  # noqa: E402

from benchmarks.postgres import empty_public_schema  # noqa: E402
from tests.conftest import FakeClock  # noqa: E402
from tests.factories import PASSWORD, build_world  # noqa: E402
from tests.resilience.harness import free_port  # noqa: E402
from workflow import audit, schema  # noqa: E402
from workflow.db import make_engine, make_session_factory  # noqa: E402
from workflow.models import (  # noqa: E402
    Campaign,
    Municipality,
    Programme,
    ProgrammeSection,
    Remark,
    Revision,
    RevisionSection,
    User,
    WorkflowEvent,
)

STATES = ("submitted", "in_review", "returned", "approved", "draft")


def seed(url: str, count: int) -> int:
    """Bulk rows shaped like the real thing: sections, revisions, history, remarks."""
    engine = make_engine(url)
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as s:
        build_world(s, FakeClock())
        s.commit()
    engine.dispose()
    return grow(url, count)


def _next_id(s, model) -> int:
    return (s.scalar(select(func.max(model.id))) or 0) + 1


def grow(url: str, total: int) -> int:
    """Add programmes (inserted as plain rows, a thousand at a time) until there are `total`
    of them; returns an in-review programme of the reviewer's. Each programme has its own
    municipality, working sections, one or two revisions with their sections, an external
    remark per revision when under review or returned, and its submission in the history."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    cfg = audit.AuditConfig.from_env()
    with factory() as s:
        campaign = s.scalar(select(Campaign).order_by(Campaign.id))
        requirements = [r.id for r in campaign.requirements]
        editor = s.scalar(select(User).where(User.login == "editor"))
        reviewer = s.scalar(select(User).where(User.login == "reviewer"))
        have = s.scalar(select(func.count(Programme.id)))
        ids = {m: _next_id(s, m) for m in (Municipality, Programme, ProgrammeSection, Revision,
                                            RevisionSection, Remark, WorkflowEvent)}
        base = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
        text = "Текст раздела " * 30
        rows: dict = {m: [] for m in ids}

        def add(model, **values):
            values["id"] = ids[model]
            ids[model] += 1
            rows[model].append(values)
            return values["id"]

        def flush():
            for model in ids:  # in foreign-key order
                if rows[model]:
                    s.execute(insert(model), rows[model])
                    rows[model].clear()

        for i in range(have, total):
            mid = add(Municipality, code=f"mo-{i}", name=f"Муниципальный округ № {i}",
                      kind="округ")
            state = STATES[i % len(STATES)]
            now = base + timedelta(minutes=7 * i)
            revision_number = 0 if state == "draft" else 1 + (i % 3 == 0)
            pid = add(Programme, campaign_id=campaign.id, municipality_id=mid,
                      title=f"Программа профориентационной работы (МО № {i})",
                      period_from=2026, period_to=2028, state=state, version=3,
                      revision_number=revision_number,
                      reviewer_id=reviewer.id if state in ("in_review", "approved", "returned")
                      else None,
                      created_by_id=editor.id, created_at=now, updated_at=now,
                      submitted_at=now - timedelta(days=i % 30) if revision_number else None,
                      responsible_name="", responsible_position="", responsible_phone="")
            for r in requirements:
                add(ProgrammeSection, programme_id=pid, requirement_id=r, text=text)
            for n in range(1, revision_number + 1):
                rid = add(Revision, programme_id=pid, number=n, created_at=now,
                          created_by_id=editor.id)
                for r in requirements:
                    add(RevisionSection, revision_id=rid, requirement_id=r, text=text)
                if state in ("in_review", "returned"):
                    add(Remark, programme_id=pid, revision_id=rid, requirement_id=requirements[0],
                        author_id=reviewer.id, visibility="external", state="open",
                        body="Уточните показатели", created_at=now, updated_at=now)
            if revision_number:
                event = dict(programme_id=pid, seq=1, actor_id=editor.id, at=now,
                             trigger="submit", from_state="draft", to_state="submitted",
                             reason="", revision_number=1, on_behalf_of_id=None,
                             prev_hash=audit.GENESIS)
                event["hash"] = audit.event_hash(cfg, audit.GENESIS,
                                                 audit.event_fields(SimpleNamespace(**event)))
                add(WorkflowEvent, **event)
            if len(rows[Programme]) >= 1000:
                flush()
        flush()
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for model in ids:
                table = model.__table__.name
                s.execute(text_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))"))
        s.commit()
        sample = s.scalar(select(Programme.id).where(Programme.state == "in_review",
                                                     Programme.reviewer_id == reviewer.id)
                          .order_by(Programme.id))
    engine.dispose()
    return sample


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


PAGES = (
    ("bare 50-row table", None),
    ("signed-in, empty", "/__bench_empty"),
    ("queue /review/", "/review/"),
    ("queue, all, page 40", "/review/?tab=all&page=40"),
    ("programme page", "/programmes/{sample}"),
)
GOALS = ("queue /review/", "programme page")


def in_process(url: str, instance: str, sample: int) -> dict[str, tuple[float, int, float]]:
    """Milliseconds per request through the Flask test client (best of five runs) and SQL
    statements per request: where the time goes without HTTP. "signed-in, empty" is a page
    that only checks the session and loads the user: the floor of any page of the
    application."""
    from flask_login import login_required
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

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
    statements = [0]

    def count(conn, *_args):
        if not conn.get_execution_options().get("bookkeeping"):
            statements[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    bare_client = bare.test_client()
    for _name, path in PAGES:  # compile every template first, then settle the heap as wsgi.py
        (bare_client if path is None else client).get((path or "/").format(sample=sample))
    gc.freeze()

    def batch(c, path: str, n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            c.get(path)
        return (time.perf_counter() - start) * 1000 / n

    out = {}
    try:
        for name, path in PAGES:
            c = bare_client if path is None else client
            path = "/" if path is None else path.format(sample=sample)
            for _ in range(10):
                response = c.get(path)
                assert response.status_code == 200, (path, response.status_code)
            statements[0] = 0
            c.get(path)
            queries = statements[0]
            # About a third of a second per run, at least ten requests.
            n = max(10, min(200, int(0.3 / (batch(c, path, 5) / 1000))))
            # The machine is shared: each run of the page is paired with a run of the bare
            # page, and the ratio is taken between the two best, measured side by side.
            best, bare_best = float("inf"), float("inf")
            for _ in range(7):
                bare_best = min(bare_best, batch(bare_client, "/", 100))
                best = min(best, batch(c, path, n))
            out[name] = (best, queries, bare_best)
    finally:
        gc.unfreeze()
        event.remove(Engine, "before_cursor_execute", count)
        app.extensions["engine"].dispose()
    return out


def analyze(url: str) -> None:
    """PostgreSQL's planner statistics, as autovacuum would have them after a bulk load."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text_sql("ANALYZE"))
    engine.dispose()


def scaling(url: str, sizes: list[int], tmp: str) -> dict[int, dict[str, tuple]]:
    figures = {}
    sample = None
    for size in sizes:
        t0 = time.monotonic()
        if sample is None:
            sample = seed(url, size)
        else:
            grow(url, size)
        analyze(url)
        print(f"  seeded {size} programmes in {time.monotonic() - t0:.1f} s", flush=True)
        figures[size] = in_process(url, tmp, sample)
    return figures


def report(db_name: str, figures: dict[int, dict[str, tuple[float, int, float]]]) -> None:
    """ms per request; x bare: over the bare page measured alongside; x signed-in: over the
    signed-in empty page; q: SQL statements. The last columns: the page at the largest size
    over the smallest, in ms and in multiples of the bare page (the second discounts a
    change of load between the two measurements)."""
    sizes = sorted(figures)
    first, last = sizes[0], sizes[-1]
    print(f"{db_name}: ms per request (x bare, x signed-in), statements; "
          f"load average {os.getloadavg()[0]:.2f}")
    header = "".join(f"{size:>31}" for size in sizes)
    print(f"  {'page':<22}{header}   {last}/{first}: ms, x bare")
    for name, _ in PAGES:
        cells = []
        for size in sizes:
            ms, queries, bare = figures[size][name]
            empty = figures[size]["signed-in, empty"][0]
            cells.append(f"{ms:8.2f} ({ms / bare:5.1f}x, {ms / empty:4.1f}x) {queries:3d} q")
        ratio = figures[last][name][0] / figures[first][name][0]
        relative = ((figures[last][name][0] / figures[last][name][2])
                    / (figures[first][name][0] / figures[first][name][2]))
        print(f"  {name:<22}" + "".join(f"{c:>31}" for c in cells)
              + f"   {ratio:5.2f}  {relative:5.2f}")


def run_in_process(args) -> None:
    sizes = [int(x) for x in args.sizes.split(",")]
    for db_name in args.db.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if db_name == "sqlite":
                url = f"sqlite:///{tmp}/bench.db"
            else:
                url = args.pg_url
                if not url:
                    raise SystemExit("--pg-url (or BENCH_DATABASE_URL) is needed for postgresql")
                empty_public_schema(url)
            print(f"{db_name}:", flush=True)
            report(db_name, scaling(url, sizes, tmp))


def run_http(args) -> None:
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
    bare = results["bare 50-row Jinja2 table"][0]
    print(f"gunicorn, 2 workers; {args.clients} keep-alive clients; {args.seconds:.0f} s per page; "
          f"{args.programmes} programmes")
    for name, (rps, errors) in results.items():
        print(f"  {name:<36} {rps:8.1f} req/s  ({rps / bare:5.0%} of bare)  non-200: {errors}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true",
                        help="requests/s under gunicorn (SQLite) instead of the in-process figures")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="2300,23000")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--programmes", type=int, default=2300)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    (run_http if args.http else run_in_process)(args)


if __name__ == "__main__":
    main()
