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
    routes,
    second_factor,
    signatory_certificates,
)
from ..models import Campaign, Municipality, OrganisationProfile, Requirement
from ..states import Role
from ..users import create_user
from . import circular, current_campaign
from .route import DEMO_ROUTE_TITLE, demo_route_stages
from .scenarios import play
from .substitution import seed_substitution
from .texts import editor_name

DATA = Path(__file__).parent


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
        play(session, clock, rng, campaign, muni, editors[muni.code], reviewers, sign, scenario,
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
