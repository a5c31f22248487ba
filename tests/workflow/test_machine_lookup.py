from workflow.machine import TRIGGERS, allowed_from, next_state
from workflow.states import ProgrammeState


def test_the_listing_lookup_agrees_with_the_machine_for_every_state_and_trigger():
    pairs = 0
    for state in ProgrammeState:
        for trigger in TRIGGERS:
            assert allowed_from(state, trigger) == next_state(state.value, trigger), (state, trigger)
            pairs += allowed_from(state.value, trigger) is not None
    # The seven (source, trigger) pairs of the design table (approve and return now lead to
    # decision_pending), and the route engine's three from decision_pending.
    assert pairs == 10
