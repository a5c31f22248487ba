"""The queue's pages, read by ids along an index (workflow/queue.py): every programme of the
tab appears once, in the queue's order (first submitted first, never submitted last), and
the tab counts agree with the rows; a municipal editor's list holds only their own."""

from __future__ import annotations

import re

from tests.factories import new_programme, programme_in
from tests.web.conftest import sign_in
from workflow.states import ProgrammeState

S = ProgrammeState


def _titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'<a href="/programmes/\d+">([^<]+)</a>', response.get_data(as_text=True))


def _all_pages(client, url: str, pages: int) -> list[str]:
    return [t for n in range(1, pages + 1) for t in _titles(client, f"{url}&page={n}")]


def test_every_programme_once_in_the_queue_order_across_pages(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    states = [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUBMITTED,
              S.DRAFT]
    made = [programme_in(world, state, title=f"Программа № {i}")
            for i, state in enumerate(states)]
    foreign = new_programme(world, title="Чужая программа")
    foreign.municipality_id = world.foreign.id
    world.session.commit()
    submitted = sorted((p for p in made if p.submitted_at), key=lambda p: (p.submitted_at, p.id))
    drafts = sorted((p for p in made if not p.submitted_at), key=lambda p: p.id)
    expected_all = [p.title for p in submitted] + [p.title for p in drafts] + [foreign.title]
    sign_in(client, "reviewer")

    assert _all_pages(client, "/review/?tab=all", 3) == expected_all
    # Past the last page: the last page.
    assert _titles(client, "/review/?tab=all&page=99") == expected_all[6:]
    in_state = [p.title for p in submitted if p.state == S.SUBMITTED]
    assert _all_pages(client, "/review/?tab=submitted", 1) == in_state
    assert _titles(client, "/review/?tab=mine") == ["Программа № 2"]
    assert _all_pages(client, f"/review/?tab=all&municipality={world.foreign.id}", 1) == [
        foreign.title]
    # A search by part of the name, and a state filter, with their counts.
    page = client.get("/review/?tab=all&municipality=Хасан").get_data(as_text=True)
    assert _titles(client, "/review/?tab=all&municipality=Хасан") == [foreign.title]
    assert re.search(r'Все <span class="count">1</span>', page)
    page = client.get("/review/?tab=all&state=draft").get_data(as_text=True)
    assert re.search(r'Все <span class="count">4</span>', page)
    assert re.search(r'Ожидают рассмотрения <span class="count">0</span>', page)

    sign_in(client, "editor")
    own = _all_pages(client, "/programmes/?x=1", 3)
    assert sorted(own) == sorted(p.title for p in made)
    assert foreign.title not in own


def test_a_row_shows_the_same_on_the_first_page_and_further_down(app, client, world,
                                                                monkeypatch):
    """The first page carries its columns along the index walk, a later page joins them to
    its ids (web/viewmodels/queue.py): the rows read the same either way."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    for i in range(2):
        programme_in(world, S.IN_REVIEW, title=f"На рассмотрении № {i}")
    world.session.commit()
    sign_in(client, "reviewer")

    def row(n: int) -> str:
        page = client.get(f"/review/?tab=all&page={n}").get_data(as_text=True)
        body = page[page.index("<tbody>"):page.index("</tbody>")]
        # Not what differs between the two programmes: the title, the link, when submitted.
        return re.sub(r'На рассмотрении № \d|/programmes/\d+|<td class="nowrap small">[^<]*</td>',
                      "", body)

    first, second = row(1), row(2)
    assert first == second
    for shown in (world.own.name, world.reviewer.full_name, world.campaign.title, "1 июня 2026",
                  "На рассмотрении"):
        assert shown in first, shown
