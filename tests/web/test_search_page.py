"""The ministry's search screen: Russian morphology, highlighted and escaped snippets."""

from __future__ import annotations

from tests.factories import add_external_remark, programme_in
from tests.web.conftest import sign_in, text
from workflow.states import ProgrammeState


def test_search_screen_finds_inflected_words_and_marks_them(client, world):
    p = programme_in(world, ProgrammeState.IN_REVIEW, title="Программа <i>профориентации</i>")
    add_external_remark(world, p, "Добавьте показатели по программам наставничества")
    world.session.commit()
    sign_in(client, "reviewer")
    html = client.get("/search/", query_string={"q": "программы"}).get_data(as_text=True)
    assert "<mark>Программа</mark>" in html
    assert "<mark>программам</mark>" in html
    assert "<i>профориентации</i>" not in html
    assert f'/programmes/{p.id}' in html
    page = text(client.get("/search/", query_string={"q": "космос"}))
    assert "Ничего не найдено" in page
    assert client.get("/search/").status_code == 200


def test_search_is_for_the_ministry(client, world):
    sign_in(client, "editor")
    response = client.get("/search/", query_string={"q": "программа"})
    assert response.status_code == 403
    assert "сотрудникам министерства" in text(response)
