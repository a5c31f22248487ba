"""E-mail notifications end to end: an event writes the in-app row and the outbox row in its
own transaction; a job delivers through MAIL_URL to a real SMTP server (aiosmtpd) started
here; what arrives is parsed: decoded Russian subject, Russian text, absolute link, and the
signed letter's PDF. Retries, exactly-once, the file transport and preferences."""

from __future__ import annotations

import email
import io
from datetime import timedelta
from email import policy
from email.header import decode_header, make_header

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from documents.issue import issue_pending_letters
from tests.factories import (
    add_external_remark,
    assess_all,
    decision_letter,
    programme_in,
    sign,
)
from tests.jobs.conftest import SITE
from web.jobs.mail import deliver, deliver_due, run_digests
from workflow import notifications, operations, outbox
from workflow.models import Letter, MailOutbox, Notification
from workflow.states import ProgrammeState


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def raw_header(raw: bytes, name: str) -> str:
    """A header as sent, unfolded, before any decoding."""
    legacy = email.message_from_bytes(raw)  # compat32: values as they are on the wire
    return " ".join(str(legacy[name]).split())


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mails(fresh, **where) -> list[MailOutbox]:
    with fresh() as s:
        rows = list(s.scalars(select(MailOutbox).filter_by(**where).order_by(MailOutbox.id)))
        s.expunge_all()
    return rows


def later(world, minutes: float):
    world.clock.tick(minutes)
    return world.clock()


def test_a_submission_reaches_the_reviewers_by_smtp_in_russian_with_an_absolute_link(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    programme = programme_in(w, ProgrammeState.SUBMITTED, title="Профориентация 2026")
    w.session.commit()  # the hook enqueues; Huey (immediate) delivers at once

    received = [parse(raw) for raw in smtp.messages]
    assert sorted(m["To"] for m in received) == ["other-reviewer@example.ru",
                                                 "reviewer@example.ru"]
    message = received[0]
    assert message["Subject"] == "Поступила программа на рассмотрение"
    assert "=?utf-8?" in smtp.messages[0].decode("ascii").split("\n\n")[0].lower()  # encoded
    body = text_of(message)
    assert "Артёмовский городской округ: поступила программа «Профориентация 2026»" in body
    assert f"{SITE}/programmes/{programme.id}" in body
    # RFC 2047 decoding (Python's address parser adds a space between encoded words).
    assert str(make_header(decode_header(raw_header(smtp.messages[0], "From")))) \
        == "Министерство образования <robot@example.ru>"
    assert [m.state for m in mails(fresh)] == ["sent", "sent"]
    with fresh() as s:  # and the in-app rows, written with the event
        assert s.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "programme.submitted")) == 2


