"""Signing with one's own key in a real browser (headless Chromium): the PIN field, a wrong
PIN that changes nothing, the signed letter, and the admin's certificate section. Screenshots
in test-artifacts/signing/. Run with `pytest -m browser`."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from tests.factories import SIGNING_PIN, build_world
from tests.web.browser import browser_page, served_app
from tests.web.browser import sign_in as sign_in_as
from workflow import letter_drafting

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "signing"


@pytest.fixture
def server(tmp_path, monkeypatch):
    def seed(session, clock):
        world = build_world(session, clock)
        letter_drafting.draft_reminders(session, world.campaign, world.reviewer, now=clock.tick())
        session.flush()
        return world.signatory.id

    with served_app(tmp_path, monkeypatch, seed) as served:
        yield served


def test_signing_with_the_pin_in_the_browser(server):
    from playwright.sync_api import expect

    base, signatory_id = server.base, server.seeded
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with browser_page() as page:
        errors = page.errors
        sign_in = partial(sign_in_as, page, server)

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
    assert errors == []
