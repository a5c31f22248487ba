"""The campaign lifecycle (workflow/campaign_machine.py, the workflow/campaigns package): the state
table trigger by state, set-up while a draft, opening by the real signature of the circular,
participants, the programme rules inside a campaign, closing; bad input writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import SIGNING_PIN, TEST_SEALER, assess_all, sign, sign_decision
from workflow import (
    campaigns,
    letter_drafting,
    letter_registration,
    operations,
    programme_drafting,
    review,
)
from workflow.campaign_machine import (
    ACTIONS,
    CAMPAIGN_TRIGGERS,
    CampaignState,
    TaskState,
    next_campaign_state,
    refusal,
)
from workflow.errors import (
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    WorkflowError,
)
from workflow.models import (
    Campaign,
    CampaignParticipant,
    Letter,
    Municipality,
    Notification,
    Programme,
    Requirement,
)
from workflow.states import LetterKind, LetterState, ProgrammeState

S = CampaignState

# The table written out by hand: (state, trigger) -> destination; every other pair is illegal.
EXPECTED = {
    (S.DRAFT, "open"): S.OPEN,
    (S.OPEN, "close"): S.CLOSED,
    (S.DRAFT, "cancel"): S.CANCELLED,
}
ALLOWED_BY_HAND = {
    S.DRAFT: {"edit", "edit_requirements", "edit_participants", "prepare_circular"},
    S.OPEN: {"start_programme", "edit_programme"},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", CAMPAIGN_TRIGGERS)
def test_the_state_table_trigger_by_state(state, trigger):
    assert next_campaign_state(state.value, trigger) == EXPECTED.get((state, trigger))


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", ACTIONS)
def test_what_each_state_allows(state, action):
    reason = refusal(action, state.value)
    if action in ALLOWED_BY_HAND[state]:
        assert reason is None
    else:
        assert reason and reason[0].isupper() and any("а" <= c <= "я" for c in reason)


# ---------------------------------------------------------------- helpers


def setup(w, **kw) -> campaigns.CampaignSetup:
    values = {"title": "Программы воспитания", "deadline": date(2026, 5, 1),
              "legal_basis": "Указ № 474", "max_programmes": 1, "reminder_days": "1, 7",
              "municipality_ids": None}
    values.update(kw)
    return campaigns.CampaignSetup(**values)


def new_campaign(w, **kw) -> Campaign:
    requirements = kw.pop("requirements", ["Первое требование", "Второе требование"])
    campaign = campaigns.create_campaign(w.session, w.admin, setup(w, **kw), now=w.clock.tick(),
                                         requirements=requirements)
    w.session.commit()
    return campaign


def open_by_circular(w, campaign: Campaign) -> Letter:
    letter = campaigns.prepare_circular(w.session, campaign, w.admin, now=w.clock.tick())
    sign(w, letter)
    w.session.commit()
    return letter


def campaign_in(w, state: S, **kw) -> Campaign:
    campaign = new_campaign(w, **kw)
    if state == S.DRAFT:
        return campaign
    if state == S.CANCELLED:
        campaigns.cancel_campaign(w.session, campaign, w.admin, now=w.clock.tick(),
                                  reason="Передумали")
        w.session.commit()
        return campaign
    open_by_circular(w, campaign)
    if state == S.CLOSED:
        campaigns.close_campaign(w.session, campaign, w.admin, now=w.clock.tick(),
                                 reason="Досрочно")
        w.session.commit()
    return campaign


def snapshot(session) -> tuple:
    session.expire_all()
    counts = tuple(session.scalar(select(func.count()).select_from(model)) for model in
                   (Campaign, Requirement, CampaignParticipant, Letter, Programme, Notification))
    rows = tuple(session.execute(select(
        Campaign.id, Campaign.state, Campaign.title, Campaign.deadline, Campaign.max_programmes,
        Campaign.reminder_days, Campaign.closed_at).order_by(Campaign.id)).all())
    requirements = tuple(session.execute(select(Requirement.id, Requirement.position,
                                                Requirement.text).order_by(Requirement.id)))
    tasks = tuple(session.execute(select(CampaignParticipant.municipality_id,
                                         CampaignParticipant.task_state)
                                  .order_by(CampaignParticipant.id)))
    session.commit()
    return counts, rows, requirements, tasks


def refused(w, call, error=WorkflowError, match: str | None = None):
    before = snapshot(w.session)
    with pytest.raises(error) as caught:
        call()
    w.session.rollback()
    assert snapshot(w.session) == before
    if match:
        assert match in caught.value.message, caught.value.message
    return caught.value


def draft_fields(title="Программа воспитания"):
    return programme_drafting.DraftFields(title=title, period_from=2026, period_to=2028)


def start(w, campaign, editor=None, title="Программа воспитания"):
    programme = programme_drafting.create_programme(w.session, campaign, editor or w.editor,
                                                    draft_fields(title), now=w.clock.tick(),
                                                    sections={r.id: "Текст" for r in campaign.requirements})
    w.session.commit()
    return programme


# ---------------------------------------------------------------- the lifecycle, operated


OPERATIONS = {
    "open": lambda w, c: campaigns.open_campaign(w.session, c, _fake_letter(), now=w.clock.tick()),
    "close": lambda w, c: campaigns.close_campaign(w.session, c, w.admin, now=w.clock.tick(),
                                                   reason="Причина"),
    "cancel": lambda w, c: campaigns.cancel_campaign(w.session, c, w.admin, now=w.clock.tick(),
                                                     reason="Причина"),
}


def _fake_letter():
    return Letter(number="23/9999", registered_on=date(2026, 3, 2))


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", CAMPAIGN_TRIGGERS)
def test_each_trigger_from_each_state_through_the_operations(world, state, trigger):
    campaign = campaign_in(world, state)
    dest = EXPECTED.get((state, trigger))
    if dest is None:
        refused(world, lambda: OPERATIONS[trigger](world, campaign), IllegalTransition)
        assert campaign.state == state
    else:
        OPERATIONS[trigger](world, campaign)
        world.session.commit()
        world.session.expire_all()
        assert world.session.get(Campaign, campaign.id).state == dest


@pytest.mark.parametrize("state", list(S))
def test_set_up_is_editable_only_as_a_draft(world, state):
    campaign = campaign_in(world, state)
    first = campaign.requirements[0].id
    calls = {
        "edit": lambda: campaigns.edit_campaign(world.session, campaign, world.admin,
                                                setup(world, title="Иное"), now=world.clock.tick()),
        "add": lambda: campaigns.add_requirement(world.session, campaign, world.admin, "Третье"),
        "edit_requirement": lambda: campaigns.edit_requirement(world.session, campaign,
                                                               world.admin, first, "Исправлено"),
        "move": lambda: campaigns.move_requirement(world.session, campaign, world.admin, first, 1),
        "delete": lambda: campaigns.delete_requirement(world.session, campaign, world.admin,
                                                       first),
        "circular": lambda: campaigns.prepare_circular(world.session, campaign, world.admin,
                                                       now=world.clock.tick()),
    }
    for name, call in calls.items():
        if state == S.DRAFT:
            call()
            world.session.commit()
        else:
            error = refused(world, call, IllegalTransition)
            if name in ("add", "edit_requirement", "move", "delete") and state == S.OPEN:
                assert "новое циркулярное письмо" in error.message, name


def test_requirements_are_added_edited_moved_and_deleted_in_order(world):
    campaign = new_campaign(world, requirements=["А", "Б", "В"])
    s, admin = world.session, world.admin

    def texts():
        s.expire_all()
        rows = s.execute(select(Requirement.position, Requirement.text)
                         .where(Requirement.campaign_id == campaign.id)
                         .order_by(Requirement.position)).all()
        return [tuple(r) for r in rows]

    campaigns.add_requirement(s, campaign, admin, "  Г  ")
    s.commit()
    assert texts() == [(1, "А"), (2, "Б"), (3, "В"), (4, "Г")]
    b = next(r.id for r in campaign.requirements if r.text == "Б")
    campaigns.move_requirement(s, campaign, admin, b, -1)
    s.commit()
    assert texts() == [(1, "Б"), (2, "А"), (3, "В"), (4, "Г")]
    campaigns.move_requirement(s, campaign, admin, b, -1)  # already first: nothing moves
    s.commit()
    assert texts()[0] == (1, "Б")
    campaigns.move_requirement(s, campaign, admin, b, 1)
    campaigns.edit_requirement(s, campaign, admin, b, "Б исправленное")
    s.commit()
    assert texts() == [(1, "А"), (2, "Б исправленное"), (3, "В"), (4, "Г")]
    campaigns.delete_requirement(s, campaign, admin, b)
    s.commit()
    assert texts() == [(1, "А"), (2, "В"), (3, "Г")]
    refused(world, lambda: campaigns.edit_requirement(s, campaign, admin, b, "x"), NotFound)
    refused(world, lambda: campaigns.edit_requirement(s, campaign, admin, campaign.requirements[0].id,
                                                      "  "), InvalidInput, "Требование")
    refused(world, lambda: campaigns.move_requirement(s, campaign, admin,
                                                      campaign.requirements[0].id, 2),
            InvalidInput)


# ---------------------------------------------------------------- bad input at set-up


@pytest.mark.parametrize(("change", "needle"), [
    ({"deadline": date(2026, 3, 1)}, "уже прошёл"),
    ({"deadline": None}, "Укажите срок"),
    ({"title": "  "}, "Название кампании"),
    ({"title": "Кампания\u202e"}, "Название кампании"),
    ({"reminder_days": "за неделю"}, "Напоминания"),
    ({"reminder_days": "0"}, "от 1 до 365"),
    ({"max_programmes": 0}, "Число программ"),
    ({"max_programmes": 100}, "Число программ"),
    ({"municipality_ids": []}, "хотя бы один"),
    ({"municipality_ids": [987654]}, "неизвестный"),
])
def test_bad_set_up_is_refused_in_russian_and_writes_nothing(world, change, needle):
    refused(world, lambda: campaigns.create_campaign(
        world.session, world.admin, setup(world, **change), now=world.clock.tick(),
        requirements=["Одно"]), InvalidInput, needle)


def test_only_a_manager_sets_up_a_campaign(world):
    for user in (world.editor, world.reviewer, world.signatory):
        refused(world, lambda u=user: campaigns.create_campaign(
            world.session, u, setup(world), now=world.clock.tick(), requirements=["Одно"]),
            PermissionDenied, "администратор")
    world.reviewer.heads_department = True  # the flag another branch adds to the user
    try:
        campaign = campaigns.create_campaign(world.session, world.reviewer, setup(world),
                                             now=world.clock.tick(), requirements=["Одно"])
        assert campaign.state == S.DRAFT and campaign.created_by_id == world.reviewer.id
    finally:
        del world.reviewer.heads_department
    world.session.rollback()


def test_a_deadline_that_passes_before_signing_keeps_the_campaign_a_draft(world):
    campaign = new_campaign(world, deadline=date(2026, 3, 3))
    letter = campaigns.prepare_circular(world.session, campaign, world.admin,
                                        now=world.clock.tick())
    world.session.commit()
    world.clock.tick(60 * 24 * 3)
    with pytest.raises(IllegalTransition, match="Срок представления"):
        sign(world, letter)
    world.session.rollback()
    world.session.expire_all()
    assert world.session.get(Campaign, campaign.id).state == S.DRAFT
    assert world.session.get(Letter, letter.id).state == LetterState.DRAFT


# ---------------------------------------------------------------- participants


def test_participants_all_or_chosen_and_edited_while_a_draft(world):
    everyone = new_campaign(world)
    assert [p.municipality.name for p in campaigns.participants(world.session, everyone)] == \
        sorted([world.own.name, world.foreign.name])
    assert all(p.task_state == TaskState.PENDING
               for p in campaigns.participants(world.session, everyone))
    chosen = new_campaign(world, municipality_ids=[world.own.id])
    assert [p.municipality_id for p in campaigns.participants(world.session, chosen)] == \
        [world.own.id]
    campaigns.edit_campaign(world.session, chosen, world.admin,
                            setup(world, municipality_ids=[world.foreign.id]),
                            now=world.clock.tick())
    world.session.commit()
    rows = world.session.execute(campaigns.participants_select(chosen.id)).all()
    assert [(p.campaign_id, m.id) for p, m in rows] == [(chosen.id, world.foreign.id)]
    assert campaigns.participant_count(world.session, chosen.id) == 1
    # An inactive municipality is not taken by "all".
    world.foreign.active = False
    world.session.commit()
    only_own = new_campaign(world)
    assert [p.municipality_id for p in campaigns.participants(world.session, only_own)] == \
        [world.own.id]


def test_a_municipality_sees_only_open_campaigns_it_takes_part_in(world):
    draft = new_campaign(world)
    mine = campaign_in(world, S.OPEN, municipality_ids=[world.own.id])
    theirs = campaign_in(world, S.OPEN, municipality_ids=[world.foreign.id])

    def visible(user):
        return set(world.session.scalars(select(Campaign.id).where(
            campaigns.visible_campaigns_filter(user))))

    assert visible(world.editor) == {world.campaign.id, mine.id}  # the legacy one calls on all
    assert visible(world.foreign_editor) == {world.campaign.id, theirs.id}
    assert visible(world.reviewer) == {world.campaign.id, draft.id, mine.id, theirs.id}
    with pytest.raises(NotFound):
        campaigns.get_visible(world.session, theirs.id, world.editor)
    with pytest.raises(NotFound):
        campaigns.get_visible(world.session, draft.id, world.editor)
    refused(world, lambda: start(world, theirs), PermissionDenied, "не участвует")


# ---------------------------------------------------------------- opening by the signature


def test_signing_the_circular_opens_the_campaign_gives_tasks_and_notifies(world):
    campaign = new_campaign(world, requirements=["Охват не менее 80 процентов",
                                                 "Сеть центров «Точка роста»"])
    letter = campaigns.prepare_circular(world.session, campaign, world.admin,
                                        now=world.clock.tick())
    world.session.commit()
    assert letter.kind == LetterKind.CIRCULAR and letter.campaign_id == campaign.id
    assert letter.municipality_id is None
    paragraphs = letter.body.split("\n\n")
    assert "- охват не менее 80 процентов;" in paragraphs
    assert "- сеть центров «Точка роста»." in paragraphs
    assert paragraphs[-1].startswith("Просим в срок до 01.05.2026 направить")
    assert letter.heading == "О представлении муниципальных программ воспитания"
    # A second draft is refused while the first is pending.
    refused(world, lambda: campaigns.prepare_circular(world.session, campaign, world.admin,
                                                      now=world.clock.tick()),
            IllegalTransition, "уже подготовлен")
    # A wrong PIN registers nothing and opens nothing.
    with pytest.raises(WorkflowError):
        letter_registration.sign_letter(world.session, letter, world.signatory, now=world.clock.tick(),
                                        pin="000000000", sealer=TEST_SEALER)
    world.session.commit()  # what a wrong PIN writes is its count, never the opening
    world.session.expire_all()
    assert world.session.get(Campaign, campaign.id).state == S.DRAFT
    assert world.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "campaign_opened")) == 0

    letter = world.session.get(Letter, letter.id)
    letter_registration.sign_letter(world.session, letter, world.signatory, now=world.clock.tick(),
                                    pin=SIGNING_PIN, sealer=TEST_SEALER)
    world.session.commit()
    world.session.expire_all()
    campaign = world.session.get(Campaign, campaign.id)
    assert campaign.state == S.OPEN and campaign.opened_at is not None
    assert (campaign.circular_number, campaign.circular_date) == (letter.number,
                                                                  letter.registered_on)
    tasks = {p.municipality_id: p.task_state for p in campaigns.participants(world.session,
                                                                             campaign)}
    assert tasks == {world.own.id: TaskState.NOT_STARTED, world.foreign.id: TaskState.NOT_STARTED}
    notified = world.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "campaign_opened")).all()
    assert sorted(notified) == sorted([world.editor.id, world.foreign_editor.id])

    # The first programme moves the task on; a reminder letter of the campaign opens nothing.
    start(world, campaign)
    tasks = {p.municipality_id: p.task_state for p in campaigns.participants(world.session,
                                                                             campaign)}
    assert tasks[world.own.id] == TaskState.STARTED
    assert tasks[world.foreign.id] == TaskState.NOT_STARTED


def test_signing_another_circular_of_an_open_campaign_changes_nothing(world):
    campaign = campaign_in(world, S.OPEN)
    number = campaign.circular_number
    second = letter_drafting.draft_circular(world.session, campaign, world.admin, now=world.clock.tick(),
                                            heading="Уточнение", body="Уточняем требования.")
    sign(world, second)
    world.session.commit()
    world.session.expire_all()
    campaign = world.session.get(Campaign, campaign.id)
    assert campaign.state == S.OPEN and campaign.circular_number == number


def test_cancelling_a_draft_cancels_its_draft_circular(world):
    campaign = new_campaign(world)
    letter = campaigns.prepare_circular(world.session, campaign, world.admin,
                                        now=world.clock.tick())
    world.session.commit()
    refused(world, lambda: campaigns.cancel_campaign(world.session, campaign, world.admin,
                                                     now=world.clock.tick(), reason=" "),
            InvalidInput, "Причина отмены")
    campaigns.cancel_campaign(world.session, campaign, world.admin, now=world.clock.tick(),
                              reason="Ошибка в требованиях")
    world.session.commit()
    world.session.expire_all()
    assert world.session.get(Letter, letter.id).state == LetterState.CANCELLED
    assert world.session.get(Campaign, campaign.id).closed_reason == "Ошибка в требованиях"


# ---------------------------------------------------------------- programmes inside


@pytest.mark.parametrize("state", [S.DRAFT, S.CLOSED, S.CANCELLED])
def test_no_programme_starts_outside_an_open_campaign(world, state):
    campaign = campaign_in(world, state)
    needle = {S.DRAFT: "ещё не объявлена", S.CLOSED: "завершена", S.CANCELLED: "отменена"}[state]
    refused(world, lambda: start(world, campaign), IllegalTransition, needle)


def test_one_programme_per_municipality_and_a_second_after_approval_is_refused(world):
    campaign = campaign_in(world, S.OPEN)
    first = start(world, campaign)
    refused(world, lambda: start(world, campaign, title="Вторая"), IllegalTransition,
            "продолжите работу над программой «Программа воспитания»")
    operations.submit_programme(world.session, first, world.editor, now=world.clock.tick())
    operations.start_review(world.session, first, world.reviewer, now=world.clock.tick())
    for r in campaign.requirements:
        review.assess_requirement(world.session, first, world.reviewer, requirement_id=r.id,
                                  verdict="met", now=world.clock.tick())
    operations.approve_programme(world.session, first, world.reviewer, now=world.clock.tick())
    sign_decision(world, first)
    world.session.commit()
    refused(world, lambda: start(world, campaign, title="Вторая"), IllegalTransition,
            "уже согласована")
    # Another municipality is not counted against this one.
    start(world, campaign, editor=world.foreign_editor)


def test_a_withdrawn_programme_frees_the_single_place(world):
    campaign = campaign_in(world, S.OPEN)
    first = start(world, campaign)
    operations.withdraw_programme(world.session, first, world.editor, now=world.clock.tick(),
                                  reason="Переделаем")
    world.session.commit()
    start(world, campaign, title="Новая редакция")


def test_several_programmes_with_distinct_titles_up_to_the_limit(world):
    campaign = campaign_in(world, S.OPEN, max_programmes=2)
    start(world, campaign, title="Первая")
    refused(world, lambda: start(world, campaign, title="Первая"), InvalidInput,
            "с таким названием")
    start(world, campaign, title="Вторая")
    refused(world, lambda: start(world, campaign, title="Третья"), IllegalTransition,
            "не больше 2")
    unlimited = campaign_in(world, S.OPEN, max_programmes=None)
    for n in range(3):
        start(world, unlimited, title=f"Программа {n}")


def test_a_closed_campaign_is_read_only(world):
    campaign = campaign_in(world, S.OPEN)
    programme = start(world, campaign)
    campaigns.close_campaign(world.session, campaign, world.admin, now=world.clock.tick(),
                             reason="Срок истёк")
    world.session.commit()
    refused(world, lambda: programme_drafting.update_draft(world.session, programme, world.editor,
                                                           now=world.clock.tick(),
                                                           fields=draft_fields("Иное")),
            IllegalTransition, "только для просмотра")
    refused(world, lambda: operations.submit_programme(world.session, programme, world.editor,
                                                       now=world.clock.tick()),
            IllegalTransition, "только для просмотра")


def test_a_closed_campaign_takes_no_remarks_answers_or_assessments(world):
    campaign = campaign_in(world, S.OPEN)
    programme = start(world, campaign)
    operations.submit_programme(world.session, programme, world.editor, now=world.clock.tick())
    operations.start_review(world.session, programme, world.reviewer, now=world.clock.tick())
    remark = review.add_remark(world.session, programme, world.reviewer,
                               requirement_id=campaign.requirements[0].id, body="Уточните",
                               visibility="external", now=world.clock.tick())
    world.session.commit()
    campaigns.close_campaign(world.session, campaign, world.admin, now=world.clock.tick(),
                             reason="Срок истёк")
    world.session.commit()
    first = campaign.requirements[0].id
    refused(world, lambda: review.add_remark(world.session, programme, world.reviewer,
                                             requirement_id=first, body="Ещё",
                                             visibility="external", now=world.clock.tick()),
            IllegalTransition, "только для просмотра")
    refused(world, lambda: review.assess_requirement(world.session, programme, world.reviewer,
                                                     requirement_id=first, verdict="met",
                                                     now=world.clock.tick()),
            IllegalTransition, "только для просмотра")
    refused(world, lambda: review.comment_remark(world.session, programme, remark, world.editor,
                                                 body="Ответ", now=world.clock.tick()),
            IllegalTransition, "только для просмотра")


# ---------------------------------------------------------------- closing


def test_closing_needs_a_reason_unless_every_participant_is_decided(world):
    campaign = campaign_in(world, S.OPEN, municipality_ids=[world.own.id])
    refused(world, lambda: campaigns.close_campaign(world.session, campaign, world.admin,
                                                    now=world.clock.tick()),
            InvalidInput, "укажите причину")
    refused(world, lambda: campaigns.close_campaign(world.session, campaign, world.editor,
                                                    now=world.clock.tick(), reason="x"),
            PermissionDenied)
    programme = start(world, campaign)
    assert not campaigns.all_decided(world.session, campaign)
    operations.submit_programme(world.session, programme, world.editor, now=world.clock.tick())
    operations.start_review(world.session, programme, world.reviewer, now=world.clock.tick())
    world.campaign, legacy = campaign, world.campaign
    try:
        assess_all(world, programme)
    finally:
        world.campaign = legacy
    operations.approve_programme(world.session, programme, world.reviewer, now=world.clock.tick())
    sign_decision(world, programme)  # the approval takes effect when its letter is signed
    world.session.commit()
    assert campaigns.all_decided(world.session, campaign)
    campaigns.close_campaign(world.session, campaign, world.admin, now=world.clock.tick())
    world.session.commit()
    world.session.expire_all()
    closed = world.session.get(Campaign, campaign.id)
    assert closed.state == S.CLOSED and closed.closed_by_id == world.admin.id
    assert closed.closed_reason == "Все программы рассмотрены"


def test_reminder_days_are_normalised(world):
    assert campaigns.parse_reminder_days(" 1, 7 ,7") == "7,1"
    assert campaigns.parse_reminder_days("") == ""
    campaign = new_campaign(world, reminder_days="3,14")
    assert campaigns.reminder_days(campaign) == [14, 3]


def test_the_seeded_campaigns(session):
    """The demo: the 2022 circular carries its request and deadline; a current campaign,
    opened by its signed circular, has municipalities in every state, «не начата» included,
    and vladivostok has remarks to answer in it."""
    from datetime import UTC, datetime

    from tests.factories import demo_pkcs12
    from workflow.demo.seed import seed_demo
    from workflow.models import Remark

    today = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    result = seed_demo(session, password="demo-password-2026", signing_pin=SIGNING_PIN,
                       issue_certificate=lambda name, pin: demo_pkcs12(name, pin), today=today)
    session.commit()
    assert result.logins[0][0] == "vladivostok"
    old_circular = session.scalar(select(Letter).where(Letter.number == "23/6666"))
    assert old_circular.body.split("\n\n")[-1].startswith(
        "Просим в срок до 30.09.2022 направить в министерство образования Приморского края "
        "муниципальные программы профориентационной работы")
    old, current = session.scalars(select(Campaign).order_by(Campaign.id)).all()
    assert campaigns.participant_count(session, old.id) == 34
    assert current.state == S.OPEN and current.deadline == date(2026, 12, 30)
    assert current.deadline > today.date() and current.opened_at < today
    circular = session.scalar(select(Letter).where(Letter.number == current.circular_number))
    assert circular.kind == LetterKind.CIRCULAR and circular.state == LetterState.SIGNED
    tasks = {p.municipality.code: p.task_state for p in campaigns.participants(session, current)}
    assert len(tasks) == 34 and tasks["vladivostok"] == TaskState.STARTED
    assert sum(1 for t in tasks.values() if t == TaskState.NOT_STARTED) == 9
    states = set(session.scalars(select(Programme.state).where(
        Programme.campaign_id == current.id)))
    assert states == {s.value for s in ProgrammeState}
    vladivostok = session.scalar(select(Programme).join(Municipality).where(
        Programme.campaign_id == current.id, Municipality.code == "vladivostok"))
    assert vladivostok.state == ProgrammeState.RETURNED
    assert session.scalar(select(func.count(Remark.id)).where(
        Remark.programme_id == vladivostok.id, Remark.state == "open")) == 2
    emails = session.scalars(select(Municipality.email)).all()
    assert len(emails) == 34 and all(e.endswith("@example.ru") for e in emails)
    assert all(session.scalars(select(Municipality.address)))
    assert max(session.scalars(select(Letter.signed_at).where(Letter.signed_at.is_not(None)))) < today