def test_a_signed_letter_is_mailed_with_its_pdf_once_the_pdf_exists(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    monkeypatch.setitem(jobs.config, "PKI_DIR", str(__import__("tests.factories").factories
                                                    .shared_pki_dir()))
    programme = programme_in(w, ProgrammeState.IN_REVIEW)
    assess_all(w, programme)
    operations.approve_programme(w.session, programme, w.reviewer, now=w.clock.tick())
    w.session.commit()
    letter = w.session.scalar(select(Letter).where(Letter.programme_id == programme.id))
    w.session.commit()
    sign(w, letter)
    w.session.commit()  # the mail is queued; its letter has no PDF yet: it waits
    (waiting,) = mails(fresh, letter_id=letter.id)
    assert waiting.state == "pending" and waiting.attempts == 0
    assert waiting.address == "editor@example.ru"
    assert not [raw for raw in smtp.messages if b"editor@example.ru" in raw]

    assert issue_pending_letters(jobs) == 1
    assert deliver_due(jobs, now=later(w, 2)) == {"sent": 1}
    (raw,) = [raw for raw in smtp.messages if b"editor@example.ru" in raw]
    message = parse(raw)
    assert message["Subject"] == "Подписано письмо министерства"
    assert f"№ {letter.number}" in text_of(message)
    assert f"{SITE}/letters/{letter.id}" in text_of(message)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().startswith("Письмо №")
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    assert letter.number in pdf.pages[0].extract_text()
    # Nothing is sent twice, however often the sweep and the job run.
    assert deliver_due(jobs, now=later(w, 60)) == {}
    assert deliver(jobs, waiting.id, now=later(w, 1)) == "skipped"
    assert len([raw for raw in smtp.messages if b"editor@example.ru" in raw]) == 1


def test_a_letter_whose_pdf_never_comes_is_mailed_with_its_link_after_the_wait(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    programme = programme_in(w, ProgrammeState.IN_REVIEW)
    add_external_remark(w, programme)
    operations.return_for_revision(w.session, programme, w.reviewer, now=w.clock.tick(),
                                   reason="Доработать")
    w.session.commit()
    letter = decision_letter(w, programme)
    w.session.commit()
    sign(w, letter)
    w.session.commit()
    assert deliver_due(jobs, now=later(w, 60)) == {"waiting": 1}
    assert deliver_due(jobs, now=later(w, 24 * 60)) == {"sent": 1}
    (raw,) = [r for r in smtp.messages if "Подписано письмо" in parse(r)["Subject"]]
    message = parse(raw)
    assert list(message.iter_attachments()) == []
    assert f"{SITE}/letters/{letter.id}" in text_of(message)


def test_smtp_down_is_retried_with_backoff_and_then_delivered_exactly_once(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    w = mailboxes
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)  # nobody listens yet
    programme = programme_in(w, ProgrammeState.IN_REVIEW)
    add_external_remark(w, programme)
    w.session.commit()
    # The submission's mails to both reviewers and the remark's mail to the editor failed.
    pending = mails(fresh, state="pending")
    assert pending and all(m.attempts == 1 and "Connection" in m.last_error for m in pending)
    assert all(m.next_attempt_at == w.clock() + outbox.BACKOFF_FIRST for m in pending)
    assert deliver_due(jobs, now=later(w, 0.1)) == {}  # not due before the backoff

    assert set(deliver_due(jobs, now=later(w, 1))) == {"retry"}  # still down: backoff doubles
    assert all(m.attempts == 2 for m in mails(fresh, state="pending"))

    smtp.start()
    outcome = deliver_due(jobs, now=later(w, 5))
    assert outcome == {"sent": len(pending)}
    ids = [parse(raw)["Message-ID"] for raw in smtp.messages]
    assert len(ids) == len(set(ids)) == len(pending)
    assert deliver_due(jobs, now=later(w, 60)) == {}
    assert len(smtp.messages) == len(pending)
    assert {m.attempts for m in mails(fresh)} == {3}
    editor_mail = [parse(r) for r in smtp.messages if b"editor@example.ru" in r]
    assert "Новое замечание к программе" in editor_mail[0]["Subject"]
    assert f"{SITE}/programmes/{programme.id}" in text_of(editor_mail[0])


def test_a_claimed_mail_is_sent_by_one_worker_only_and_a_crash_is_resent_after_the_lease(
        jobs, mailboxes, smtp, monkeypatch, fresh, session_factory):
    w = mailboxes
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    programme_in(w, ProgrammeState.SUBMITTED)
    w.session.commit()
    first = mails(fresh)[0]
    smtp.start()
    # A worker claims it and dies after the server accepted it (before recording "sent").
    with session_factory() as s, s.begin():
        claimed = outbox.claim(s, first.id, later(w, 1))
    assert claimed is not None
    with session_factory() as s, s.begin():
        assert outbox.claim(s, first.id, w.clock()) is None  # nobody else takes it meanwhile
    assert deliver(jobs, first.id, now=later(w, 1)) == "skipped"
    # After the lease it is claimable again: at-least-once in that window, same Message-ID.
    assert deliver(jobs, first.id, now=later(w, 11)) == "sent"
    assert [m.state for m in mails(fresh, id=first.id)] == ["sent"]


def test_the_file_transport_writes_a_parseable_eml(jobs, mailboxes, tmp_path, monkeypatch):
    w = mailboxes
    monkeypatch.setitem(jobs.config, "MAIL_URL", f"file://{tmp_path / 'mail'}")
    programme_in(w, ProgrammeState.SUBMITTED)
    w.session.commit()
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    message = parse(files[0].read_bytes())
    assert message["Subject"] == "Поступила программа на рассмотрение"
    assert "поступила программа" in text_of(message)
    assert message["To"] in ("reviewer@example.ru", "other-reviewer@example.ru")


def test_off_keeps_the_in_app_row_only_and_digest_sends_one_mail_for_several_events(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    notifications.set_preference(w.session, w.reviewer.id, "off")
    notifications.set_preference(w.session, w.other_reviewer.id, "digest")
    w.session.commit()
    w.session.refresh(w.reviewer)
    w.session.refresh(w.other_reviewer)
    w.session.commit()
    programme_in(w, ProgrammeState.SUBMITTED, title="Первая")
    programme_in(w, ProgrammeState.SUBMITTED, title="Вторая")
    w.session.commit()
    assert smtp.messages == []  # off: nothing; digest: not yet
    with fresh() as s:
        for user in (w.reviewer, w.other_reviewer):
            assert notifications.unread_count(s, user.id) == 2  # in-app for both
    assert mails(fresh) == []

    keys = run_digests(jobs, now=later(w, 1))
    assert len(keys) == 1
    (raw,) = smtp.messages
    message = parse(raw)
    assert message["To"] == "other-reviewer@example.ru"
    assert message["Subject"] == "Сводка: 2 уведомления"
    body = text_of(message)
    assert "«Первая»" in body and "«Вторая»" in body and f"{SITE}/notifications" in body
    assert run_digests(jobs, now=later(w, 1)) == []  # nothing twice
    assert len(smtp.messages) == 1


def test_letters_awaiting_signature_make_one_mail_not_one_per_letter(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    from workflow import letter_drafting

    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    drafted = letter_drafting.draft_reminders(w.session, w.campaign, w.reviewer, now=w.clock.tick())
    programme = programme_in(w, ProgrammeState.IN_REVIEW)
    add_external_remark(w, programme)
    operations.return_for_revision(w.session, programme, w.reviewer, now=w.clock.tick(),
                                   reason="Доработать")
    w.session.commit()
    assert len(drafted) == 2
    assert not [r for r in smtp.messages if b"signatory@example.ru" in r]
    run_digests(jobs, now=later(w, 15), batches_only=True)
    (raw,) = [r for r in smtp.messages if b"signatory@example.ru" in r]
    message = parse(raw)
    assert message["Subject"] == "Письма ожидают подписи"
    body = text_of(message)
    assert "2 проекта писем" in body and "возврате" in body


@pytest.mark.parametrize("url", ["smtp://", "ftp://host", "file://"])
def test_a_mail_url_that_cannot_work_is_refused_at_start(url):
    from web.settings import SettingError, load

    class App:
        instance_path = "/tmp"

    with pytest.raises(SettingError) as error:
        load({}, App(), {"MAIL_URL": url})
    assert "MAIL_URL" in str(error.value)


def test_backoff_doubles_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert outbox.backoff(30) == timedelta(hours=1)


def test_a_password_is_never_sent_to_a_server_without_starttls(
        jobs, mailboxes, smtp, monkeypatch, fresh):
    w = mailboxes
    smtp.start()  # aiosmtpd here offers no STARTTLS
    monkeypatch.setitem(jobs.config, "MAIL_URL", f"smtp://robot:secret@127.0.0.1:{smtp.port}")
    programme_in(w, ProgrammeState.SUBMITTED)
    w.session.commit()
    assert smtp.messages == []
    rows = mails(fresh)
    assert rows and all(m.state == "pending" and "STARTTLS" in m.last_error for m in rows)


def test_the_queue_down_at_enqueue_time_loses_nothing(jobs, mailboxes, smtp, monkeypatch, fresh):
    from web.jobs import mail as mail_jobs

    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)

    def queue_down(*_args, **_kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(mail_jobs, "deliver_mail", queue_down)
    programme_in(w, ProgrammeState.SUBMITTED)
    w.session.commit()  # the event commits all the same
    assert smtp.messages == [] and {m.state for m in mails(fresh)} == {"pending"}
    monkeypatch.undo()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    assert deliver_due(jobs, now=later(w, 1)) == {"sent": 2}  # what the sweep does
    assert len(smtp.messages) == 2


def test_an_event_rolled_back_leaves_no_notification_and_no_mail(jobs, mailboxes, smtp,
                                                                 monkeypatch, fresh):
    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    programme = programme_in(w, ProgrammeState.DRAFT)
    w.session.commit()
    operations.submit_programme(w.session, programme, w.editor, now=w.clock.tick())
    w.session.rollback()
    w.session.commit()
    assert mails(fresh) == [] and smtp.messages == []
    with fresh() as s:
        assert s.scalar(select(func.count(Notification.id))) == 0


def test_the_signatories_hear_of_a_new_signatory_and_reviewers_of_an_answer(
        jobs, mailboxes, smtp, monkeypatch):
    from workflow import admin_ops, review

    w = mailboxes
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    admin_ops.change_role(w.session, w.other_reviewer, w.admin, role="signatory",
                          municipality_id=None, now=w.clock.tick())
    w.session.commit()
    (granted,) = [parse(r) for r in smtp.messages if b"\r\nTo: signatory@" in r]
    assert granted["Subject"] == "Назначен новый подписант"
    assert w.other_reviewer.full_name in text_of(granted)

    programme = programme_in(w, ProgrammeState.RETURNED)
    w.session.commit()
    remark = programme_remark(w, programme)
    review.answer_remark(w.session, programme, remark, w.editor, body="Показатели уточнены",
                         now=w.clock.tick())
    w.session.commit()
    (answer,) = [parse(r) for r in smtp.messages if b"\r\nTo: reviewer@" in r
                 and "Ответ на замечание" in parse(r)["Subject"]]
    assert "Показатели уточнены" in text_of(answer)


def programme_remark(w, programme):
    from workflow.models import Remark

    return w.session.scalar(select(Remark).where(Remark.programme_id == programme.id))


@pytest.mark.slow
def test_workers_in_several_processes_send_each_mail_exactly_once(
        jobs, mailboxes, smtp, monkeypatch, fresh, db_url, tmp_path):
    from tests.jobs.workers import deliver_everything_due
    from tests.workflow.workers import run_in_processes

    w = mailboxes
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)  # down: every mail stays pending
    for i in range(6):
        programme_in(w, ProgrammeState.SUBMITTED, title=f"Программа {i}")
    w.session.commit()
    queued = mails(fresh)
    assert len(queued) == 12 and {m.state for m in queued} == {"pending"}
    smtp.start()
    results = run_in_processes(deliver_everything_due,
                               [(db_url, smtp.url, str(tmp_path / f"i{n}")) for n in range(3)])
    assert all(status == "ok" for status, _ in results), results
    sent = sum(outcome.get("sent", 0) for _, outcome in results)
    assert sent == 12
    ids = [parse(raw)["Message-ID"] for raw in smtp.messages]
    assert len(ids) == len(set(ids)) == 12
    assert {m.state for m in mails(fresh)} == {"sent"}
