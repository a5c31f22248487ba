"""The demo's second, current campaign, dated relative to today: set up by the administrator
as a draft, announced by a signed circular (which opens it), with the 34 municipalities in
every state, «не начата» included. `vladivostok` has work to do in it (remarks to answer).

Also: the participants of the 2022 campaign (every municipality; those without a programme
are «не начата»). Everything goes through the real operations.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from .. import campaigns, operations, programme_drafting, review
from ..campaign_machine import TaskState
from ..models import Campaign, CampaignParticipant, Letter, Municipality, Programme, Remark, User
from ..states import RemarkVisibility, Verdict

TITLE = "Муниципальные программы развития дополнительного образования детей"
LEGAL_BASIS = ("Концепция развития дополнительного образования детей до 2030 года, утверждённая "
               "распоряжением Правительства Российской Федерации от 31.03.2022 № 678-р")
REQUIREMENTS = (
    "Обеспечить охват детей в возрасте от 5 до 18 лет дополнительным образованием не менее "
    "80 процентов к концу периода реализации программы",
    "Предусмотреть развитие сети организаций дополнительного образования, в том числе центров "
    "«Точка роста», «IT-куб» и детских технопарков «Кванториум»",
    "Включить мероприятия по вовлечению детей с ограниченными возможностями здоровья и детей, "
    "находящихся в трудной жизненной ситуации, в программы дополнительного образования",
    "Установить целевые показатели по годам и порядок их мониторинга через Навигатор "
    "дополнительного образования детей Приморского края",
    "Указать объёмы и источники финансирования мероприятий программы по годам",
)
SECTIONS = (
    "Охват детей от 5 до 18 лет дополнительным образованием в {name} составляет {pct}%; "
    "программа доводит его до 82% за счёт {n} новых объединений.",
    "В {name} работают {k} центра «Точка роста»; в программе — открытие «IT-куба» и "
    "сетевые программы с детским технопарком.",
    "Для детей с ОВЗ реализуются {k} адаптированных программ; для детей в трудной жизненной "
    "ситуации предусмотрены бесплатные места в объединениях.",
    "Целевые показатели установлены по годам (таблица 1); мониторинг ежеквартально через "
    "Навигатор дополнительного образования.",
    "Финансирование: местный бюджет — {n} млн руб. ежегодно, краевая субсидия — по соглашению.",
)
REMARKS = (
    (0, "Охват указан без разбивки по годам: приведите значения на каждый год программы."),
    (3, "Не указан порядок мониторинга: кто и когда вносит данные в Навигатор."),
    (4, "Объёмы финансирования по годам не совпадают с итоговой суммой; проверьте таблицу."),
)
ANSWERS = {
    REMARKS[0][1]: "Разбивка по годам добавлена в таблицу 1 раздела 1.",
    REMARKS[1][1]: "Порядок мониторинга описан в разделе 4: ответственный — методист МОЦ, "
                   "ежеквартально до 10-го числа.",
    REMARKS[2][1]: "Таблица финансирования исправлена, итог совпадает с суммой по годам.",
}

# The municipality codes in the order of the CSV get these states; vladivostok first, with
# remarks to answer. "not_started" leaves the task «не начата».
PLAN = (
    ["returned"] + ["not_started"] * 9 + ["draft"] * 4 + ["submitted"] * 5 + ["in_review"] * 4
    + ["returned"] * 2 + ["returned_answered"] + ["resubmitted"] * 2 + ["approved_signed"] * 2
    + ["approved"] * 2 + ["withdrawn"] * 2
)

Sign = Callable[[Letter, datetime], Letter]


class _Clock:
    def __init__(self, start: datetime):
        self.now = start

    def tick(self, hours: float) -> datetime:
        self.now += timedelta(hours=hours)
        return self.now


def seed_2022_participants(session, campaign: Campaign) -> None:
    """Every municipality takes part in the 2022 campaign (created before participants)."""
    started = set(session.scalars(select(Programme.municipality_id)
                                  .where(Programme.campaign_id == campaign.id)))
    for municipality_id in session.scalars(select(Municipality.id).order_by(Municipality.id)):
        is_started = municipality_id in started
        session.add(CampaignParticipant(
            campaign_id=campaign.id, municipality_id=municipality_id,
            task_state=TaskState.STARTED if is_started else TaskState.NOT_STARTED,
            opened_at=campaign.created_at))
    session.flush()


def seed_current_campaign(session, *, today: datetime, admin: User, reviewers: list[User],
                          editors: dict[str, User], sign: Sign, rng: random.Random) -> Campaign:
    """The current campaign: created 21 days before `today`, announced the day after,
    deadline 30 days after `today`; every action happens before `today`."""
    clock = _Clock(today.astimezone(UTC) - timedelta(days=21))
    year = today.year
    campaign = campaigns.create_campaign(
        session, admin,
        campaigns.CampaignSetup(
            title=f"{TITLE} на {year}–{year + 2} годы", legal_basis=LEGAL_BASIS,
            deadline=(today + timedelta(days=30)).date(), max_programmes=1,
            reminder_days="7,1"),
        requirements=list(REQUIREMENTS), now=clock.now)
    circular = campaigns.prepare_circular(session, campaign, admin, now=clock.tick(3))
    circular.executor_name, circular.executor_phone = reviewers[0].full_name, reviewers[0].phone
    sign(circular, clock.tick(20))  # opens the campaign: tasks «не начата», notifications
    municipalities = session.scalars(select(Municipality).order_by(Municipality.id)).all()
    by_code = {m.code: m for m in municipalities}
    order = ["vladivostok"] + [m.code for m in municipalities if m.code != "vladivostok"]
    # Spread the municipalities' work over the days since the circular, in time order.
    step = (today - timedelta(hours=6) - clock.now) / len(order)
    for code, scenario in zip(order, PLAN, strict=True):
        # Each scenario takes under ten hours; the step is longer, so letters are signed in
        # the order of their numbers.
        _play(session, _Clock(clock.now), rng, campaign, by_code[code], editors[code],
              reviewers, sign, scenario, year)
        clock.now += step
    return campaign


def _sections(campaign: Campaign, municipality: Municipality, rng, filled: int | None = None):
    texts = {}
    for i, requirement in enumerate(campaign.requirements):
        if filled is not None and i >= filled:
            break
        texts[requirement.id] = SECTIONS[i].format(
            name=municipality.name_prepositional, pct=rng.randint(68, 78), n=rng.randint(4, 30),
            k=rng.randint(2, 9))
    return texts


def _play(session, clock: _Clock, rng, campaign, municipality, editor, reviewers, sign,
          scenario: str, year: int) -> None:
    if scenario == "not_started":
        return
    reviewer = reviewers[rng.randrange(len(reviewers))]
    fields = programme_drafting.DraftFields(
        title=f"Программа развития дополнительного образования детей в "
              f"{municipality.name_prepositional}",
        period_from=year, period_to=year + 2, responsible_name=editor.full_name,
        responsible_position="Главный специалист управления образования",
        responsible_phone=editor.phone,
        outgoing_number=f"{rng.randint(100, 999)}-02-{rng.randint(10, 40)}",
        outgoing_date=clock.now.date(),
    )
    programme = programme_drafting.create_programme(
        session, campaign, editor, fields, now=clock.tick(0.5),
        sections=_sections(campaign, municipality, rng, 2 if scenario == "draft" else None))
    if scenario == "draft":
        return
    operations.submit_programme(session, programme, editor, now=clock.tick(1))
    if scenario == "withdrawn":
        operations.withdraw_programme(session, programme, editor, now=clock.tick(2),
                                      reason="Программа будет доработана после утверждения "
                                             "муниципального бюджета")
        return
    if scenario == "submitted":
        return
    operations.start_review(session, programme, reviewer, now=clock.tick(3))
    now = clock.tick(1)
    if scenario.startswith("approved"):
        for requirement in campaign.requirements:
            review.assess_requirement(session, programme, reviewer,
                                      requirement_id=requirement.id, verdict=Verdict.MET, now=now)
        operations.approve_programme(session, programme, reviewer, now=clock.tick(0.5))
        if scenario == "approved_signed":
            sign(_latest_letter(session, programme), clock.tick(1))
        return
    chosen = REMARKS[:2] if municipality.code == "vladivostok" else rng.sample(REMARKS, 2)
    flagged = {idx for idx, _ in chosen}
    for i, requirement in enumerate(campaign.requirements):
        review.assess_requirement(
            session, programme, reviewer, requirement_id=requirement.id,
            verdict=Verdict.PARTLY if i in flagged else Verdict.MET,
            comment="См. замечание" if i in flagged else "", now=now)
    for idx, text in chosen:
        review.add_remark(session, programme, reviewer,
                          requirement_id=campaign.requirements[idx].id, body=text,
                          visibility=RemarkVisibility.EXTERNAL, now=clock.tick(0.2))
    if scenario == "in_review":
        return
    operations.return_for_revision(session, programme, reviewer, now=clock.tick(0.5),
                                   reason="Программа не в полной мере отвечает требованиям "
                                          "циркулярного письма")
    sign(_latest_letter(session, programme), clock.tick(1))
    if scenario == "returned":
        return
    remarks = session.scalars(select(Remark).where(
        Remark.programme_id == programme.id, Remark.visibility == RemarkVisibility.EXTERNAL)
        .order_by(Remark.id)).all()
    for remark in remarks:
        review.answer_remark(session, programme, remark, editor, body=ANSWERS[remark.body],
                             now=clock.tick(0.5))
    if scenario == "returned_answered":
        return
    edited = {campaign.requirements[idx].id: programme.section_for(
        campaign.requirements[idx].id).text + " Раздел дополнен по замечаниям министерства."
        for idx in flagged}
    programme_drafting.update_draft(session, programme, editor, now=clock.tick(0.5), sections=edited)
    operations.resubmit_programme(session, programme, editor, now=clock.tick(0.5))


def _latest_letter(session, programme: Programme) -> Letter:
    return session.scalars(select(Letter).where(Letter.programme_id == programme.id)
                           .order_by(Letter.id.desc())).first()
