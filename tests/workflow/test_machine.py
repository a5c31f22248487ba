"""The machine adapter on its own: no database."""

from __future__ import annotations

import pytest

from tests.factories import new_programme
from workflow import operations
from workflow.errors import IllegalTransition
from workflow.machine import next_state
from workflow.states import ProgrammeState


@pytest.mark.parametrize("current", ["draft", ProgrammeState.DRAFT])
def test_next_state_accepts_a_plain_value_or_a_state_member(current):
    assert next_state(current, "submit") == "submitted"
    assert next_state(current, "approve") is None


def test_there_are_no_automatic_to_state_triggers():
    assert next_state("approved", "to_draft") is None


def test_a_freshly_created_programme_offers_its_actions(world):
    """Right after creation the row holds `ProgrammeState.DRAFT` (not reloaded from the
    database): the screen must still show submit and withdraw."""
    p = new_programme(world)
    assert p.state is ProgrammeState.DRAFT
    triggers = [o.trigger for o in operations.available_actions(world.session, p, world.editor)]
    assert triggers == ["submit", "withdraw"]


def test_an_unknown_trigger_is_an_illegal_transition(world):
    p = new_programme(world)
    with pytest.raises(IllegalTransition):
        operations.fire(world.session, p, "to_approved", world.editor, now=world.clock.tick())
    assert p.version == 1
