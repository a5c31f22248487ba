"""Throughput of the workflow engine: full programme cycles through the real operations.

Each cycle is create + submit + start_review + assess every requirement + approve, one
transaction per use case (a fresh session loads the rows by id, runs one operation and
commits), as the web does it. Prints cycles per second and milliseconds per operation.

    python benchmarks/engine_cycles.py                 # fresh SQLite file in a temp dir
    python benchmarks/engine_cycles.py --n 1000
    python benchmarks/engine_cycles.py --url postgresql://postgres@127.0.0.1:5432/bench --reset

With `--url`, the database must be empty, or `--reset` drops and recreates its schema
(PostgreSQL: schema public; SQLite: the file) — only point it at a scratch database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The audit chains are keyed (workflow/audit.py); a benchmark brings its own key.
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")

from sqlalchemy import inspect

from benchmarks.postgres import empty_public_schema
from workflow import operations, programme_drafting, review
from workflow.db import make_engine, make_session_factory, unit_of_work
from workflow.models import (
    Campaign,
    Municipality,
    OrganisationProfile,
    Programme,
    Requirement,
    User,
)
from workflow.schema import upgrade
from workflow.states import Role, Verdict
from workflow.users import create_user

REQUIREMENTS = 3


def now() -> datetime:
    return datetime.now(UTC)


def prepare(url: str, reset: bool):
    engine = make_engine(url)
    if inspect(engine).get_table_names():
        if not reset:
            sys.exit(f"{url}: the database is not empty; pass --reset to wipe it")
        engine.dispose()
        if engine.dialect.name == "postgresql":
            empty_public_schema(url)
        else:
            Path(engine.url.database).unlink()
        engine = make_engine(url)
    upgrade(engine)
    return engine


def build_world(factory) -> dict:
    with unit_of_work(factory) as s:
        s.add(OrganisationProfile(
            name="Министерство образования Приморского края",
            letterhead="МИНИСТЕРСТВО\nОБРАЗОВАНИЯ\nПРИМОРСКОГО КРАЯ",
            address="ул. Светланская, 22, г. Владивосток, 690110", phone="(423) 240-28-04",
            email="education2006@primorsky.ru",
        ))
        s.add(Municipality(code="artem", name="Артёмовский городской округ",
                           authority_name="Управление образования", head_surname="Иванова", head_first_name="Ирина",
                           head_patronymic="Петровна"))
        s.flush()
        t = now()

        def user(login, role, muni=None):
            return create_user(s, login=login, full_name=f"Тестов {login} Иванович", role=role,
                               password="bench-password-1", now=t, municipality_code=muni,
                               enforce_policy=False).id

        campaign = Campaign(
            title="Программы профориентации", deadline=date(2030, 1, 1), created_at=t,
            circular_number="23/6666", circular_date=date(2022, 7, 15),
            requirements=[Requirement(position=i, text=f"Требование {i}")
                          for i in range(1, REQUIREMENTS + 1)],
        )
        s.add(campaign)
        s.flush()
        # An approval opens the default route's signing stage: it needs a signatory.
        user("signatory", Role.SIGNATORY)
        return {
            "editor": user("editor", Role.MUNICIPAL_EDITOR, "artem"),
            "reviewer": user("reviewer", Role.REVIEWER),
            "campaign": campaign.id,
            "requirements": [r.id for r in campaign.requirements],
        }


def run(factory, world: dict, n: int) -> tuple[dict[str, list[float]], float]:
    timings: dict[str, list[float]] = defaultdict(list)

    def timed(name, fn):
        start = time.perf_counter()
        with unit_of_work(factory) as s:
            result = fn(s)
        timings[name].append(time.perf_counter() - start)
        return result

    def with_programme(fn):
        def call(s):
            return fn(s, s.get(Programme, pid))
        return call

    started = time.perf_counter()
    for i in range(n):
        pid = timed("create", lambda s, i=i: programme_drafting.create_programme(
            s, s.get(Campaign, world["campaign"]), s.get(User, world["editor"]),
            programme_drafting.DraftFields(title=f"Программа {i}", period_from=2026, period_to=2028),
            now=now(), sections={rid: f"Раздел {rid}" for rid in world["requirements"]}).id)
        timed("submit", with_programme(lambda s, p: operations.submit_programme(
            s, p, s.get(User, world["editor"]), now=now())))
        timed("start_review", with_programme(lambda s, p: operations.start_review(
            s, p, s.get(User, world["reviewer"]), now=now())))
        for rid in world["requirements"]:
            timed("assess", with_programme(lambda s, p, rid=rid: review.assess_requirement(
                s, p, s.get(User, world["reviewer"]), requirement_id=rid, verdict=Verdict.MET,
                now=now())))
        timed("approve", with_programme(lambda s, p: operations.approve_programme(
            s, p, s.get(User, world["reviewer"]), now=now())))
    return timings, time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="cycles to run (default 300)")
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty --url database")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = prepare(url, args.reset)
        factory = make_session_factory(engine)
        world = build_world(factory)
        timings, elapsed = run(factory, world, args.n)
        engine.dispose()

    ops = sum(len(v) for v in timings.values())
    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    print(f"{args.n} cycles, {ops} operations (one transaction each) in {elapsed:.2f} s")
    print(f"{args.n / elapsed:.1f} cycles/s, {1000 * elapsed / ops:.2f} ms per operation on average")
    print(f"{'operation':<14}{'count':>7}{'mean ms':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for name, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        print(f"{name:<14}{len(ms):>7}{statistics.fmean(ms):>10.2f}{statistics.median(ms):>9.2f}"
              f"{p95:>9.2f}")


if __name__ == "__main__":
    main()
