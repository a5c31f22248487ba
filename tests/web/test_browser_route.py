"""The demo route on screen in headless Chromium: the expert proposes approval, two heads of
department give visas (one «с замечаниями»), the signatory signs with PIN and TOTP, and the
programme is approved. The programme page with its route diagram is saved as
test-artifacts/route-diagram.png. Run with `pytest -m browser`."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from tests.factories import SIGNING_PIN, assess_all, build_world, programme_in
from tests.route_demo import add_route
from tests.web.browser import browser_page, served_app
from tests.web.browser import sign_in as sign_in_as
from workflow.states import ProgrammeState

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOT = ARTIFACTS / "route-diagram.png"


@pytest.fixture
def server(tmp_path, monkeypatch):
    def seed(session, clock):
        world = build_world(session, clock)
        add_route(world)
        programme = programme_in(world, ProgrammeState.IN_REVIEW,
                                 title="Развитие профориентации в Артёмовском городском округе")
        assess_all(world, programme)
        session.flush()
        return programme.id

    with served_app(tmp_path, monkeypatch, seed) as served:
        yield served


def test_demo_route_on_screen(server):
    from playwright.sync_api import expect

    base, programme_id = server.base, server.seeded
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with browser_page() as page:
        errors = page.errors
        sign_in = partial(sign_in_as, page, server)

        programme_url = f"{base}/programmes/{programme_id}"

        # The expert proposes approval: the decision travels the route.
        sign_in("reviewer")
        page.goto(programme_url)
        page.click("button[data-trigger=approve]")
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator(".badge-lg")).to_have_text("На согласовании решения")

        # Two visas, one with remarks.
        for login, choice, comment in (
            ("head1", "approve", ""),
            ("head2", "approve_with_remarks", "Уточнить сроки мероприятий раздела 3"),
        ):
            sign_in(login)
            expect(page.locator("#nav-tasks .badge")).to_have_text("1")
            page.click("#nav-tasks")
            page.click("a:has-text('Принять решение')")
            page.check(f"input[name=decision][value={choice}]")
            if comment:
                page.fill("#comment", comment)
            page.click("button:has-text('Отправить решение')")
            expect(page.locator(".flash-success")).to_contain_text("Решение сохранено")

        # The signatory (PIN and TOTP) signs the letter: the decision takes effect.
        sign_in("signatory")
        page.click("#nav-tasks")
        expect(page.locator("table.tasks")).to_contain_text("Подпись заместителя министра")
        page.click("a:has-text('К письму')")
        page.fill("#sign-pin", SIGNING_PIN)
        page.click("button:has-text('Подписать и зарегистрировать')")
        expect(page.locator(".flash-success")).to_contain_text("Письмо подписано и зарегистрировано")
        expect(page.locator("#approval-sheet")).to_be_visible()

        # The programme page: approved, every stage done, the visas listed.
        sign_in("reviewer")
        page.goto(programme_url)
        expect(page.locator(".badge-lg")).to_have_text("Согласована")
        route = page.locator("#route")
        expect(route.locator("figure.diagram svg").first).to_be_visible()
        expect(route.locator("table.decisions")).to_contain_text("Согласовано с замечаниями")
        expect(route.locator("table.decisions")).to_contain_text("Уточнить сроки мероприятий")
        done = route.locator("g.stage.done")
        expect(done).to_have_count(3)
        page.locator("details.states-diagram summary").click()
        expect(page.locator("details.states-diagram g.current")).to_have_count(1)
        route.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        route.screenshot(path=str(ARTIFACTS / "route-diagram-panel.png"))
    assert errors == []
    assert SCREENSHOT.stat().st_size > 10_000
