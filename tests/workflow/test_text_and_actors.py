"""The domain's own refusals, whatever the caller (screen, API, script):

- text with NUL, control characters, bidi overrides/isolates, lone surrogates or Unicode
  noncharacters is refused by every operation that accepts text, naming the field, and
  nothing is written; line breaks and tabs are text;
- an inactive actor reaches no operation at all;
- the editors of a disabled municipality reach no operation at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import SIGNING_PIN, add_external_remark, assess_all, programme_in
from workflow import (
    admin_ops,
    files,
    letter_dispatch,
    letter_drafting,
    letter_registration,
    operations,
    programme_drafting,
    review,
    users,
)
from workflow.errors import InvalidInput, PermissionDenied
from workflow.models import Base, Letter, Municipality, Programme, User
from workflow.states import LetterState, ProgrammeState, RemarkVisibility, Role, Verdict
from workflow.storage import DatabaseBlobStore
from workflow.text import clean_text, forbidden_character

FORBIDDEN = {
    "NUL": "\x00", "BEL": "\x07", "ESC": "\x1b", "DEL": "\x7f", "NEL (C1)": "\x85",
    "LRE": "\u202a", "RLO": "\u202e", "LRI": "\u2066", "PDI": "\u2069",
    "lone surrogate": "\ud800", "noncharacter U+FDD0": "\ufdd0", "noncharacter U+FFFF": "\uffff",
    "noncharacter U+10FFFF": "\U0010ffff",
}
ALLOWED = ["строка\nстрока", "строка\r\nстрока", "колонка\tколонка", "«кавычки» — тире №\u00a01",
           "\u200fRLM и LRM\u200e", "😀 Ё"]


def test_the_rule_itself():
    for name, char in FORBIDDEN.items():
        assert forbidden_character(f"Текст {char} текст") == char, name
    for text in ALLOWED:
        assert forbidden_character(text) is None, repr(text)
    assert clean_text(" а\r\nб\rв ", "Поле") == "а\nб\nв"
    with pytest.raises(InvalidInput) as caught:
        clean_text("сумма \u202e001", "Сумма", field="amount")
    assert "«Сумма»" in caught.value.message and "U+202E" in caught.value.message
    assert caught.value.field == "amount"


# ---------------------------------------------------------------- the scene


@dataclass
class Scene:
    draft: Programme
    in_review: Programme
    returned: Programme
    remark: object  # an external remark of `returned`, open
    review_remark: object  # an external remark of `in_review`, open
    letter: Letter  # the approval letter of a programme whose decision waits for it, a draft


@pytest.fixture
def scene(world) -> Scene:
    w = world
    draft = programme_in(w, ProgrammeState.DRAFT, title="Черновик")
    in_review = programme_in(w, ProgrammeState.IN_REVIEW, title="На рассмотрении")
    review_remark = add_external_remark(w, in_review)
    returned = programme_in(w, ProgrammeState.RETURNED, title="Возвращённая")
    remark = review.get_remark(w.session, returned, _first_remark_id(w, returned), w.reviewer)
    # The return letter of `returned` is signed (the return took effect with it): the draft
    # is the letter of a decision still on its way.
    pending = programme_in(w, ProgrammeState.DECISION_PENDING, title="На согласовании")
    letter = w.session.scalar(select(Letter).where(Letter.programme_id == pending.id))
    w.session.commit()
    return Scene(draft, in_review, returned, remark, review_remark, letter)


def _first_remark_id(w, programme) -> int:
    from workflow.models import Remark

    return w.session.scalar(select(Remark.id).where(Remark.programme_id == programme.id))


def digest(session) -> dict:
    """Every row of every table: what a refused operation must leave as it was."""
    return {
        table.name: [tuple(row) for row in session.execute(
            select(table).order_by(*table.primary_key.columns))]
        for table in Base.metadata.sorted_tables
    }


def _fields(title="Программа", **extra) -> programme_drafting.DraftFields:
    return programme_drafting.DraftFields(title=title, period_from=2026, period_to=2027, **extra)


def _req(w, i=0) -> int:
    return w.campaign.requirements[i].id


# Every operation that accepts text, with the field its text goes to: (label in the
# message, call with the text).
TEXT_OPERATIONS = {
    "create: title": ("Название программы", lambda w, s, t: programme_drafting.create_programme(
        w.session, w.campaign, w.editor, _fields(title=f"Новая {t}"), now=w.clock.tick())),
    "create: responsible": ("Ответственный", lambda w, s, t: programme_drafting.create_programme(
        w.session, w.campaign, w.editor, _fields(title="Новая", responsible_name=t),
        now=w.clock.tick())),
    "create: section": ("Раздел по требованию № 1", lambda w, s, t: programme_drafting.create_programme(
        w.session, w.campaign, w.editor, _fields(title="Новая"), now=w.clock.tick(),
        sections={_req(w): f"Текст {t}"})),
    "edit: title": ("Название программы", lambda w, s, t: programme_drafting.update_draft(
        w.session, s.draft, w.editor, now=w.clock.tick(), fields=_fields(title=t))),
    "edit: outgoing number": ("Исходящий номер", lambda w, s, t: programme_drafting.update_draft(
        w.session, s.draft, w.editor, now=w.clock.tick(),
        fields=_fields(outgoing_number=f"01{t}", outgoing_date=date(2026, 1, 1)))),
    "edit: section": ("Раздел по требованию № 2", lambda w, s, t: programme_drafting.update_draft(
        w.session, s.draft, w.editor, now=w.clock.tick(), sections={_req(w, 1): t})),
    "withdraw: reason": ("Причина", lambda w, s, t: operations.withdraw_programme(
        w.session, s.draft, w.editor, now=w.clock.tick(), reason=f"Причина {t}")),
    "return: reason": ("Причина", lambda w, s, t: operations.return_for_revision(
        w.session, s.in_review, w.reviewer, now=w.clock.tick(), reason=f"Причина {t}")),
    "remark": ("Замечание", lambda w, s, t: review.add_remark(
        w.session, s.in_review, w.reviewer, requirement_id=_req(w), body=f"Замечание {t}",
        visibility=RemarkVisibility.EXTERNAL, now=w.clock.tick())),
    "assessment comment": ("Комментарий к оценке", lambda w, s, t: review.assess_requirement(
        w.session, s.in_review, w.reviewer, requirement_id=_req(w), verdict=Verdict.MET,
        comment=t, now=w.clock.tick())),
    "resolve comment": ("Комментарий", lambda w, s, t: review.resolve_remark(
        w.session, s.in_review, s.review_remark, w.reviewer, now=w.clock.tick(), body=t)),
    "answer": ("Ответ", lambda w, s, t: review.answer_remark(
        w.session, s.returned, s.remark, w.editor, body=f"Ответ {t}", now=w.clock.tick())),
    "comment": ("Комментарий", lambda w, s, t: review.comment_remark(
        w.session, s.returned, s.remark, w.editor, body=f"Комментарий {t}",
        now=w.clock.tick())),
    "letter: addressee": ("Адресат", lambda w, s, t: letter_drafting.edit_letter(
        w.session, s.letter, w.reviewer, _edit(s.letter, addressee=f"Адресат {t}"),
        now=w.clock.tick())),
    "letter: heading": ("Заголовок", lambda w, s, t: letter_drafting.edit_letter(
        w.session, s.letter, w.reviewer, _edit(s.letter, heading=f"О {t}"), now=w.clock.tick())),
    "letter: body": ("Текст письма", lambda w, s, t: letter_drafting.edit_letter(
        w.session, s.letter, w.reviewer, _edit(s.letter, body=f"Текст {t}"),
        now=w.clock.tick())),
    "circular: body": ("Текст письма", lambda w, s, t: letter_drafting.draft_circular(
        w.session, w.campaign, w.reviewer, now=w.clock.tick(), heading="О программах",
        body=f"Текст {t}")),
    "circular: heading": ("Заголовок", lambda w, s, t: letter_drafting.draft_circular(
        w.session, w.campaign, w.reviewer, now=w.clock.tick(), heading=f"О {t}",
        body="Текст")),
    "municipality: name": ("Наименование", lambda w, s, t: admin_ops.create_municipality(
        w.session, w.admin, code="new-one", name=f"Округ {t}")),
    "municipality: authority": ("Орган управления образованием",
                                lambda w, s, t: admin_ops.update_municipality(
        w.session, w.own, w.admin, name=w.own.name, authority_name=f"Управление {t}")),
    "campaign: title": ("Название", lambda w, s, t: admin_ops.create_campaign(
        w.session, w.admin, title=f"Кампания {t}", deadline=date(2027, 1, 1),
        requirements=["Требование"], now=w.clock.tick())),
    "campaign: requirement": ("Требование", lambda w, s, t: admin_ops.create_campaign(
        w.session, w.admin, title="Кампания", deadline=date(2027, 1, 1),
        requirements=[f"Требование {t}"], now=w.clock.tick())),
    "user: full name": ("ФИО", lambda w, s, t: users.create_user(
        w.session, login="new-user", full_name=f"Новиков {t}", role=Role.REVIEWER,
        password="correct-horse-battery-9", now=w.clock.tick())),
    "user: position": ("Должность", lambda w, s, t: users.create_user(
        w.session, login="new-user", full_name="Новиков", role=Role.REVIEWER,
        password="correct-horse-battery-9", now=w.clock.tick(), position=t)),
}


def _edit(letter: Letter, **changes) -> letter_drafting.LetterEdit:
    values = {"addressee": letter.addressee, "heading": letter.heading,
              "salutation": letter.salutation, "body": letter.body, **changes}
    return letter_drafting.LetterEdit(**values)


@pytest.mark.parametrize("operation", sorted(TEXT_OPERATIONS))
def test_forbidden_characters_are_refused_naming_the_field_and_nothing_is_written(
        world, scene, operation):
    label, call = TEXT_OPERATIONS[operation]
    before = digest(world.session)
    for name, char in FORBIDDEN.items():
        with pytest.raises(InvalidInput) as caught:
            call(world, scene, char)
        message = caught.value.message
        assert f"«{label}»" in message and f"U+{ord(char):04X}" in message, (name, message)
        world.session.rollback()
        assert digest(world.session) == before, (operation, name)


@pytest.mark.parametrize("operation", sorted(TEXT_OPERATIONS))
def test_line_breaks_and_tabs_are_text(world, scene, operation):
    _label, call = TEXT_OPERATIONS[operation]
    call(world, scene, "первая\r\nвторая\tтретья")
    world.session.commit()
    stored = [value for rows in digest(world.session).values() for row in rows
              for value in row if isinstance(value, str) and "втор" in value]
    assert stored, operation
    assert all("\r" not in value for value in stored)


# ---------------------------------------------------------------- inactive actors


def _submitted(w, s):
    return programme_in(w, ProgrammeState.SUBMITTED, title="Направленная")


# Every operation, with the role of the actor who performs it.
ACTOR_OPERATIONS = {
    "create_programme": ("editor", lambda w, s: programme_drafting.create_programme(
        w.session, w.campaign, w.editor, _fields(title="Новая"), now=w.clock.tick())),
    "update_draft": ("editor", lambda w, s: programme_drafting.update_draft(
        w.session, s.draft, w.editor, now=w.clock.tick(), fields=_fields(title="Другая"))),
    "add_files": ("editor", lambda w, s: files.add_files(
        w.session, s.draft, w.editor, [files.NewFile("a.pdf", "application/pdf", b"%PDF-1.4")],
        store=DatabaseBlobStore(w.session), now=w.clock.tick())),
    "submit": ("editor", lambda w, s: operations.submit_programme(
        w.session, s.draft, w.editor, now=w.clock.tick())),
    "withdraw": ("editor", lambda w, s: operations.withdraw_programme(
        w.session, s.draft, w.editor, now=w.clock.tick(), reason="Причина")),
    "answer_remark": ("editor", lambda w, s: review.answer_remark(
        w.session, s.returned, s.remark, w.editor, body="Ответ", now=w.clock.tick())),
    "comment_remark": ("editor", lambda w, s: review.comment_remark(
        w.session, s.returned, s.remark, w.editor, body="Комментарий", now=w.clock.tick())),
    "start_review": ("reviewer", lambda w, s: operations.start_review(
        w.session, s.submitted, w.reviewer, now=w.clock.tick())),
    "add_remark": ("reviewer", lambda w, s: review.add_remark(
        w.session, s.in_review, w.reviewer, requirement_id=_req(w), body="Замечание",
        visibility=RemarkVisibility.EXTERNAL, now=w.clock.tick())),
    "assess_requirement": ("reviewer", lambda w, s: review.assess_requirement(
        w.session, s.in_review, w.reviewer, requirement_id=_req(w), verdict=Verdict.MET,
        now=w.clock.tick())),
    "resolve_remark": ("reviewer", lambda w, s: review.resolve_remark(
        w.session, s.in_review, s.review_remark, w.reviewer, now=w.clock.tick())),
    "return_for_revision": ("reviewer", lambda w, s: operations.return_for_revision(
        w.session, s.in_review, w.reviewer, now=w.clock.tick(), reason="Доработать")),
    "approve": ("reviewer", lambda w, s: operations.approve_programme(
        w.session, s.approvable, w.reviewer, now=w.clock.tick())),
    "edit_letter": ("reviewer", lambda w, s: letter_drafting.edit_letter(
        w.session, s.letter, w.reviewer, _edit(s.letter, heading="Другой"), now=w.clock.tick())),
    "draft_circular": ("reviewer", lambda w, s: letter_drafting.draft_circular(
        w.session, w.campaign, w.reviewer, now=w.clock.tick(), heading="О", body="Текст")),
    "draft_reminders": ("reviewer", lambda w, s: letter_drafting.draft_reminders(
        w.session, w.campaign, w.reviewer, now=w.clock.tick())),
    "cancel_letter": ("reviewer", lambda w, s: letter_drafting.cancel_letter(
        w.session, s.letter, w.reviewer, now=w.clock.tick())),
    "sign_letter": ("signatory", lambda w, s: letter_registration.sign_letter(
        w.session, s.letter, w.signatory, now=w.clock.tick(), pin=SIGNING_PIN, sealer=None)),
    "dispatch_letter": ("signatory", lambda w, s: letter_dispatch.dispatch_letter(
        w.session, s.signed, w.signatory, now=w.clock.tick())),
    "change_role": ("admin", lambda w, s: admin_ops.change_role(
        w.session, w.other_reviewer, w.admin, role=Role.SIGNATORY, municipality_id=None,
        now=w.clock.tick())),
    "create_municipality": ("admin", lambda w, s: admin_ops.create_municipality(
        w.session, w.admin, code="new-one", name="Новый округ")),
    "update_municipality": ("admin", lambda w, s: admin_ops.update_municipality(
        w.session, w.foreign, w.admin, name="Другое имя")),
    "set_municipality_active": ("admin", lambda w, s: admin_ops.set_municipality_active(
        w.session, w.foreign, w.admin, active=False)),
    "create_campaign": ("admin", lambda w, s: admin_ops.create_campaign(
        w.session, w.admin, title="Кампания", deadline=date(2027, 1, 1),
        requirements=["Требование"], now=w.clock.tick())),
    "set_password": ("admin", lambda w, s: users.set_password(
        w.session, w.other_reviewer, "another-long-password-7", w.admin)),
    "set_active": ("admin", lambda w, s: users.set_active(
        w.session, w.other_reviewer, False, w.admin)),
}


@pytest.fixture
def full_scene(world, scene) -> Scene:
    """The scene plus a submitted programme, one ready for approval and a signed letter
    whose PDF exists (so that only the actor stands between it and dispatch)."""
    w = world
    scene.submitted = _submitted(w, scene)
    approvable = programme_in(w, ProgrammeState.IN_REVIEW, title="К согласованию")
    assess_all(w, approvable)
    scene.approvable = approvable
    circular = letter_drafting.draft_circular(w.session, w.campaign, w.reviewer, now=w.clock.tick(),
                                              heading="О программах", body="Текст.")
    letter_registration.sign_letter(w.session, circular, w.signatory, now=w.clock.tick(),
                                    pin=SIGNING_PIN, sealer=None)
    circular.pdf_sha256 = "0" * 64
    scene.signed = circular
    w.session.commit()
    return scene


def _proves_the_call_works(world, full_scene, call) -> None:
    """The same call by the active actor succeeds: the refusal below is the actor's, not
    another guard's."""
    call(world, full_scene)
    world.session.rollback()


