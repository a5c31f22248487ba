"""The list pages keep their rendered table by what it shows (web/fragment_cache.py): the
same rows are rendered once, and any change of what the table shows (a row, the language,
the audience, the query string) renders it anew."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from markupsafe import Markup

from tests.factories import programme_in
from tests.web.conftest import sign_in
from web.fragment_cache import FragmentCache
from workflow import operations
from workflow.states import ProgrammeState


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_cache_renders_once_per_key_and_forgets_the_oldest():
    cache = FragmentCache(maxsize=2)
    calls = []

    def render(value):
        return lambda: calls.append(value) or f"<b>{value}</b>"

    assert cache.get_or_render("a", render("a")) == Markup("<b>a</b>")
    assert cache.get_or_render("a", render("again")) == Markup("<b>a</b>")
    assert calls == ["a"]
    cache.get_or_render("b", render("b"))
    cache.get_or_render("a", render("a2"))  # a is the most recent now
    cache.get_or_render("c", render("c"))  # b goes
    assert cache.get_or_render("a", render("a3")) == Markup("<b>a</b>")
    assert cache.get_or_render("b", render("b2")) == Markup("<b>b2</b>")
    assert calls == ["a", "b", "c", "b2"]


def _rows(page: str) -> list[str]:
    return re.findall(r'<a href="/programmes/\d+">([^<]+)</a>', page)


def test_a_changed_row_is_shown_changed(client, world):
    p = programme_in(world, ProgrammeState.SUBMITTED, title="Первое название")
    world.session.commit()
    sign_in(client, "reviewer")
    assert "Первое название" in _rows(text(client.get("/review/?tab=all")))
    assert "Первое название" in _rows(text(client.get("/review/?tab=all")))  # kept
    operations.start_review(world.session, p, world.reviewer, now=world.clock.tick())
    world.session.commit()
    page = text(client.get("/review/?tab=all"))
    row = page[page.index("Первое название"):]
    assert "На рассмотрении" in row[:800]
    p.title = "Второе название"
    world.session.commit()
    assert _rows(text(client.get("/review/?tab=all"))) == ["Второе название"]


def test_the_language_the_audience_and_the_query_string_are_part_of_the_key(client, world):
    programme_in(world, ProgrammeState.DECISION_PENDING, title="Решение в пути")
    world.session.commit()
    sign_in(client, "reviewer")
    badge = re.compile(r'<span class="badge badge-decision_pending">([^<]+)</span>')
    assert badge.findall(text(client.get("/programmes/"))) == ["На согласовании решения"]
    sign_in(client, "editor")  # a municipality sees a decision in transit as under review
    assert badge.findall(text(client.get("/programmes/"))) == ["На рассмотрении"]
    client.post("/lang/en", data={"next": "/programmes/"})
    english = badge.findall(text(client.get("/programmes/")))
    assert len(english) == 1 and english != ["На рассмотрении"]
    client.post("/lang/ru", data={"next": "/programmes/"})
    filtered = text(client.get("/programmes/?state=draft"))
    assert "Решение в пути" not in filtered
    assert re.search(r'<option value="draft"\s+selected', filtered)
    assert "Решение в пути" in text(client.get("/programmes/"))


def _token(page: str, action: str) -> str:
    return re.search(rf'action="{action}"[^>]*>\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)"', page).group(1)


def test_the_kept_top_bar_shows_new_badges_and_carries_a_working_token(client, world):
    from workflow.notifications import notify

    sign_in(client, "reviewer")
    first = text(client.get("/review/"))
    assert 'id="bell-count"' not in first
    text(client.get("/review/"))  # from the cache now
    notify(world.session, [world.reviewer], kind="test", text="Новое", now=world.clock.tick())
    world.session.commit()
    page = text(client.get("/review/"))
    assert re.search(r'id="bell-count">1<', page)
    # The token is put into the kept markup on every request, never a placeholder.
    assert "\x00" not in page
    assert client.post("/lang/en", data={"csrf_token": _token(page, "/lang/en"),
                                         "next": "/review/"}).status_code == 302
    english = text(client.get("/review/"))
    assert "Review queue" in english and "Очередь рассмотрения" not in english
    response = client.post("/logout", data={"csrf_token": _token(english, "/logout")})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/review/").status_code == 302  # signed out


def test_the_top_bar_is_each_users_own(client, world):
    sign_in(client, "reviewer")
    assert world.reviewer.full_name in text(client.get("/review/"))
    client.post("/logout", data={"csrf_token": _token(text(client.get("/review/")), "/logout")})
    sign_in(client, "reviewer2")
    page = text(client.get("/review/"))
    assert world.reviewer.full_name not in page
    assert world.other_reviewer.full_name in page


def test_the_day_is_part_of_the_key(client, world):
    """A draft becomes overdue the day after the deadline with no row of it changing: the
    kept list is keyed by the day too."""
    programme_in(world, ProgrammeState.DRAFT, title="Черновик у срока")
    world.session.commit()
    world.clock.now = datetime.combine(world.campaign.deadline, time(13, 30), tzinfo=UTC)
    sign_in(client, "reviewer")
    page = text(client.get("/review/?tab=all"))
    assert "Черновик у срока" in page and "row-overdue" not in page
    world.clock.now += timedelta(minutes=40)  # 00:10 in Vladivostok (UTC+10): a day later
    assert "row-overdue" in text(client.get("/review/?tab=all"))
