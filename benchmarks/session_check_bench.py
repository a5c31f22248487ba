"""The cost of the per-request session check: a signed-in page that does nothing else, in
process (Flask test client, SQLite), in milliseconds per request and SQL statements per
request. Since issue 12 every request also checks the server-side session record (and the
second factor's enrolment), in the same statement that loads the user.

    .venv/bin/python benchmarks/session_check_bench.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from flask_login import login_required
    from sqlalchemy import event

    from tests.conftest import FakeClock
    from tests.factories import PASSWORD, build_world
    from web import create_app
    from workflow.db import make_engine, make_session_factory
    from workflow.models import Base

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        with make_session_factory(engine)() as s:
            build_world(s, FakeClock())
            s.commit()
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "APP_INSTANCE_PATH": tmp,
                          "WTF_CSRF_ENABLED": False})

        @app.route("/__bench_empty")
        @login_required
        def _empty():
            return "ok"

        client = app.test_client()
        client.post("/login", data={"login": "reviewer", "password": PASSWORD})
        assert client.get("/__bench_empty").status_code == 200, "sign-in failed"
        statements = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        engine = app.extensions["engine"]
        event.listen(engine, "before_cursor_execute", count)
        client.get("/__bench_empty")
        event.remove(engine, "before_cursor_execute", count)
        per_request = len(statements)
        for _ in range(50):
            client.get("/__bench_empty")
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(200):
                client.get("/__bench_empty")
            best = min(best, (time.perf_counter() - start) * 1000 / 200)
        loads = [s for s in statements if re.search(r"FROM user_account", s)]
        print(f"signed-in empty page: {best:.3f} ms/request (best of 5 x 200), "
              f"{per_request} SQL statements/request ({len(loads)} loading the user)")
        app.extensions["engine"].dispose()


if __name__ == "__main__":
    main()