@pytest.mark.parametrize("operation", sorted(ACTOR_OPERATIONS))
def test_an_inactive_actor_reaches_no_operation(world, full_scene, operation):
    role, call = ACTOR_OPERATIONS[operation]
    _proves_the_call_works(world, full_scene, call)
    actor = world.users_by_role()[role]
    actor.active = False
    world.session.commit()
    before = digest(world.session)
    with pytest.raises(PermissionDenied) as caught:
        call(world, full_scene)
    # sign_letter names the role it needs (its own check, kept as it is); every other
    # operation says the account is disabled.
    assert "отключена" in caught.value.message or operation == "sign_letter"
    world.session.rollback()
    assert digest(world.session) == before


EDITOR_OPERATIONS = sorted(name for name, (role, _call) in ACTOR_OPERATIONS.items()
                           if role == "editor")


@pytest.mark.parametrize("operation", EDITOR_OPERATIONS)
def test_the_editors_of_a_disabled_municipality_reach_no_operation(world, full_scene, operation):
    _role, call = ACTOR_OPERATIONS[operation]
    _proves_the_call_works(world, full_scene, call)
    admin_ops.set_municipality_active(world.session, world.own, world.admin, active=False)
    world.session.commit()
    before = digest(world.session)
    with pytest.raises(PermissionDenied) as caught:
        call(world, full_scene)
    assert "Муниципалитет отключён" in caught.value.message
    world.session.rollback()
    assert digest(world.session) == before


def test_a_disabled_municipality_does_not_stop_the_ministry(world, full_scene):
    """The ministry still reviews what the municipality sent before it was disabled."""
    admin_ops.set_municipality_active(world.session, world.own, world.admin, active=False)
    world.session.commit()
    operations.start_review(world.session, full_scene.submitted, world.reviewer,
                            now=world.clock.tick())
    world.session.commit()
    assert world.session.get(Programme, full_scene.submitted.id).state == ProgrammeState.IN_REVIEW
    assert world.session.get(Municipality, world.own.id).active is False
    assert world.session.get(User, world.editor.id).active is True
    assert full_scene.signed.state == LetterState.SIGNED
