"""The signatory's inbox: several drafts signed with one PIN, registered in the order shown in
one transaction, their PDFs made by jobs, the progress page, and every refusal explained."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import drain, letter_rows
from web.jobs.letters import sweep
from workflow import letter_drafting
from workflow.models import Letter, SignBatch, SignBatchItem, SignerCertificate
from workflow.states import LetterState


@pytest.fixture
def drafts(world, make_letters):
    """Reminders to every municipality and four circulars: the signatory's inbox."""
    reminders = [x.id for x in make_letters("reminder")]
    circulars = [make_letters("circular")[0].id for _ in range(4)]
    return {"reminders": reminders, "circulars": circulars, "all": sorted(reminders + circulars)}


def _sign(client, ids, *, pin=SIGNING_PIN, confirm=True, everything=False, **filters):
    data = {"letter": [str(i) for i in ids], "pin": pin, **filters}
    if confirm:
        data["confirm"] = "y"
    if everything:
        data["everything"] = "1"
    return client.post("/signing/sign", data=data, follow_redirects=True)


def _count(fresh, model):
    with fresh() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_inbox_lists_drafts_filtered_by_kind_and_only_for_a_signatory(world, auth, client,
                                                                           drafts):
    auth.login(world.signatory)
    page = client.get("/signing/").get_data(as_text=True)
    listed = set(map(int, re.findall(r'name="letter" value="(\d+)"', page)))
    assert listed == set(drafts["all"])
    page = client.get("/signing/?kind=circular").get_data(as_text=True)
    assert set(map(int, re.findall(r'name="letter" value="(\d+)"', page))) == set(drafts["circulars"])
    # A campaign id beyond INTEGER (PostgreSQL refuses it in a query) is no filter, not a 500.
    page = client.get("/signing/?campaign=99999999999999999999")
    assert page.status_code == 200
    assert set(map(int, re.findall(r'name="letter" value="(\d+)"', page.get_data(as_text=True)))) \
        == set(drafts["all"])
    auth.logout()
    auth.login(world.reviewer)
    assert client.get("/signing/").status_code == 403
    assert client.post("/signing/sign", data={"letter": drafts["all"][:1],
                                              "pin": SIGNING_PIN, "confirm": "y"}).status_code == 403


def test_selected_letters_are_registered_in_order_and_the_batch_finishes(world, auth, client,
                                                                          drafts, fresh):
    ids = drafts["all"][:3]
    auth.login(world.signatory)
    response = _sign(client, ids)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Пакет подписания №" in html
    rows = letter_rows(world, ids)
    assert [r.seq for r in rows] == [1, 2, 3]  # gapless, in the order shown (by id)
    assert all(r.state == LetterState.SIGNED and r.pdf_sha256 for r in rows)
    assert re.search(r'id="batch-done">3<', html) and re.search(r'id="batch-failed">0<', html)
    assert f"Зарегистрированы письма № {rows[0].number} – № {rows[2].number}." in html
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    with fresh() as s:
        batch = s.scalars(select(SignBatch)).one()
        assert (batch.total, batch.done, batch.failed, batch.state) == (3, 3, 0, "finished")
        assert batch.user_id == world.signatory.id


def test_sign_all_shown_by_the_filter(world, auth, client, drafts):
    auth.login(world.signatory)
    _sign(client, [], everything=True, kind="circular")
    rows = letter_rows(world, drafts["all"])
    signed = [r for r in rows if r.state == LetterState.SIGNED]
    assert [r.id for r in signed] == sorted(drafts["circulars"])
    assert [r.seq for r in signed] == [1, 2, 3, 4]


def test_a_letter_that_is_not_a_draft_refuses_the_whole_selection(world, auth, client, drafts,
                                                                  fresh):
    first, second, third = drafts["all"][:3]
    with fresh() as s:
        letter_drafting.cancel_letter(s, s.get(Letter, second), s.merge(world.reviewer),
                                      now=world.clock.tick())
    auth.login(world.signatory)
    html = _sign(client, [first, second, third]).get_data(as_text=True)
    assert "Подписать можно только проекты писем" in html and f"проект № {second}" in html
    assert all(r.seq is None for r in letter_rows(world, [first, third]))
    assert _count(fresh, SignBatch) == 0


