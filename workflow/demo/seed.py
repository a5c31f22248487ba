"""Demo data: the 34 municipalities of Primorsky Krai, the campaign of circular 23/6666,
users for every role and a spread of programmes in every state, all moved through the real
operations (so their history, revisions, remarks and letters are genuine)."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import (
    letter_drafting,
    letter_registration,
    operations,
    programme_drafting,
    review,
    route_engine,
    routes,
    second_factor,
    signatory_certificates,
)
from ..models import Campaign, Municipality, OrganisationProfile, Programme, Requirement
from ..states import RemarkVisibility, Role, Verdict
from ..users import create_user
from . import circular, current_campaign
from .substitution import seed_substitution

DATA = Path(__file__).parent

HEADS = [
    "Иванова Ирина Петровна", "Смирнов Алексей Викторович", "Кузнецова Ольга Николаевна",
    "Попов Дмитрий Сергеевич", "Васильева Елена Александровна", "Петров Андрей Игоревич",
    "Соколова Наталья Владимировна", "Михайлов Сергей Анатольевич", "Новикова Татьяна Юрьевна",
    "Фёдоров Павел Геннадьевич", "Морозова Светлана Ивановна", "Волков Игорь Валерьевич",
]

SURNAMES_F = ("Ковалёва", "Никитина", "Зайцева", "Павлова", "Семёнова", "Голубева", "Виноградова",
              "Богданова", "Воробьёва", "Фролова", "Киселёва", "Белова", "Титова", "Орлова",
              "Андреева", "Макарова", "Захарова")
NAMES_F = ("Елена Викторовна", "Ольга Сергеевна", "Марина Александровна", "Татьяна Ивановна",
           "Наталья Петровна", "Ирина Юрьевна", "Светлана Николаевна")
SURNAMES_M = ("Кравцов", "Лебедев", "Гусев", "Соловьёв", "Комаров", "Медведев", "Жуков",
              "Тарасов", "Белов", "Ершов", "Данилов", "Сорокин", "Антонов", "Ильин", "Мельников",
              "Крылов", "Григорьев")
NAMES_M = ("Андрей Викторович", "Сергей Николаевич", "Дмитрий Олегович", "Алексей Петрович",
           "Игорь Владимирович", "Павел Андреевич")


def editor_name(i: int) -> str:
    if i % 2 == 0:
        return f"{SURNAMES_F[i // 2 % len(SURNAMES_F)]} {NAMES_F[i % len(NAMES_F)]}"
    return f"{SURNAMES_M[i // 2 % len(SURNAMES_M)]} {NAMES_M[i % len(NAMES_M)]}"


SECTION_TEMPLATES = (
    "В {name} разработана муниципальная программа профориентационной работы на {p0}–{p1} годы. "
    "В неё включены {n} программ дополнительного образования предметной направленности, в том "
    "числе {k} реализуются в сетевой форме с колледжами и предприятиями округа.",
    "Заключены соглашения о сотрудничестве с {k} организациями среднего профессионального и "
    "высшего образования (ДВФУ, ВГУЭС, Владивостокский судостроительный колледж). Ежегодно "
    "проводятся дни открытых дверей и профессиональные пробы для обучающихся 8–11 классов.",
    "Межведомственный план включает учреждения культуры, спорта и здравоохранения; охват детей "
    "дополнительным образованием планируется увеличить до {pct}%, в том числе детей с ОВЗ — "
    "за счёт адаптированных программ и дистанционных форм.",
    "С {k} предприятиями округа заключены договоры о проведении экскурсий и стажировок; "
    "информация о потребности предприятий в кадрах размещается на сайте управления образования "
    "ежеквартально.",
    "Проводится ежегодный муниципальный семинар по лучшим практикам педагогического "
    "сопровождения профессионального выбора; методические материалы размещаются в открытом "
    "доступе, для родителей организованы консультации педагогов-психологов.",
    "Реализуется проект «Моя профессия — моё будущее»: трудовые десанты, волонтёрские акции, "
    "летняя трудовая занятость подростков ({n} рабочих мест ежегодно).",
    "Для родителей (законных представителей) проводятся родительские собрания по вопросам "
    "профориентации не реже двух раз в год, а также встречи с представителями работодателей.",
)

REMARKS = (
    (0, "Не указаны целевые показатели охвата обучающихся программами дополнительного образования по годам."),
    (1, "Приложите перечень заключённых соглашений с организациями СПО и ВО с датами и сроками действия."),
    (2, "Не отражена работа с детьми с ОВЗ: укажите конкретные мероприятия и ответственных."),
    (3, "Информация о потребности предприятий в кадрах должна обновляться не реже раза в квартал; уточните порядок."),
    (6, "Мероприятия для родителей описаны общими словами; приведите план на учебный год."),
)

ANSWERS = (
    "Целевые показатели добавлены в раздел 1 (таблица 2): 68% в 2023 г., 72% в 2024 г., 75% в 2025 г.",
    "Перечень соглашений приложен к программе (приложение 3).",
    "Раздел дополнен: адаптированные программы в 6 школах, ответственный — отдел специального образования.",
    "Порядок уточнён: обновление ежеквартально до 10-го числа месяца, следующего за кварталом.",
    "План мероприятий для родителей на 2022/2023 учебный год включён в раздел 7.",
)


@dataclass
class Clock:
    """A simulated clock so that the demo's history reads like the summer of 2022."""

    now: datetime = field(default_factory=lambda: datetime(2022, 7, 15, 9, 0, tzinfo=UTC))

    def tick(self, hours: float = 5) -> datetime:
        self.now += timedelta(hours=hours)
        return self.now


