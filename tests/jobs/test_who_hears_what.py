"""Who hears what (issue 10), the lines the other mail tests do not cover, each delivered
through a real SMTP server (aiosmtpd) started here and parsed as it arrives: a resubmitted
programme to its reviewer; a new remark to the municipality's editors; on a route, a task
assigned, reassigned, due tomorrow and overdue (with the heads of department); a campaign
opened, its deadline in 7 days and in 1 day, and passed without a submission, to the
editors of the municipalities concerned; a certificate granted, to the signatories.

(Covered elsewhere, same server: a new programme and an answer to the reviewers, the signed
approval/return letter with its PDF to the editors, the signatories' digest of letters
awaiting signature and the signatory role granted: tests/jobs/test_mail_delivery.py.)"""

from __future__ import annotations

import email
from datetime import date, timedelta
from email import policy

import pytest
from sqlalchemy import select

from tests.factories import (
    PASSWORD,
    add_external_remark,
    demo_pkcs12,
    programme_in,
    sign,
)
from tests.jobs.conftest import SITE
from tests.workflow.test_campaigns import new_campaign
from tests.workflow.test_route_engine import REVIEW, SIGN, _propose, _route
from workflow import (
    campaigns,
    deadlines,
    operations,
    review,
    route_reassignment,
    signatory_certificates,
)
from workflow.models import Remark, StageTask
from workflow.routes import StageSpec
from workflow.states import ProgrammeState, RemarkState, Role
from workflow.users import create_user


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def received(smtp, address: str, subject: str | None = None) -> list:
    """The parsed mails that reached `address` (with that subject), in arrival order."""
    found = [parse(raw) for raw in smtp.messages]
    return [m for m in found if m["To"] == address and (subject is None or m["Subject"] == subject)]


@pytest.fixture
def server(jobs, mailboxes, smtp, monkeypatch):
    smtp.start()
    monkeypatch.setitem(jobs.config, "MAIL_URL", smtp.url)
    return smtp


def _person(w, login: str, role: Role, name: str, *, head: bool = False):
    user = create_user(w.session, login=login, full_name=name, role=role, password=PASSWORD,
                       now=w.clock(), position="Начальник отдела", phone="1",
                       enforce_policy=False)
    user.email = f"{login}@example.ru"
    user.heads_department = head
    return user


def test_a_resubmitted_programme_reaches_its_reviewer(mailboxes, server):
    w = mailboxes
    p = programme_in(w, ProgrammeState.RETURNED, title="Профориентация 2027")
    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id,
                                                         Remark.state == RemarkState.OPEN)):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено",
                             now=w.clock.tick())
    w.session.commit()
    before = len(received(server, "reviewer@example.ru"))
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()
    (mail,) = received(server, "reviewer@example.ru")[before:]
    assert mail["Subject"] == "Программа направлена повторно"
    assert "Профориентация 2027" in text_of(mail)
    assert f"{SITE}/programmes/{p.id}" in text_of(mail)
    # Only the reviewer who had it: the other reviewer hears nothing of the resubmission.
    assert not received(server, "other-reviewer@example.ru", "Программа направлена повторно")


def test_a_new_remark_reaches_the_municipalitys_editors(mailboxes, server):
    w = mailboxes
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    w.session.commit()
    add_external_remark(w, p, "Уточните охват обучающихся")
    w.session.commit()
    (mail,) = received(server, "editor@example.ru", "Новое замечание к программе")
    assert "Уточните охват обучающихся" in text_of(mail)
    assert f"{SITE}/programmes/{p.id}" in text_of(mail)
    assert not received(server, "foreign-editor@example.ru")  # another municipality


