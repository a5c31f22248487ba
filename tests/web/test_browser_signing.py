"""Signing with one's own key in a real browser (headless Chromium): the PIN field, a wrong
PIN that changes nothing, the signed letter, and the admin's certificate section. Screenshots
in test-artifacts/signing/. Run with `pytest -m browser`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.factories import PASSWORD, SIGNING_PIN, TOTP_SECRET, build_world, shared_pki_dir
from tests.web.test_browser_roundtrip import ARGS, CHROMIUM, RunningClock, serving
from web import create_app
from workflow import letters
from workflow.db import make_engine, make_session_factory
from workflow.models import Base
from workflow.second_factor import code_at_step, step_at

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "signing"


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
    letters.draft_reminders(session, world.campaign, world.reviewer, now=clock.tick())
    session.commit()
    signatory_id = world.signatory.id
    session.close()
    engine.dispose()
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app_clock = RunningClock(clock.tick(60))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test",
                      "CLOCK": app_clock, "PKI_DIR": str(shared_pki_dir()),
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    with serving(app) as base:
        yield base, signatory_id, app_clock


def test_signing_with_the_pin_in_the_browser(server):
    from playwright.sync_api import expect, sync_playwright

    base, signatory_id, app_clock = server
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
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
            if "/login/code" in page.url:  # the signatory's second factor (issue 12)
                page.fill("#code", code_at_step(TOTP_SECRET, step_at(app_clock())))
                page.click("button[type=submit]")

        sign_in("signatory")
        page.goto(f"{base}/letters/1")
        expect(page.locator("#sign-pin")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "01-sign-form.png"), full_page=True)
        page.fill("#sign-pin", "000000")
        page.click("button:has-text('Подписать и зарегистрировать')")
        expect(page.locator(".flash-error")).to_contain_text("Неверный PIN-код")
        expect(page.locator("#sign-pin")).to_be_visible()  # still a draft
        page.screenshot(path=str(ARTIFACTS / "02-wrong-pin.png"), full_page=True)
        page.fill("#sign-pin", SIGNING_PIN)
        page.click("button:has-text('Подписать и зарегистрировать')")
        expect(page.locator(".flash-success")).to_contain_text("Письмо подписано и зарегистрировано")
        expect(page.locator("text=Скачать PDF с электронной подписью")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Шкуратская Мария Викторовна")
        page.screenshot(path=str(ARTIFACTS / "03-signed.png"), full_page=True)

        sign_in("admin")
        page.goto(f"{base}/admin/users/{signatory_id}")
        expect(page.locator("#certificates")).to_contain_text("Шкуратская Мария Викторовна")
        expect(page.locator("#certificates")).to_contain_text("Выпустить демонстрационный сертификат")
        page.screenshot(path=str(ARTIFACTS / "04-admin-certificates.png"), full_page=True)
        browser.close()
    assert errors == []
