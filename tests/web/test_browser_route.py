"""The demo route on screen in headless Chromium: the expert proposes approval, two heads of
department give visas (one «с замечаниями»), the signatory signs with PIN and TOTP, and the
programme is approved. The programme page with its route diagram is saved as
test-artifacts/route-diagram.png. Run with `pytest -m browser`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.factories import (
    PASSWORD,
    SIGNING_PIN,
    TOTP_SECRET,
    assess_all,
    build_world,
    programme_in,
    shared_pki_dir,
)
from tests.route_demo import add_route
from tests.web.test_browser_roundtrip import ARGS, CHROMIUM, RunningClock, serving
from web import create_app
from workflow.db import make_engine, make_session_factory
from workflow.models import Base
from workflow.second_factor import code_at_step, step_at
from workflow.states import ProgrammeState

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOT = ARTIFACTS / "route-diagram.png"


@pytest.fixture
def server(tmp_path, monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    clock = FakeClock()
    session = make_session_factory(engine)()
    world = build_world(session, clock)
    add_route(world)
    programme = programme_in(world, ProgrammeState.IN_REVIEW,
                             title="Развитие профориентации в Артёмовском городском округе")
    assess_all(world, programme)
    session.commit()
    programme_id = programme.id
    session.close()
    engine.dispose()
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app_clock = RunningClock(clock.tick(60))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test",
                      "CLOCK": app_clock, "PKI_DIR": str(shared_pki_dir()),
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    with serving(app) as base:
        yield base, programme_id, app_clock


def test_demo_route_on_screen(server):
    from playwright.sync_api import expect, sync_playwright

    base, programme_id, app_clock = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        def sign_in(login: str) -> None:
            if page.locator("button:has-text('Выйти')").count():
                page.click("button:has-text('Выйти')")
            page.goto(f"{base}/login")
            page.fill("#login", login)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            if "/login/code" in page.url:
                page.fill("#code", code_at_step(TOTP_SECRET, step_at(app_clock())))
                page.click("button[type=submit]")

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
        browser.close()
    assert errors == []
    assert SCREENSHOT.stat().st_size > 10_000