def test_a_route_task_assigned_reassigned_due_tomorrow_and_overdue(mailboxes, server):
    w = mailboxes
    first = _person(w, "head1", Role.REVIEWER, "Первов Иван Петрович")
    second = _person(w, "head2", Role.REVIEWER, "Вторая Анна Сергеевна")
    chief = _person(w, "chief", Role.REVIEWER, "Главный Олег Ильич", head=True)
    _route(w, [REVIEW, StageSpec("Виза", "endorse", "users", user_ids=[first.id, second.id],
                                 mode="any", limit_days=3), SIGN()])
    p = _propose(w, title="Программа «Курс на профессию»")
    w.session.commit()
    (assigned,) = received(server, "head1@example.ru", "Новая задача по согласованию")
    assert "«Курс на профессию»" in text_of(assigned) and "срок до" in text_of(assigned)
    assert f"{SITE}/programmes/{p.id}" in text_of(assigned)

    # Reassigned: the new assignee gets the task, the previous one hears it was passed on.
    task = w.session.scalar(select(StageTask).where(StageTask.assignee_id == first.id,
                                                    StageTask.state == "open"))
    route_reassignment.reassign_task(w.session, task, w.admin, chief, reason="Отпуск",
                               now=w.clock.tick())
    w.session.commit()
    (passed_on,) = received(server, "head1@example.ru", "Задача по согласованию передана")
    assert "Главный Олег Ильич" in text_of(passed_on) and "Отпуск" in text_of(passed_on)
    (given,) = received(server, "chief@example.ru", "Новая задача по согласованию")
    assert "передана задача" in text_of(given)

    # Due tomorrow: each open task's assignee, once.
    due_on = w.session.scalar(select(StageTask.due_on).where(StageTask.assignee_id == chief.id))
    w.session.commit()
    assert deadlines.escalate_overdue_tasks(w.session, due_on - timedelta(days=1),
                                            w.clock()) == 2
    w.session.commit()
    assert deadlines.escalate_overdue_tasks(w.session, due_on - timedelta(days=1),
                                            w.clock()) == 0
    w.session.commit()
    for address in ("chief@example.ru", "head2@example.ru"):
        (due,) = received(server, address, "Завтра срок задачи по согласованию")
        assert due_on.strftime("%d.%m.%Y") in text_of(due)
    assert not received(server, "head1@example.ru", "Завтра срок задачи по согласованию")

    # Overdue: the assignee and the heads of department (here: the chief, also an assignee,
    # once), never the municipality.
    late = due_on + timedelta(days=1)
    assert deadlines.escalate_overdue_tasks(w.session, late, w.clock()) == 2
    w.session.commit()
    (overdue,) = received(server, "head2@example.ru", "Просрочена задача по согласованию")
    assert "Вторая Анна Сергеевна" in text_of(overdue)
    chief_mails = received(server, "chief@example.ru", "Просрочена задача по согласованию")
    assert len(chief_mails) == 2  # his own task, and as head of department the other one
    assert {"Вторая Анна Сергеевна" in text_of(m) for m in chief_mails} == {True, False}
    assert not received(server, "editor@example.ru", "Просрочена задача по согласованию")


def test_a_campaign_opened_reaches_the_participating_editors(mailboxes, server):
    w = mailboxes
    campaign = new_campaign(w, title="Программы воспитания", deadline=date(2026, 5, 1),
                            municipality_ids=[w.own.id])
    letter = campaigns.prepare_circular(w.session, campaign, w.admin, now=w.clock.tick())
    w.session.commit()
    sign(w, letter)
    w.session.commit()
    (mail,) = received(server, "editor@example.ru", "Объявлена кампания: направьте программу")
    assert "«Программы воспитания»" in text_of(mail) and "01.05.2026" in text_of(mail)
    assert not received(server, "foreign-editor@example.ru",
                        "Объявлена кампания: направьте программу")


def test_deadline_in_seven_days_one_day_and_passed_reach_those_who_have_not_submitted(
        mailboxes, server):
    w = mailboxes
    programme_in(w, ProgrammeState.SUBMITTED)  # the own municipality has submitted
    w.session.commit()
    deadline = w.campaign.deadline
    for days in (7, 1, -1, -1):  # the last run repeats a day: nothing twice
        deadlines.run_daily(w.session, deadline - timedelta(days=days), w.clock())
        w.session.commit()
    soon = received(server, "foreign-editor@example.ru",
                    "Приближается срок представления программы")
    assert len(soon) == 2
    assert "через 7 дней" in text_of(soon[0]) and deadline.strftime("%d.%m.%Y") in text_of(soon[0])
    assert "01.06.2026" in text_of(soon[1])
    (passed,) = received(server, "foreign-editor@example.ru",
                         "Срок представления программы истёк")
    assert deadline.strftime("%d.%m.%Y") in text_of(passed)
    assert not received(server, "editor@example.ru", "Приближается срок представления программы")
    assert not received(server, "editor@example.ru", "Срок представления программы истёк")


def test_a_certificate_granted_reaches_the_signatories(mailboxes, server):
    w = mailboxes
    deputy = _person(w, "deputy", Role.SIGNATORY, "Орлова Елена Сергеевна")
    w.session.commit()
    signatory_certificates.add_certificate(w.session, deputy, w.admin,
                                           pkcs12_bytes=demo_pkcs12(deputy.full_name, "123456"),
                                           pin="123456", now=w.clock.tick(), source="demo")
    w.session.commit()
    (mail,) = received(server, "signatory@example.ru", "Добавлен сертификат подписи")
    assert "Орлова Елена Сергеевна" in text_of(mail)