@dataclass
class SeedResult:
    logins: list[tuple[str, str, str]]  # (login, role label, municipality)
    password: str
    signatory_login: str = "signatory"
    signing_pin: str = ""
    certificate_serial: str = ""
    # The signatory's and the administrator's second factor (base32), printed for an app.
    totp_secret: str = ""
    totp_logins: tuple[str, ...] = ()


# Issues a PKCS#12 for (owner's full name, PIN): the caller's demo CA, kept out of workflow/.
IssueCertificate = Callable[[str, str], bytes]


def seed_demo(session: Session, *, password: str, signing_pin: str,
              issue_certificate: IssueCertificate, rng_seed: int = 6666,
              totp_secret: str | None = None, today: datetime | date | None = None) -> SeedResult:
    """`issue_certificate(full_name, pin)` gives the signatory their own certificate, issued
    now in their name (whatever ran before: the name comes from the account created here)."""
    if session.scalar(select(func.count(Municipality.id))):
        raise RuntimeError("База уже содержит данные: демо-данные загружаются в пустую базу")
    rng = random.Random(rng_seed)
    clock = Clock()
    now = clock.now
    session.add(OrganisationProfile(
        name=circular.ORGANISATION["name"], letterhead=circular.ORGANISATION["letterhead"],
        address=circular.ORGANISATION["address"], phone=circular.ORGANISATION["phone"],
        email=circular.ORGANISATION["email"], emblem_svg=None, journal_index="23",
        numbering="continuous", public_base_url="http://127.0.0.1:5000", timezone="Asia/Vladivostok",
    ))
    municipalities = []
    with open(DATA / "municipalities.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            # Authority names follow the patterns used in Primorsky Krai ("Управление
            # образования администрации ...", "Отдел образования администрации ..."); the
            # heads' names are invented for the demo and belong to no real person.
            municipalities.append(Municipality(
                code=row["code"], name=row["name"], kind=row["kind"],
                name_genitive=row["name_genitive"], name_dative=row["name_dative"],
                name_prepositional=row["name_prepositional"],
                authority_name=row["authority_name"],
                authority_name_dative=row["authority_name_dative"],
                head_position=row["head_position"],
                head_position_dative=row["head_position_dative"],
                head_surname=row["head_surname"], head_first_name=row["head_first_name"],
                head_patronymic=row["head_patronymic"], email=row["email"],
                address=row["address"], active=True,
            ))
    session.add_all(municipalities)
    session.flush()

    logins = []

    def user(login, name, role, muni=None, position="", phone=""):
        u = create_user(session, login=login, full_name=name, role=role, password=password, now=now,
                        municipality_code=muni.code if muni else None, position=position,
                        phone=phone, email=f"{login}@example.ru", enforce_policy=False)
        logins.append((login, role, muni.name if muni else "министерство"))
        return u

    admin = user("admin", "Администратор Системы", Role.ADMIN)
    signatory = user("signatory", circular.SIGNATORY_FULL_NAME, Role.SIGNATORY,
                     position=circular.SIGNATORY_POSITION, phone="(423) 240-28-04")
    reviewers = [
        user("reviewer1", "Лебедева Анна Сергеевна", Role.REVIEWER,
             position="Главный специалист отдела общего образования", phone="(423) 240-15-33"),
        user("reviewer2", "Егоров Максим Олегович", Role.REVIEWER,
             position="Консультант отдела дополнительного образования", phone="(423) 240-15-34"),
    ]
    # The heads of department who endorse (визы) on the demo route.
    heads = [
        user("head_general", "Кравченко Ольга Николаевна", Role.REVIEWER,
             position="Начальник отдела общего образования", phone="(423) 240-15-20"),
        user("head_extra", "Бондаренко Сергей Викторович", Role.REVIEWER,
             position="Начальник отдела дополнительного образования", phone="(423) 240-15-21"),
    ]
    editors = {m.code: user(m.code, editor_name(i), Role.MUNICIPAL_EDITOR, m,
                            position="Главный специалист управления образования",
                            phone=f"(4232) {rng.randint(20, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}")
               for i, m in enumerate(municipalities)}
    # The roles that must have a second factor are enrolled, with one secret printed for
    # the person trying the demo (a random one unless given).
    totp_secret = totp_secret or pyotp.random_base32()
    for enrolled in (admin, signatory):
        second_factor.enrol_with_secret(session, enrolled, totp_secret, now=now)
    certificate = signatory_certificates.add_certificate(
        session, signatory, None, pkcs12_bytes=issue_certificate(signatory.full_name, signing_pin),
        pin=signing_pin, now=now, source="demo")

    def sign(letter, when, **kw):
        # No signing session: the command that seeds renders the PDFs with the PIN it knows.
        return letter_registration.sign_letter(session, letter, signatory, now=when, pin=signing_pin,
                                               sealer=None, **kw)

    campaign = Campaign(
        title=circular.CAMPAIGN_TITLE, legal_basis=circular.LEGAL_BASIS,
        deadline=date(2022, 9, 30), circular_number=circular.NUMBER,
        circular_date=circular.DATE, created_at=now,
        requirements=[Requirement(position=i + 1, text=t) for i, t in enumerate(circular.REQUIREMENTS)],
    )
    session.add(campaign)
    session.flush()
    # The campaign's approval route: the expert proposes, both heads endorse (parallel,
    # all), the deputy minister signs.
    route = routes.create_route(session, admin, code="demo-23-6666", title=DEMO_ROUTE_TITLE,
                                stages=demo_route_stages(heads, signatory), now=now)
    routes.set_campaign_route(session, campaign, route, admin)

    # The journal starts from the real circular, signed before the system existed.
    circ = letter_drafting.draft_circular(
        session, campaign, reviewers[0], now=now, heading=circular.HEADING,
        body="\n\n".join(circular.BODY_PARAGRAPHS), salutation=circular.SALUTATION,
    )
    circ.executor_name, circ.executor_phone = "Лебедева Анна Сергеевна", "(423) 240-15-33"
    sign(circ, now, legacy_number=circular.SEQ, legacy_date=circular.DATE)

    # One programme at each stage of the route besides the programme states: visas awaited,
    # one visa given ("с замечаниями"), both visas given and the signature awaited.
    plan = (
        ["approved_signed"] * 3 + ["at_visas", "at_signature"] + ["in_review"] * 3
        + ["at_one_visa"]
        + ["returned"] * 3 + ["returned_answered"] + ["resubmitted"] * 2 + ["submitted"] * 4
        + ["draft_full"] * 2 + ["draft_partial"] * 2 + ["withdrawn"]
    )
    clock.tick(24 * 14)
    for muni, scenario in zip(municipalities, plan, strict=False):
        _play(session, clock, rng, campaign, muni, editors[muni.code], reviewers, sign, scenario,
              heads)
    moment = today or datetime.now(UTC)
    if not isinstance(moment, datetime):  # a day: its noon, UTC
        moment = datetime.combine(moment, datetime.min.time(), UTC) + timedelta(hours=12)
    _seed_campaigns(session, campaign, today=moment, admin=admin,
                    reviewers=reviewers, editors=editors, sign=sign, rng=rng, logins=logins)
    acting = seed_substitution(
        session, clock=clock, campaign=campaign, signatory=signatory, reviewers=reviewers,
        admin=admin, password=password, signing_pin=signing_pin,
        issue_certificate=issue_certificate, totp_secret=totp_secret, logins=logins,
        today=moment.date())
    logins.sort(key=lambda row: row[0] != "vladivostok")
    return SeedResult(logins=logins, password=password, signatory_login=signatory.login,
                      signing_pin=signing_pin, certificate_serial=certificate.serial,
                      totp_secret=totp_secret,
                      totp_logins=(admin.login, signatory.login, acting.substitute.login))


def _seed_campaigns(session, campaign_2022, *, today, admin, reviewers, editors, sign, rng,
                    logins) -> None:
    """The campaign lifecycle in the demo (workflow/demo/current_campaign.py): the 2022
    campaign's participants, and a current campaign opened by a signed circular. The login
    with work to do in it (`vladivostok`: remarks to answer) is listed first."""
    current_campaign.seed_2022_participants(session, campaign_2022)
    current_campaign.seed_current_campaign(session, today=today, admin=admin,
                                           reviewers=reviewers, editors=editors, sign=sign,
                                           rng=rng)
    logins.sort(key=lambda row: row[0] != "vladivostok")


def _sections(campaign, muni, rng, filled: int | None = None) -> dict[int, str]:
    p0 = 2022
    texts = {}
    for i, req in enumerate(campaign.requirements):
        if filled is not None and i >= filled:
            break
        texts[req.id] = SECTION_TEMPLATES[i].format(
            name=muni.name_prepositional, p0=p0, p1=p0 + 3, n=rng.randint(6, 24), k=rng.randint(3, 12),
            pct=rng.randint(70, 85),
        )
    return texts


DEMO_ROUTE_TITLE = "Согласование программ профориентации (письмо № 23/6666)"


def demo_route_stages(heads, signatory) -> list[routes.StageSpec]:
    return [
        routes.StageSpec("Экспертиза", "review", "programme_reviewer", limit_days=10,
                         on_refusal="municipality"),
        routes.StageSpec("Визы начальников отделов общего и дополнительного образования",
                         "endorse", "users", user_ids=[h.id for h in heads], mode="all",
                         limit_days=3, on_refusal="reviewer"),
        routes.StageSpec("Подпись заместителя министра", "sign", "users",
                         user_ids=[signatory.id], mode="any", limit_days=2,
                         on_refusal="previous"),
    ]


def _visas(session, programme, heads, clock, *, upto: int = 2, remarks_first: bool = False):
    """The heads' visas on the programme's pending decision, the first `upto` of them."""
    from ..models import StageTask
    from ..route_engine import active_decision

    decision = active_decision(session, programme)
    for i, head in enumerate(heads[:upto]):
        task = session.scalar(select(StageTask).where(
            StageTask.decision_id == decision.id, StageTask.assignee_id == head.id,
            StageTask.state == "open"))
        with_remarks = remarks_first and i == 0
        route_engine.decide_task(
            session, task.id, head, now=clock.tick(3),
            decision="approve_with_remarks" if with_remarks else "approve",
            comment=("Согласовано; при следующей корректировке уточнить показатели охвата "
                     "дополнительным образованием") if with_remarks else "")


def _play(session, clock, rng, campaign, muni, editor, reviewers, sign, scenario, heads):
    reviewer = reviewers[rng.randrange(2)]
    fields = programme_drafting.DraftFields(
        title=f"Программа профориентационной работы в {muni.name_prepositional}",
        period_from=2022, period_to=2025,
        responsible_name=rng.choice(HEADS),
        responsible_position="Начальник отдела общего образования",
        responsible_phone=editor.phone,
        outgoing_number=f"{rng.randint(100, 999)}-01-{rng.randint(10, 40)}",
        outgoing_date=(clock.now + timedelta(days=1)).date(),
    )
    partial = 3 if scenario == "draft_partial" else None
    programme = programme_drafting.create_programme(
        session, campaign, editor, fields, now=clock.tick(rng.uniform(1, 30)),
        sections=_sections(campaign, muni, rng, partial),
    )
    if scenario.startswith("draft"):
        return
    if scenario == "withdrawn":
        operations.submit_programme(session, programme, editor, now=clock.tick(3))
        operations.withdraw_programme(session, programme, editor, now=clock.tick(20),
                                      reason="Программа будет переработана с учётом новой редакции муниципального плана")
        return
    operations.submit_programme(session, programme, editor, now=clock.tick(2))
    if scenario == "submitted":
        return
    operations.start_review(session, programme, reviewer, now=clock.tick(20))
    now = clock.tick(4)
    if scenario.startswith(("approved", "at_")):
        for req in campaign.requirements:
            review.assess_requirement(session, programme, reviewer, requirement_id=req.id,
                                      verdict=Verdict.MET, comment="", now=now)
        # A proposal: it travels the route and takes effect with the signature.
        operations.approve_programme(session, programme, reviewer, now=clock.tick(1))
        if scenario == "at_visas":
            return
        _visas(session, programme, heads, clock, upto=1 if scenario == "at_one_visa" else 2,
               remarks_first=scenario in ("at_one_visa", "approved_signed"))
        if scenario == "approved_signed":
            letter = _latest_letter(session, programme)
            sign(letter, clock.tick(6))
        return
    chosen = rng.sample(REMARKS, 2)
    for i, req in enumerate(campaign.requirements):
        flagged = any(idx == i for idx, _ in chosen)
        review.assess_requirement(
            session, programme, reviewer, requirement_id=req.id,
            verdict=Verdict.PARTLY if flagged else Verdict.MET,
            comment="См. замечание" if flagged else "", now=now,
        )
    for idx, text in chosen:
        review.add_remark(session, programme, reviewer, requirement_id=campaign.requirements[idx].id,
                          body=text, visibility=RemarkVisibility.EXTERNAL, now=clock.tick(0.5))
    review.add_remark(session, programme, reviewer, requirement_id=campaign.requirements[0].id,
                      body="Сравнить с программой прошлого года: объём финансирования снижен.",
                      visibility=RemarkVisibility.INTERNAL, now=clock.tick(0.5))
    if scenario == "in_review":
        return
    operations.return_for_revision(session, programme, reviewer, now=clock.tick(2),
                                   reason="Программа не в полной мере отвечает требованиям письма")
    _visas(session, programme, heads, clock)
    sign(_latest_letter(session, programme), clock.tick(5))
    if scenario == "returned":
        return
    from ..models import Remark

    external = session.scalars(select(Remark).where(
        Remark.programme_id == programme.id, Remark.visibility == RemarkVisibility.EXTERNAL)).all()
    for remark in external:
        answer = ANSWERS[[t for _, t in REMARKS].index(remark.body)]
        review.answer_remark(session, programme, remark, editor, body=answer, now=clock.tick(3))
    if scenario == "returned_answered":
        return
    edited = {r.id: s + " Раздел дополнен по замечаниям министерства." for r, s in zip(
        campaign.requirements, [programme.section_for(r.id).text for r in campaign.requirements],
        strict=True) if any(campaign.requirements[idx].id == r.id for idx, _ in chosen)}
    programme_drafting.update_draft(session, programme, editor, now=clock.tick(1), sections=edited)
    operations.resubmit_programme(session, programme, editor, now=clock.tick(1))


def _latest_letter(session, programme: Programme):
    from ..models import Letter

    return session.scalars(select(Letter).where(Letter.programme_id == programme.id)
                           .order_by(Letter.id.desc())).first()
