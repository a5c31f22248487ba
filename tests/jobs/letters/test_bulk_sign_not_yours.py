"""Bulk signing a decision letter that is not the signatory's to sign: its route is still at
the visas, or its signing stage names another signatory. The whole selection is refused on the
inbox with the route's Russian reason (no error page, no 500), and nothing is registered."""

from __future__ import annotations

import pytest

from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import letter_rows
from tests.workflow.test_route_engine import (  # the route helpers of the engine's tests
    REVIEW,
    SIGN,
    _decide,
    _decision,
    _propose,
    _route,
    _user,
)
from workflow.routes import StageSpec
from workflow.states import LetterState, Role


@pytest.fixture
def routed(world, make_letters):
    """A circular, and a decision letter whose route has a visa by `head` and then the
    signature of `other` (a second signatory), not of the world's signatory."""
    w = world
    head = _user(w, "head", Role.REVIEWER, "Начальников Отдел Иванович", "Начальник отдела")
    other = _user(w, "other", Role.SIGNATORY, "Заместителев Пётр Петрович",
                  "Заместитель министра")
    _route(w, [REVIEW, StageSpec("Виза", "endorse", "users", user_ids=[head.id]),
               SIGN(users=[other.id])])
    p = _propose(w)
    letter_id = _decision(w, p).letter_id
    w.session.commit()
    circular = make_letters("circular")[0].id
    return {"programme": p, "head": head, "letter": letter_id, "circular": circular}


def _sign(client, ids):
    return client.post("/signing/sign", data={"letter": [str(i) for i in ids], "pin": SIGNING_PIN,
                                              "confirm": "y"}, follow_redirects=True)


def test_a_decision_still_at_its_visas_refuses_the_selection(world, auth, client, routed):
    auth.login(world.signatory)
    response = _sign(client, [routed["circular"], routed["letter"]])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "после всех виз" in page and "Письма на подпись" in page
    assert {r.state for r in letter_rows(world, [routed["circular"], routed["letter"]])} == {
        LetterState.DRAFT}


def test_a_decision_signed_by_another_signatory_refuses_the_selection(world, auth, client,
                                                                      routed):
    _decide(world, routed["programme"], routed["head"], "approve")
    world.session.commit()
    auth.login(world.signatory)
    response = _sign(client, [routed["circular"], routed["letter"]])
    assert response.status_code == 200
    assert "не назначены на этот этап" in response.get_data(as_text=True)
    rows = letter_rows(world, [routed["circular"], routed["letter"]])
    assert {r.state for r in rows} == {LetterState.DRAFT} and {r.seq for r in rows} == {None}
