"""The whole round trip in a real browser (headless Chromium), with a screenshot of each
step in test-artifacts/roundtrip/. Run with `pytest -m browser`."""

from __future__ import annotations

import os
import re
import shutil
from functools import partial
from pathlib import Path

import pytest

from tests.factories import build_world, sign_pending_decision
from tests.web.browser import browser_page, served_app
from tests.web.browser import sign_in as sign_in_as

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "roundtrip"


@pytest.fixture
def server(tmp_path, monkeypatch):
    def seed(session, clock):
        world = build_world(session, clock)
        session.flush()
        return [(r.id, r.position) for r in world.campaign.requirements]

    with served_app(tmp_path, monkeypatch, seed) as served:
        # For the tests that sign a pending decision from outside the app (sign_pending_decision).
        monkeypatch.setenv("BROWSER_TEST_DATABASE_URL", served.url)
        yield served


def test_round_trip_in_the_browser(server):
    from playwright.sync_api import expect

    requirements = server.seeded
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    step = iter(range(1, 100))

    with browser_page(record_http_errors=True) as page:
        errors = page.errors
        sign_in = partial(sign_in_as, page, server)

        def shot(name: str) -> None:
            page.screenshot(path=str(ARTIFACTS / f"{next(step):02d}-{name}.png"), full_page=True)

        def act(trigger: str, reason: str | None = None) -> None:
            if reason is not None:
                page.click(f"details.reason-action summary:has-text('{label[trigger]}')")
                page.fill(f"#reason-{trigger}", reason)
            page.click(f"button[data-trigger={trigger}]")

        label = {"return_for_revision": "Вернуть на доработку", "withdraw": "Отозвать"}
        (r1, _), (r2, _), (r3, _) = requirements

        # The editor signs in, creates and fills a programme, and submits it.
        sign_in("editor")
        expect(page.locator("h1")).to_contain_text("Программы муниципалитета")
        shot("editor-home")
        page.click("text=Создать программу")
        page.fill("#title", "Программа профориентации Артёмовского городского округа")
        page.fill("#responsible_phone", "(42337) 4-12-34")
        page.fill("#outgoing_number", "01-12/345")
        page.fill("#outgoing_date", "2026-02-27")
        page.fill(f"#section_{r1}", "Разработана программа профориентации на 2026–2028 годы. "
                                    "Охват обучающихся 8–11 классов составит 80 процентов.")
        page.fill(f"#section_{r2}", "Заключены соглашения с колледжами и предприятиями округа.")
        page.fill(f"#section_{r3}", "Межведомственный план включает учреждения культуры и спорта.")
        shot("editor-new-programme-form")
        page.click("button:has-text('Создать черновик')")
        expect(page.locator(".flash-success")).to_contain_text("Черновик программы создан")
        shot("editor-draft")
        programme_url = page.url
        act("submit")
        expect(page.locator(".badge-lg")).to_have_text("Направлена в министерство")
        shot("editor-submitted")

        # The reviewer takes it, assesses, remarks, and returns it with a reason.
        sign_in("reviewer")
        expect(page.locator("h1")).to_have_text("Очередь рассмотрения")
        shot("reviewer-queue")
        page.click("text=Программа профориентации Артёмовского городского округа")
        act("start_review")
        expect(page.locator(".badge-lg")).to_have_text("На рассмотрении")
        section = page.locator(f"#req-{r1}")
        section.locator("input[name=verdict][value=partly]").check()
        section.locator("textarea[name=comment]").fill("Нет показателей по годам")
        section.locator("button:has-text('Сохранить оценку')").click()
        section = page.locator(f"#req-{r1}")
        section.locator("details.add-remark summary").click()
        section.locator(f"#remark-body-{r1}").fill("Укажите целевые показатели охвата по годам.")
        section.locator("button:has-text('Добавить замечание')").click()
        expect(page.locator(".flash-success")).to_contain_text("Замечание добавлено")
        shot("reviewer-assessed-and-remarked")
        act("return_for_revision", "Программа требует доработки: не указаны показатели.")
        # A proposal: the return takes effect when the signatory signs its letter.
        expect(page.locator(".badge-lg")).to_have_text("На согласовании решения")
        sign_pending_decision(os.environ["BROWSER_TEST_DATABASE_URL"],
                              title="Программа профориентации Артёмовского городского округа")
        page.reload()
        expect(page.locator(".badge-lg")).to_have_text("Возвращена на доработку")
        shot("reviewer-returned")

        # The editor answers the remark, edits the section and resubmits.
        sign_in("editor")
        expect(page.locator("td.next-step")).to_contain_text("Ответьте на замечания")
        shot("editor-home-returned")
        page.goto(programme_url)
        remark = page.locator("article.remark").first
        remark_id = re.sub(r"\D", "", remark.get_attribute("id"))
        expect(page.locator("button[data-trigger=resubmit]")).to_have_count(0)
        shot("editor-sees-remark")
        page.fill(f"#reply-{remark_id}", "Показатели охвата по годам добавлены в раздел 1.")
        page.click(f"#remark-{remark_id} button:has-text('Ответить')")
        expect(page.locator(".flash-success")).to_contain_text("Ответ на замечание сохранён")
        page.click("a:has-text('Редактировать')")
        page.fill(f"#section_{r1}", "Разработана программа профориентации на 2026–2028 годы. "
                                    "Охват обучающихся 8–11 классов составит 85 процентов в "
                                    "2026 году и 90 процентов в 2028 году.")
        shot("editor-edits-section")
        page.click("button:has-text('Сохранить')")
        expect(page.locator(".flash-success")).to_contain_text("Изменения сохранены")
        act("resubmit")
        # Straight back to the reviewer who returned it (no second "Взять на рассмотрение").
        expect(page.locator(".badge-lg")).to_have_text("На рассмотрении")
        shot("editor-resubmitted")

        # The reviewer sees the redline, resolves the remark, assesses all met, approves.
        sign_in("reviewer")
        page.goto(programme_url)
        expect(page.locator(f"#req-{r1} .redline ins").first).to_be_visible()
        expect(page.locator(f"#req-{r1} .redline del").first).to_be_visible()
        shot("reviewer-redline")
        page.click(f"#remark-{remark_id} details.reply-form summary")
        page.click(f"#remark-{remark_id} button:has-text('Снять замечание')")
        expect(page.locator(".flash-success")).to_contain_text("Замечание снято")
        for rid, _ in requirements:
            form = page.locator(f"#req-{rid} form.assess-form")
            form.locator("input[value=met]").check()
            form.locator("button:has-text('Сохранить оценку')").click()
            expect(page.locator(".flash-success")).to_contain_text("Оценка сохранена")
        shot("reviewer-ready-to-approve")
        act("approve")
        expect(page.locator(".badge-lg")).to_have_text("На согласовании решения")
        sign_pending_decision(os.environ["BROWSER_TEST_DATABASE_URL"],
                              title="Программа профориентации Артёмовского городского округа")
        page.reload()
        expect(page.locator(".badge-lg")).to_have_text("Согласована")
        shot("reviewer-approved")

        # The same page on a tablet.
        page.set_viewport_size({"width": 768, "height": 1024})
        shot("tablet-programme")
        assert not errors, errors
    assert len(list(ARTIFACTS.glob("*.png"))) >= 14
