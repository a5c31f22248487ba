"""In-process time of the campaign page (/campaigns/<id>/status, the ministry's full table,
figures and three SVG charts) at 34 and 2,300 municipalities, with the SQL statements it runs;
also one campaign workbook and one minister's report. Flask test client on a SQLite file
(as web_pages_bench.py's in-process figures), or --database-url for PostgreSQL (emptied!).

With --screenshots DIR: serves the 34-municipality campaign on a loopback port and takes
headless Chromium screenshots of the page (campaign-page.png) and of its cumulative chart
(campaign-chart.png).

Run: python benchmarks/campaign_page_bench.py [--sizes 34 2300] [--rounds 5] [--requests 20]
     [--database-url postgresql://...] [--screenshots test-artifacts]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")
os.environ.setdefault("JOBS_IMMEDIATE", "1")

from sqlalchemy import event  # noqa: E402

from tests.campaign_fixtures import at, build_scenario, bulk_campaign  # noqa: E402
from tests.conftest import FakeClock, reset_schema  # noqa: E402
from tests.factories import PASSWORD, build_world  # noqa: E402
from workflow import schema  # noqa: E402
from workflow.db import make_engine, make_session_factory  # noqa: E402


def seed(url: str, municipalities: int, clock) -> int:
    engine = make_engine(url)
    reset_schema(engine)
    schema.upgrade(engine)
    with make_session_factory(engine)() as s:
        w = build_world(s, clock)
        s.commit()
        build_scenario(w)  # three more municipalities' worth of real history
        bulk_campaign(s, w, municipalities - 3)
        campaign_id = w.campaign.id
    engine.dispose()
    return campaign_id


def app_for(url: str, instance: str, clock):
    from web import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "APP_INSTANCE_PATH": instance,
                      "CLOCK": clock})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"login": "reviewer", "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post("/login", data=data).status_code == 302
    return app, client


def timed(client, path: str, rounds: int, requests: int) -> tuple[float, float]:
    for _ in range(3):
        assert client.get(path).status_code == 200
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            client.get(path)
        per_round.append((time.perf_counter() - start) * 1000 / requests)
    return min(per_round), statistics.median(per_round)


def statements(app, client, path: str) -> int:
    seen = []

    def before(conn, _cursor, statement, *_args):
        if not conn.get_execution_options().get("bookkeeping"):
            seen.append(statement)

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", before)
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def once(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, path
    return (time.perf_counter() - start) * 1000


def screenshots(url: str, instance: str, clock, campaign_id: int, out: Path) -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    app, _client = app_for(url, instance, clock)
    app.config["WTF_CSRF_ENABLED"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
            page.goto(f"http://127.0.0.1:{port}/login")
            page.fill("input[name=login]", "reviewer")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"http://127.0.0.1:{port}/campaigns/{campaign_id}/status")
            page.screenshot(path=str(out / "campaign-page.png"), full_page=True)
            page.locator("#chart-cumulative").screenshot(path=str(out / "campaign-chart.png"))
            page.locator("#chart-verdicts").screenshot(path=str(out / "campaign-verdicts.png"))
            browser.close()
    finally:
        server.shutdown()
    print(f"screenshots: {out / 'campaign-page.png'}, {out / 'campaign-chart.png'}, "
          f"{out / 'campaign-verdicts.png'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[34, 2300])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--screenshots", default=None, help="directory for the PNG files")
    args = parser.parse_args()
    print("campaign page, in-process Flask test client, reviewer signed in; "
          f"best and median of {args.rounds} rounds x {args.requests} requests")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            url = args.database_url or f"sqlite:///{tmp}/bench-{size}.db"
            clock = FakeClock(at(5, 20, 2))  # before the deadline of 01.06.2026
            t0 = time.monotonic()
            campaign_id = seed(url, size, clock)
            seeded = time.monotonic() - t0
            app, client = app_for(url, tmp, clock)
            path = f"/campaigns/{campaign_id}/status"
            best, median = timed(client, path, args.rounds, args.requests)
            count = statements(app, client, path)
            xlsx = once(client, f"/campaigns/{campaign_id}/status.xlsx")
            pdf = once(client, f"/campaigns/{campaign_id}/report.pdf")
            app.extensions["engine"].dispose()
            backend = url.split(":", 1)[0]
            print(f"  {size:>5} municipalities ({backend}, seeded in {seeded:.1f} s): "
                  f"page {best:7.1f} ms best, {median:7.1f} ms median, {count} SQL statements; "
                  f"workbook {xlsx:7.1f} ms; report PDF {pdf:7.1f} ms")
            if args.screenshots and size == min(args.sizes):
                screenshots(url, tmp, clock, campaign_id, Path(args.screenshots))


if __name__ == "__main__":
    main()
