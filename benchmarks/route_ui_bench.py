"""Cost of the route UI's server-side drawing: a route diagram and the state diagram drawn
by `dot` (cold, then from the content-hash cache), and the approval sheet PDF with 10 visas.
Prints medians in ms; asserts nothing about time.

Run: python benchmarks/route_ui_bench.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents import route_diagram  # noqa: E402
from documents.approval_sheet import render_approval_sheet  # noqa: E402
from workflow.route_views import ApprovalSheet, RouteView, StageView, Visa  # noqa: E402


def _route(n: int) -> RouteView:
    return RouteView("Демонстрационный маршрут", n, (
        StageView(1, "Экспертиза", "review", "any", None, 10, "municipality",
                  ("Эксперт программы",), "done"),
        StageView(2, f"Визы начальников отделов {n}", "endorse", "all", None, 3, "reviewer",
                  ("Начальник отдела общего образования А.С. Петрова",
                   "Начальник отдела дополнительного образования О.П. Сидоров"), "current"),
        StageView(3, "Подпись заместителя министра", "sign", "any", None, 2, "previous",
                  ("Роль: Подписант",), "pending"),
    ))


def _sheet() -> ApprovalSheet:
    visa = Visa("Визы", "Начальник отдела общего образования", "А.С. Петрова",
                "approve_with_remarks", "Согласовано с замечаниями", "Уточнить сроки " * 10,
                datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    return ApprovalSheet("Министерство образования Приморского края",
                         "О согласовании муниципальной программы", "23/7001", date(2026, 3, 2),
                         "Развитие образования", "Артёмовский городской округ",
                         tuple(replace(visa, decided_at=visa.decided_at + timedelta(minutes=i))
                               for i in range(10)))


def _median_ms(fn, runs: int) -> float:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    render_approval_sheet(_sheet())  # fonts loaded once per process
    cold = _median_ms(lambda i: route_diagram.route_svg(_route(1000 + i)), runs)
    cached = _median_ms(lambda i: route_diagram.route_svg(_route(1000)), runs)
    states = _median_ms(lambda i: route_diagram.render_svg(
        route_diagram.state_machine_dot("in_review", graph_id=f"s{i}")), runs)
    sheet = _median_ms(lambda i: render_approval_sheet(_sheet()), runs)
    print(f"route diagram, dot run (cold): {cold:.1f} ms median over {runs}")
    print(f"route diagram, cached:         {cached:.3f} ms median over {runs}")
    print(f"state diagram, dot run:        {states:.1f} ms median over {runs}")
    print(f"approval sheet PDF, 10 visas:  {sheet:.1f} ms median over {runs}")


if __name__ == "__main__":
    main()
