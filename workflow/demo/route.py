"""The demo campaign's approval route: the expert proposes, both heads of department endorse
(parallel, all), the deputy minister signs; and the heads' visas on a pending decision."""

from __future__ import annotations

from sqlalchemy import select

from .. import route_engine, routes
from ..models import StageTask
from ..route_engine import active_decision

DEMO_ROUTE_TITLE = "Согласование программ профориентации (письмо № 23/6666)"


def demo_route_stages(heads, signatory) -> list[routes.StageSpec]:
    return [
        routes.StageSpec("Экспертиза", "review", "programme_reviewer", limit_days=10,
                         on_refusal="municipality"),
        routes.StageSpec("Визы начальников отделов общего и дополнительного образования",
                         "endorse", "users", user_ids=[h.id for h in heads], mode="all",
                         limit_days=3, on_refusal="reviewer"),
        routes.StageSpec("Подпись заместителя министра", "sign", "users",
                         user_ids=[signatory.id], mode="any", limit_days=2,
                         on_refusal="previous"),
    ]


def visas(session, programme, heads, clock, *, upto: int = 2, remarks_first: bool = False):
    """The heads' visas on the programme's pending decision, the first `upto` of them."""
    decision = active_decision(session, programme)
    for i, head in enumerate(heads[:upto]):
        task = session.scalar(select(StageTask).where(
            StageTask.decision_id == decision.id, StageTask.assignee_id == head.id,
            StageTask.state == "open"))
        with_remarks = remarks_first and i == 0
        route_engine.decide_task(
            session, task.id, head, now=clock.tick(3),
            decision="approve_with_remarks" if with_remarks else "approve",
            comment=("Согласовано; при следующей корректировке уточнить показатели охвата "
                     "дополнительным образованием") if with_remarks else "")
