"""Programme files in a real browser (headless Chromium): the editor attaches two files,
submits, replaces one after a return and removes the other; each revision shows its own
files. Screenshots in test-artifacts/files/. Run with `pytest -m browser`."""

from __future__ import annotations

import os
import shutil
from functools import partial
from pathlib import Path

import pytest

from tests.factories import sign_pending_decision
from tests.web.browser import browser_page
from tests.web.browser import sign_in as sign_in_as
from tests.web.test_browser_roundtrip import server  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "files"
V1 = b"%PDF-1.7\n% first\n%%EOF\n"
V2 = b"%PDF-1.7\n% second, corrected\n%%EOF\n"
ANNEX = b"%PDF-1.7\n% annex\n%%EOF\n"


def test_each_revision_shows_its_own_files_in_the_browser(server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    requirements = server.seeded
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    for name, data in (("Программа.pdf", V1), ("Приложение.pdf", ANNEX)):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "Программа.pdf").write_bytes(V2)

    with browser_page() as page:
        sign_in = partial(sign_in_as, page, server)

        def act(trigger: str, reason: str | None = None) -> None:
            if reason is not None:
                page.click("details.reason-action summary:has-text('Вернуть на доработку')")
                page.fill(f"#reason-{trigger}", reason)
            page.click(f"button[data-trigger={trigger}]")

        sign_in("editor")
        page.click("text=Создать программу")
        page.fill("#title", "Программа с файлами")
        for rid, _position in requirements:
            page.fill(f"#section_{rid}", "Текст раздела")
        page.click("button:has-text('Создать черновик')")
        programme_url = page.url
        page.click("a:has-text('Редактировать')")
        page.set_input_files("#attachment-file", [str(tmp_path / "Программа.pdf"),
                                                  str(tmp_path / "Приложение.pdf")])
        page.click("#files button:has-text('Загрузить')")
        expect(page.locator(".flash-success")).to_contain_text("Файлы загружены")
        expect(page.locator("#files li.file")).to_have_count(2)
        page.screenshot(path=str(ARTIFACTS / "01-editor-two-files.png"), full_page=True)
        page.goto(programme_url)
        act("submit")
        expect(page.locator(".badge-lg")).to_have_text("Направлена в министерство")

        sign_in("reviewer")
        page.goto(programme_url)
        act("start_review")
        rid = requirements[0][0]
        section = page.locator(f"#req-{rid}")
        section.locator("details.add-remark summary").click()
        section.locator(f"#remark-body-{rid}").fill("В файле нет показателей.")
        section.locator("button:has-text('Добавить замечание')").click()
        act("return_for_revision", "Нужны показатели")
        expect(page.locator(".badge-lg")).to_have_text("На согласовании решения")
        sign_pending_decision(os.environ["BROWSER_TEST_DATABASE_URL"], title="Программа с файлами")
        page.reload()
        expect(page.locator(".badge-lg")).to_have_text("Возвращена на доработку")

        sign_in("editor")
        page.goto(programme_url)
        remark_id = page.locator("article.remark").first.get_attribute("id").split("-")[1]
        page.fill(f"#reply-{remark_id}", "Показатели в новом файле.")
        page.click(f"#remark-{remark_id} button:has-text('Ответить')")
        page.click("a:has-text('Редактировать')")
        page.set_input_files("#attachment-file", str(tmp_path / "v2" / "Программа.pdf"))
        page.click("#files button:has-text('Загрузить')")
        expect(page.locator(".flash-success")).to_contain_text("загружен")
        page.click("#files li.file:has-text('Приложение.pdf') button:has-text('Убрать')")
        expect(page.locator(".flash-success")).to_contain_text("убран из рабочей копии")
        expect(page.locator("#files li.file")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "02-editor-replaced-and-removed.png"),
                        full_page=True)
        page.goto(programme_url)
        act("resubmit")
        expect(page.locator(".badge-lg")).to_have_text("На рассмотрении")

        sign_in("reviewer")
        page.goto(programme_url + "?rev=1")
        expect(page.locator("#files dt")).to_have_text("Файлы редакции № 1")
        expect(page.locator("#files li.file")).to_have_count(2)
        page.screenshot(path=str(ARTIFACTS / "03-reviewer-revision-1.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#files a:has-text('Программа.pdf')")
        assert Path(download.value.path()).read_bytes() == V1
        page.click("nav.revisions a:has-text('№ 2')")
        expect(page.locator("#files li.file")).to_have_count(1)
        with page.expect_download() as download:
            page.click("#files a:has-text('Программа.pdf')")
        assert Path(download.value.path()).read_bytes() == V2
        page.screenshot(path=str(ARTIFACTS / "04-reviewer-revision-2.png"), full_page=True)
