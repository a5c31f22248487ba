"""A substitute reads the absent reviewer's programme over the API with its actions: who the
token's user acts for today comes with the token check (workflow.api_tokens.verified), and
says the same as asking on its own."""

from __future__ import annotations

from datetime import timedelta

from workflow import absences, substitution


def _actions(api, pid) -> dict:
    return {a["trigger"]: (a["enabled"], a["blocked_by"]) for a in
            api.get(f"/programmes/{pid}").get_json()["actions"]}


def test_the_substitute_sees_the_actions_only_while_the_absence_lasts(
        as_user, make_programme, world, fresh, clock):
    pid = make_programme("in_review")["id"]
    substitute = as_user(world.other_reviewer)
    assert _actions(substitute, pid) == {}  # another reviewer's programme: no actions
    with fresh() as s:
        today = substitution.local_today(s, clock())
        reviewer, other = s.merge(world.reviewer), s.merge(world.other_reviewer)
        absences.declare_absence(s, reviewer, reviewer, substitute=other, starts_on=today,
                                 ends_on=today + timedelta(days=1), now=clock(), reason="Отпуск")
    # Now what stands in the way is the programme, not who asks.
    assert _actions(substitute, pid)["return_for_revision"] == (False, [
        "Для возврата на доработку нужно хотя бы одно открытое замечание для муниципалитета"])
    clock.now += timedelta(days=2)  # the absence is over
    assert _actions(as_user(world.other_reviewer), pid) == {}
