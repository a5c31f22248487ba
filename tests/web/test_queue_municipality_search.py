from tests.factories import programme_in
from tests.web.conftest import sign_in, text
from workflow.states import ProgrammeState


def test_queue_filters_by_part_of_the_municipality_name_in_any_case(client, world):
    programme_in(world, ProgrammeState.SUBMITTED, title="Программа Артёмовского округа")
    world.session.commit()
    sign_in(client, "reviewer")
    for needle in ("Артём", "артём", "городской"):
        page = text(client.get(f"/review/?tab=all&municipality={needle}"))
        assert "Программа Артёмовского округа" in page, needle
    page = text(client.get("/review/?tab=all&municipality=Хасан"))
    assert "Программа Артёмовского округа" not in page
    assert 'name="municipality" value="Хасан"' in page
