"""The second factor in a real browser (headless Chromium): a signatory new to the system
signs in, is led to enrolment, adds the key to an "app" (pyotp reading the secret off the
page), confirms, keeps the recovery codes, signs out, signs in with password and code, and
sees the session on "Мои сеансы". Screenshots in test-artifacts/second-factor/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD, build_world
from tests.web.browser import browser_page, served_app
from workflow.second_factor import code_at_step, step_at
from workflow.states import Role
from workflow.users import create_user

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "second-factor"


@pytest.fixture
def server(tmp_path, monkeypatch):
    def seed(session, clock):
        build_world(session, clock)
        create_user(session, login="acting", full_name="Петров Пётр Петрович",
                    role=Role.SIGNATORY, password=PASSWORD, now=clock(), enforce_policy=False)

    with served_app(tmp_path, monkeypatch, seed) as served:
        yield served


def test_enrolment_and_sign_in_with_a_code_in_the_browser(server):
    from playwright.sync_api import expect

    base, clock = server.base, server.clock
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    step = iter(range(1, 100))

    with browser_page() as page:
        errors = page.errors

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"{next(step):02d}-{name}.png"), full_page=True)

        def password(login: str) -> None:
            page.goto(f"{base}/login")
            page.fill("#login", login)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")

        # A new signatory: the password leads to the enrolment, nothing else opens.
        password("acting")
        expect(page.locator("h1")).to_have_text("Второй фактор входа")
        expect(page.locator(".flash").first).to_contain_text("обязателен второй фактор")
        page.goto(f"{base}/programmes/")
        expect(page.locator("h1")).to_have_text("Второй фактор входа")
        shot("enrolment-required")
        page.click("button:has-text('Подключить второй фактор')")
        expect(page.locator("img[alt='QR-код для приложения-аутентификатора']")).to_be_visible()
        secret = page.locator("#totp-secret").inner_text()
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        shot("enrolment-qr")

        # A wrong first code is refused with the reason; the right one enrols.
        page.fill("#code", "000000")
        page.click("button:has-text('Подтвердить')")
        expect(page.locator(".flash-error")).to_contain_text("Неверный или устаревший код")
        page.fill("#code", code_at_step(secret, step_at(clock())))
        page.click("button:has-text('Подтвердить')")
        expect(page.locator("h1")).to_have_text("Коды восстановления")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        shot("recovery-codes")
        page.click("text=Я сохранил коды, продолжить")
        expect(page.locator("h1")).not_to_have_text("Второй фактор входа")

        # Sign out, then in again: password, then the code of the next time step.
        page.click("button:has-text('Выйти')")
        password("acting")
        expect(page.locator("h1")).to_have_text("Код подтверждения")
        shot("code-step")
        page.fill("#code", "123")
        page.click("button[type=submit]")
        expect(page.locator(".flash-error")).to_contain_text("Неверный или устаревший код")
        page.fill("#code", code_at_step(secret, step_at(clock()) + 1))
        page.click("button[type=submit]")
        expect(page.locator("button:has-text('Выйти')")).to_be_visible()

        # "Мои сеансы": this browser, signed in with password and code.
        page.click("text=Мои сеансы")
        expect(page.locator("h1")).to_have_text("Мои сеансы")
        expect(page.locator("table.list tbody tr")).to_have_count(1)
        expect(page.locator("table.list tbody tr").first).to_contain_text("пароль и код")
        shot("my-sessions")

        # Someone who watched the code being typed tries it in another browser: refused.
        other = page.context.browser.new_context(locale="ru-RU").new_page()
        other.goto(f"{base}/login")
        other.fill("#login", "acting")
        other.fill("#password", PASSWORD)
        other.click("button[type=submit]")
        other.fill("#code", code_at_step(secret, step_at(clock()) + 1))
        other.click("button[type=submit]")
        expect(other.locator(".flash-error")).to_contain_text("Этот код уже использован")
        other.screenshot(path=str(ARTIFACTS / f"{next(step):02d}-replay-refused.png"))
    assert errors == []
