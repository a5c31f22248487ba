"""Cost of one route decision (`route_engine.decide_task`), in its own transaction.

Builds N programmes whose approval waits on a visa stage of three participants (mode
`all`), then times each participant's decision, commit included: the first two leave the
stage waiting, the third passes it and opens the signing stage (tasks, notifications).
Prints the median and 90th percentile of each kind; asserts nothing about time.

Run: python benchmarks/route_decision_bench.py [--programmes 40] [--url sqlite:///...]
     (PostgreSQL: --url postgresql://postgres@127.0.0.1:5432/pt_routes — the schema is
     dropped and re-created)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AUDIT_KEY", "bench-audit-key-not-a-secret")

from sqlalchemy import select  # noqa: E402

from benchmarks.postgres import empty_public_schema  # noqa: E402
from tests.conftest import FakeClock  # noqa: E402
from tests.factories import PASSWORD, assess_all, build_world, programme_in  # noqa: E402
from workflow import operations, route_engine, routes  # noqa: E402
from workflow.db import make_engine, make_session_factory  # noqa: E402
from workflow.models import Base, StageTask, User  # noqa: E402
from workflow.states import ProgrammeState, Role  # noqa: E402
from workflow.users import create_user  # noqa: E402


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    return f"median {statistics.median(values) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--programmes", type=int, default=40)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='route-bench-')}/bench.db"
    if url.startswith("postgres"):  # postgres:// or postgresql://, as make_engine takes them
        empty_public_schema(url)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)

    with factory() as s:
        w = build_world(s, FakeClock())
        heads = [create_user(s, login=f"head{i}", full_name=f"Начальников{i} Отдел Иванович",
                             role=Role.REVIEWER, password=PASSWORD, now=w.clock(),
                             position=f"Начальник отдела {i}", enforce_policy=False)
                 for i in range(3)]
        route = routes.create_route(s, w.admin, code="bench", title="Замер", now=w.clock.tick(),
                                    stages=[
            routes.StageSpec("Экспертиза", "review", "programme_reviewer", on_refusal="municipality"),
            routes.StageSpec("Визы", "endorse", "users", user_ids=[h.id for h in heads], mode="all"),
            routes.StageSpec("Подпись", "sign", "role", role="signatory"),
        ])
        routes.set_campaign_route(s, w.campaign, route, w.admin)
        for i in range(args.programmes):
            p = programme_in(w, ProgrammeState.IN_REVIEW, title=f"Программа {i}")
            assess_all(w, p)
            operations.approve_programme(s, p, w.reviewer, now=w.clock.tick())
        s.commit()
        head_ids = [h.id for h in heads]
        clock = w.clock

    waiting, passing = [], []
    for order, head_id in enumerate(head_ids):
        with factory() as s:
            task_ids = s.scalars(select(StageTask.id).where(
                StageTask.assignee_id == head_id, StageTask.state == "open")
                .order_by(StageTask.id)).all()
        for task_id in task_ids:
            with factory() as s:
                start = time.perf_counter()
                route_engine.decide_task(s, task_id, s.get(User, head_id), decision="approve",
                                         now=clock.tick())
                s.commit()
                elapsed = time.perf_counter() - start
            (passing if order == len(head_ids) - 1 else waiting).append(elapsed)
    print(f"database: {engine.dialect.name}; {args.programmes} programmes, 3 visas each")
    print(f"decide_task, stage still waiting:         {_ms(waiting)}")
    print(f"decide_task, stage passed (opens signing): {_ms(passing)}")
    print(f"decide_task, all:                          {_ms(waiting + passing)}")
    engine.dispose()


if __name__ == "__main__":
    main()
