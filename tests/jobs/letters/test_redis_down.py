"""Redis down at enqueue time, for real: the queue is a `RedisStorage` on a loopback port where
nothing listens (not a patched function). A bulk signing and a mail-sending event both commit
and answer normally; the PDFs and the mail wait in the database. When the queue is back (the
Redis of REDIS_URL when set, else an in-memory queue), the periodic sweeps deliver everything,
exactly once: one PDF per letter, one mail (aiosmtpd), and nothing more on the next sweeps."""

from __future__ import annotations

import os
import re
import socket

import pytest
from huey.storage import MemoryStorage, RedisStorage
from sqlalchemy import func, select

from tests.factories import SIGNING_PIN, add_external_remark, programme_in
from tests.jobs.letters_fixtures import drain, letter_rows
from web.jobs import letters as letter_jobs
from web.jobs import mail as mail_jobs
from workflow.models import MailOutbox, SignBatch
from workflow.states import ProgrammeState


def _dead_redis(name: str) -> RedisStorage:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens there once the socket is closed: every command is refused at once.
    return RedisStorage(name, url=f"redis://127.0.0.1:{port}/0?socket_connect_timeout=1")


def _queue_back(name: str):
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisStorage(name + "-notifyapi-test", url=url)
    return MemoryStorage(name)


def test_redis_down_at_enqueue_the_requests_succeed_and_the_sweeps_deliver_once(
        app, world, auth, client, make_letters, queued, smtp, monkeypatch, fresh):
    smtp.start()
    monkeypatch.setitem(app.config, "MAIL_URL", smtp.url)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://programmy.example.ru")
    world.editor.email = "editor@example.ru"
    world.session.commit()
    ids = [make_letters("circular")[0].id for _ in range(3)]
    programme = programme_in(world, ProgrammeState.IN_REVIEW)
    world.session.commit()

    queued.storage = _dead_redis(queued.name)
    with pytest.raises(Exception):  # noqa: B017 -- whatever redis-py raises: it is down
        queued.storage.enqueue(b"probe")
    auth.login(world.signatory)
    response = client.post("/signing/sign", data={"letter": [str(i) for i in ids],
                                                  "pin": SIGNING_PIN, "confirm": "y"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Очередь фоновых заданий сейчас недоступна" in html
    assert re.search(r'id="batch-pending">3<', html)
    assert [r.seq for r in letter_rows(world, ids)] == [1, 2, 3]
    assert {r.pdf_sha256 for r in letter_rows(world, ids)} == {None}
    add_external_remark(world, programme, "Уточните охват")
    world.session.commit()  # the event commits; its mail could not be enqueued
    with fresh() as s:
        assert s.scalars(select(MailOutbox.state)).all() == ["pending"]
    assert smtp.messages == []

    queued.storage = _queue_back(queued.name)
    queued.storage.flush_all()
    try:
        assert letter_jobs.sweep(app) == 3
        assert mail_jobs.mail_sweep.call_local() == 1
        drain(queued)
        # The next sweeps find nothing left to do, and nothing is sent twice.
        assert letter_jobs.sweep(app) == 0
        assert mail_jobs.mail_sweep.call_local() == 0
        drain(queued)
    finally:
        queued.storage.flush_all()
    rows = letter_rows(world, ids)
    assert all(r.pdf_sha256 for r in rows) and len({r.pdf_sha256 for r in rows}) == 3
    (mail,) = smtp.messages
    assert b"editor@example.ru" in mail
    with fresh() as s:
        assert s.scalars(select(MailOutbox.state)).all() == ["sent"]
        assert s.scalars(select(SignBatch.state)).one() == "finished"
        assert s.scalar(select(func.count()).select_from(SignBatch)) == 1
