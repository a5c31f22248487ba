"""Decision letters and the registration journal: numbering, signing, the hash chain."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from tests.factories import SIGNING_PIN, add_external_remark, assess_all, programme_in
from tests.workflow.support import letters_of
from tests.workflow.workers import run_in_processes, sign_many
from workflow import audit, audit_verify, letter_drafting, letter_registration, operations, review
from workflow.errors import IllegalTransition, PermissionDenied, StaleVersion
from workflow.models import Letter, OrganisationProfile, RegistrationCounter
from workflow.states import LetterKind, LetterState, ProgrammeState, RemarkVisibility


def _circular(w, n=1):
    return [
        letter_drafting.draft_circular(w.session, w.campaign, w.reviewer, now=w.clock.tick(),
                                       heading=f"Циркуляр {i}", body=f"Текст циркуляра {i}")
        for i in range(n)
    ]


def _sign(w, letter, **kw):
    return letter_registration.sign_letter(w.session, letter, w.signatory, now=w.clock.tick(),
                                           pin=SIGNING_PIN, sealer=None, **kw)


# ------------------------------------------------------------------ decision letters


def test_approve_drafts_an_approval_letter(world):
    p = programme_in(world, ProgrammeState.DECISION_PENDING)
    (letter,) = letters_of(world.session, p.id)
    assert (letter.kind, letter.state, letter.number, letter.seq) == (
        LetterKind.APPROVAL, LetterState.DRAFT, None, None)
    assert letter.municipality_id == world.own.id
    assert letter.drafted_by_id == world.reviewer.id
    assert letter.heading == "О согласовании муниципальной программы"
    # The title begins with "Программа": not "муниципальную программу «Программа …»".
    assert ("сообщает, что муниципальная программа профориентации на 2026–2028 годы, "
            "направленная письмом от 20.02.2026 № 01-12/345, рассмотрена и согласована"
            ) in letter.body
    assert "«Программа" not in letter.body
    assert letter.salutation == "Уважаемая Ирина Петровна!"
    assert (letter.reply_to_number, letter.reply_to_date) == ("01-12/345", date(2026, 2, 20))


def test_return_drafts_a_letter_listing_open_external_remarks_by_requirement(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    r1, r2, r3 = (r.id for r in w.campaign.requirements)

    def remark(rid, body, visibility=RemarkVisibility.EXTERNAL):
        return review.add_remark(w.session, p, w.reviewer, requirement_id=rid, body=body,
                                 visibility=visibility, now=w.clock.tick())

    remark(r2, "Нет показателей результативности")
    remark(r1, "Не указаны сроки")
    remark(r2, "Не указан ответственный")
    remark(r1, "Внутреннее: сверить с бюджетом", RemarkVisibility.INTERNAL)
    resolved = remark(r3, "Уже снятое замечание")
    review.resolve_remark(w.session, p, resolved, w.reviewer, now=w.clock.tick())
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                   reason="Программа не отвечает требованиям.")

    (letter,) = letters_of(w.session, p.id)
    assert (letter.kind, letter.state) == (LetterKind.RETURN, LetterState.DRAFT)
    paragraphs = letter.body.split("\n\n")
    assert "Основание возврата: Программа не отвечает требованиям." in paragraphs
    start = next(i for i, t in enumerate(paragraphs) if t.startswith("По требованию № 1"))
    assert paragraphs[start:start + 5] == [
        "По требованию № 1 («Требование номер 1»):",
        "– Не указаны сроки",
        "По требованию № 2 («Требование номер 2»):",
        "– Нет показателей результативности",
        "– Не указан ответственный",
    ]
    assert "Внутреннее" not in letter.body
    assert "Уже снятое" not in letter.body
    assert "требованию № 3" not in letter.body


# ------------------------------------------------------------------ signing


def test_only_a_signatory_signs(world):
    w = world
    (letter,) = _circular(w)
    for actor in (w.reviewer, w.other_reviewer, w.admin, w.editor):
        with pytest.raises(PermissionDenied):
            letter_registration.sign_letter(w.session, letter, actor, now=w.clock.tick(), pin=SIGNING_PIN,
                                    sealer=None)
    assert letter.state == LetterState.DRAFT and letter.number is None
    assert w.session.scalar(select(RegistrationCounter.last)) is None

    signed_at = w.clock.tick()
    letter_registration.sign_letter(w.session, letter, w.signatory, now=signed_at, pin=SIGNING_PIN,
                                    sealer=None)
    assert (letter.state, letter.number, letter.seq, letter.journal_year) == (
        LetterState.SIGNED, "23/1", 1, 0)
    assert letter.signatory_id == w.signatory.id
    assert letter.signed_at == signed_at
    # 09:0x UTC on 2 March is the same calendar day in Vladivostok.
    assert letter.registered_on == date(2026, 3, 2)
    assert '"number": "23/1"' in letter.final_data
    assert "М.В. Шкуратская" in letter.final_data


def test_signing_twice_is_refused(world):
    (letter,) = _circular(world)
    _sign(world, letter)
    with pytest.raises(IllegalTransition):
        _sign(world, letter)
    with pytest.raises(StaleVersion):
        _sign(world, letter, expected_version=1)
    assert letter.number == "23/1"
    assert world.session.scalar(select(RegistrationCounter.last)) == 1


def test_a_cancelled_letter_cannot_be_signed(world):
    (letter,) = _circular(world)
    letter_drafting.cancel_letter(world.session, letter, world.reviewer, now=world.clock.tick())
    with pytest.raises(IllegalTransition):
        _sign(world, letter)
    assert letter.number is None


def test_numbers_continue_from_a_legacy_number(world):
    legacy, nxt, third = _circular(world, 3)
    _sign(world, legacy, legacy_number=6666, legacy_date=date(2022, 7, 15))
    assert (legacy.number, legacy.registered_on) == ("23/6666", date(2022, 7, 15))
    _sign(world, nxt)
    _sign(world, third)
    assert (nxt.number, third.number) == ("23/6667", "23/6668")
    world.session.commit()
    assert audit_verify.verify_journal(world.session) is None


def test_yearly_numbering_restarts_each_year_in_the_ministrys_time_zone(world):
    w = world
    w.session.scalar(select(OrganisationProfile)).numbering = "yearly"
    a, b, c, d = _circular(w, 4)
    w.clock.now = datetime(2026, 12, 31, 13, 0, tzinfo=UTC)  # 23:00 in Vladivostok
    _sign(w, a)
    _sign(w, b)
    w.clock.now = datetime(2026, 12, 31, 14, 30, tzinfo=UTC)  # 00:30 on 1 January there
    letter_registration.sign_letter(w.session, c, w.signatory, now=w.clock.now, pin=SIGNING_PIN, sealer=None)
    letter_registration.sign_letter(w.session, d, w.signatory, now=w.clock.now, pin=SIGNING_PIN, sealer=None)
    assert [(x.number, x.journal_year, x.registered_on) for x in (a, b, c, d)] == [
        ("23/1", 2026, date(2026, 12, 31)), ("23/2", 2026, date(2026, 12, 31)),
        ("23/1", 2027, date(2027, 1, 1)), ("23/2", 2027, date(2027, 1, 1))]
    w.session.commit()
    assert audit_verify.verify_journal(w.session) is None


@pytest.mark.parametrize("column", ["final_data", "number", "registered_on"])
def test_verify_journal_names_a_tampered_row(world, column):
    w = world
    signed = [_sign(w, x) for x in _circular(w, 3)]
    w.session.commit()
    assert audit_verify.verify_journal(w.session) is None
    target = signed[1]
    value = {"final_data": "'{}'", "number": "'23/9999'", "registered_on": "'2020-01-01'"}[column]
    w.session.execute(text(f"UPDATE letter SET {column} = {value} WHERE id = :id"),
                      {"id": target.id})
    w.session.commit()
    w.session.expire_all()
    broken = audit_verify.verify_journal(w.session)
    assert broken is not None
    assert (broken.table, broken.row_id) == ("letter", target.id)


def test_the_signed_chain_links_each_letter_to_the_previous_number(world):
    signed = [_sign(world, x) for x in _circular(world, 3)]
    assert signed[0].prev_hash == audit.GENESIS
    assert [x.prev_hash for x in signed[1:]] == [x.hash for x in signed[:-1]]


def test_decision_letters_are_numbered_in_the_same_journal(world):
    approved = programme_in(world, ProgrammeState.DECISION_PENDING, title="Первая")
    p = programme_in(world, ProgrammeState.IN_REVIEW, title="Вторая")
    assess_all(world, p)
    add_external_remark(world, p)
    operations.return_for_revision(world.session, p, world.reviewer, now=world.clock.tick(),
                                   reason="Доработать")
    for letter in letters_of(world.session, approved.id) + letters_of(world.session, p.id):
        _sign(world, letter)
    assert [x.number for x in letters_of(world.session, approved.id) + letters_of(world.session, p.id)] == [
        "23/1", "23/2"]


# ------------------------------------------------------------------ numbering under concurrency

PROCESSES, PER_PROCESS = 6, 10


@pytest.mark.slow
def test_six_signers_at_once_get_unique_gapless_numbers(world, session_factory, db_url):
    drafts = _circular(world, PROCESSES * PER_PROCESS)
    world.session.commit()
    ids = [x.id for x in drafts]
    signatory_id = world.signatory.id
    world.session.close()

    results = run_in_processes(
        sign_many, [(db_url, ids[i::PROCESSES], signatory_id) for i in range(PROCESSES)])
    assert [r[0] for r in results] == ["ok"] * PROCESSES, results

    with session_factory() as s:
        rows = s.scalars(select(Letter).where(Letter.id.in_(ids))).all()
        seqs = sorted(x.seq for x in rows)
        assert seqs == list(range(1, PROCESSES * PER_PROCESS + 1))
        assert len({x.number for x in rows}) == len(rows)
        assert all(x.state == LetterState.SIGNED for x in rows)
        assert s.scalar(select(RegistrationCounter.last)) == PROCESSES * PER_PROCESS
        assert audit_verify.verify_journal(s) is None
    reported = sorted(seq for _, pairs in results for _, seq in pairs)
    assert reported == seqs
