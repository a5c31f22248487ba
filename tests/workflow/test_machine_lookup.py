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


def test_only_a_draft_and_a_withdrawn_draft_can_be_without_a_submission():
    # The queue drops the never-submitted half of a tab from this (workflow.queue.page_ids):
    # every other state is reached through submit, which sets `submitted_at`.
    from workflow.machine import STATES_POSSIBLY_UNSUBMITTED

    assert {ProgrammeState.DRAFT, ProgrammeState.WITHDRAWN} == STATES_POSSIBLY_UNSUBMITTED
