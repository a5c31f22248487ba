"""The signing inbox lists a decision letter only once its route waits for this signatory's
signature: while the heads of department still give their visas it is not signable, and
listing it made «Подписать все» refuse the whole selection (found on the demo)."""

from __future__ import annotations

from sqlalchemy import select

from tests.route_demo import add_route, pending_programme
from workflow import bulk_signing, routes
from workflow.models import Decision


def _listed(w, user) -> set[int]:
    return set(w.session.scalars(bulk_signing.awaiting_signature(user).with_only_columns(
        bulk_signing.Letter.id)))


def test_a_decision_letter_is_listed_only_at_its_sign_stage(world):
    w = world
    rw = add_route(w)
    programme = pending_programme(w)
    letter_id = w.session.scalar(select(Decision.letter_id).where(
        Decision.programme_id == programme.id))
    assert letter_id not in _listed(w, w.signatory)  # the visas are still to come
    for head in (rw.head1, rw.head2):
        task = next(t for t in routes.open_tasks_for(w.session, head, w.clock())
                    if t.programme_id == programme.id)
        routes.decide_task(w.session, task.task_id, head, decision="approve", now=w.clock.tick())
    assert letter_id in _listed(w, w.signatory)
    # Nobody else's inbox: a reviewer is no participant of the sign stage.
    assert letter_id not in _listed(w, w.reviewer)
