from tests.factories import programme_in
from workflow.states import ProgrammeState


def test_each_state_is_reachable_through_the_operations(world):
    for i, state in enumerate(ProgrammeState):
        p = programme_in(world, state, title=f"Программа {i}")
        assert p.state == state