def test_a_letter_already_in_another_batch_is_refused(world, auth, client, drafts, fresh):
    first, second = drafts["all"][:2]
    auth.login(world.signatory)
    _sign(client, [first])
    html = _sign(client, [first, second]).get_data(as_text=True)
    assert "уже в другом пакете подписания" in html
    assert letter_rows(world, [second])[0].seq is None
    assert _count(fresh, SignBatch) == 1


def test_a_wrong_pin_registers_nothing_and_counts_towards_the_lockout(world, auth, client,
                                                                      drafts, fresh):
    ids = drafts["all"][:2]
    auth.login(world.signatory)
    html = _sign(client, ids, pin="000000").get_data(as_text=True)
    assert "Неверный PIN-код ключа электронной подписи; письма не подписаны" in html
    assert all(r.state == LetterState.DRAFT for r in letter_rows(world, ids))
    assert _count(fresh, SignBatch) == 0
    with fresh() as s:
        assert s.scalar(select(func.sum(SignerCertificate.pin_failures))) == 1


def test_without_a_selection_or_the_confirmation_nothing_is_signed(world, auth, client, drafts,
                                                                   fresh):
    auth.login(world.signatory)
    assert "Выберите письма для подписи" in _sign(client, []).get_data(as_text=True)
    html = _sign(client, drafts["all"][:1], confirm=False).get_data(as_text=True)
    assert "Подтвердите подписание" in html
    assert _count(fresh, SignBatch) == 0


def test_queue_down_the_batch_is_registered_and_the_sweep_delivers(
        app, world, auth, client, drafts, queued, fresh, monkeypatch):
    ids = drafts["all"][:3]
    auth.login(world.signatory)

    def refused(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(queued.storage, "enqueue", refused)
        response = _sign(client, ids)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Очередь фоновых заданий сейчас недоступна" in html
    assert re.search(r'id="batch-pending">3<', html) and 'http-equiv="refresh"' in html
    assert [r.seq for r in letter_rows(world, ids)] == [1, 2, 3]

    assert sweep(app) == 3
    assert drain(queued) == 3
    page = client.get(response.request.path).get_data(as_text=True)
    assert re.search(r'id="batch-done">3<', page)
    with fresh() as s:
        assert s.scalars(select(SignBatch.state)).one() == "finished"


def test_failures_are_listed_with_their_reason_after_the_retries(
        app, world, auth, client, drafts, queued, monkeypatch, fresh):
    from documents.render import LetterRenderer

    app.config.update(JOBS_RETRIES=1, JOBS_RETRY_DELAY=0.0)
    ids = drafts["all"][:3]
    original = LetterRenderer.render_pdf

    def flaky(self, ctx):
        if ctx.number == "23/2":
            raise OSError("диск переполнен")
        return original(self, ctx)

    monkeypatch.setattr(LetterRenderer, "render_pdf", flaky)
    auth.login(world.signatory)
    response = _sign(client, ids)
    assert drain(queued) == 4  # three jobs, one retry
    page = client.get(response.request.path).get_data(as_text=True)
    assert re.search(r'id="batch-done">2<', page) and re.search(r'id="batch-failed">1<', page)
    assert "Не удалось сформировать PDF" in page and "диск переполнен" in page and "№ 23/2" in page
    with fresh() as s:
        item = s.scalars(select(SignBatchItem).where(SignBatchItem.state == "failed")).one()
        assert "диск переполнен" in item.error

    # The PDF made later (the letter page's button) turns the failure into done.
    monkeypatch.undo()
    failed_id = item.letter_id
    client.post(f"/letters/{failed_id}/render")
    drain(queued)
    page = client.get(response.request.path).get_data(as_text=True)
    assert re.search(r'id="batch-done">3<', page) and re.search(r'id="batch-failed">0<', page)


def test_another_signatorys_batch_is_not_shown(world, auth, client, drafts, fresh):
    auth.login(world.signatory)
    response = _sign(client, drafts["all"][:1])
    path = response.request.path
    auth.logout()
    auth.login(world.reviewer)
    assert client.get(path).status_code == 403
