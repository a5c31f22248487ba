"""A small world for tests: two municipalities, a user per role, a three-requirement
campaign, and a helper that brings a programme to any state through the real operations."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete

from workflow import (
    letter_registration,
    operations,
    programme_drafting,
    review,
    second_factor,
    signatory_certificates,
    signing_sessions,
)
from workflow.models import (
    Campaign,
    Letter,
    Municipality,
    Notification,
    OrganisationProfile,
    Programme,
    Requirement,
    SecurityEvent,
    User,
)
from workflow.states import ProgrammeState, RemarkVisibility, Role, Verdict
from workflow.users import create_user

PASSWORD = "correct-horse-battery"
# The authenticator app of the tests: the world's signatory and administrator are enrolled
# with this secret (base32), and the sign-in helpers compute its codes with pyotp.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Every signatory signs with a certificate of their own, opened by a PIN. The tests' demo CA
# lives in one directory per test process; apps under test point PKI_DIR at it to trust it.
SIGNING_PIN = "246813579"
SESSION_KEY = "test-signing-session-key"
TEST_SEALER = signing_sessions.SessionSealer(SESSION_KEY)
ORGANISATION = "Министерство образования Приморского края"


@lru_cache(maxsize=1)
def shared_pki_dir() -> Path:
    return Path(os.environ.get("TEST_PKI_DIR") or tempfile.mkdtemp(prefix="test-pki-"))


@lru_cache(maxsize=64)
def demo_pkcs12(owner: str, pin: str = SIGNING_PIN) -> bytes:
    """A PKCS#12 for `owner` from the tests' demo CA (cached: key generation is the cost)."""
    from documents.issue import issue_demo_certificate

    return issue_demo_certificate({"PKI_DIR": str(shared_pki_dir())}, owner_name=owner,
                                  organisation=ORGANISATION, pin=pin)


def give_certificate(session, user, *, now, pin: str = SIGNING_PIN, owner: str | None = None,
                     actor=None):
    """Store a certificate for `user` (in `owner`'s name if given: an impostor's attempt)."""
    return signatory_certificates.add_certificate(
        session, user, actor, pkcs12_bytes=demo_pkcs12(owner or user.full_name, pin), pin=pin,
        now=now, source="demo")


@dataclass
class World:
    session: object
    clock: object
    own: Municipality
    foreign: Municipality
    editor: User
    foreign_editor: User
    reviewer: User
    other_reviewer: User
    signatory: User
    admin: User
    campaign: Campaign

    def users_by_role(self) -> dict[str, User]:
        return {
            "editor": self.editor, "foreign_editor": self.foreign_editor,
            "reviewer": self.reviewer, "other_reviewer": self.other_reviewer,
            "signatory": self.signatory, "admin": self.admin,
        }


def build_world(session, clock) -> World:
    now = clock()
    session.add(OrganisationProfile(
        name="Министерство образования Приморского края",
        letterhead="МИНИСТЕРСТВО\nОБРАЗОВАНИЯ\nПРИМОРСКОГО КРАЯ",
        address="ул. Светланская, 22, г. Владивосток, 690110",
        phone="(423) 240-28-04", email="education2006@primorsky.ru",
        journal_index="23", numbering="continuous", public_base_url="http://localhost",
        timezone="Asia/Vladivostok",
    ))
    own = Municipality(code="artem", name="Артёмовский городской округ", kind="городской округ",
                       name_genitive="Артёмовского городского округа",
                       name_dative="Артёмовскому городскому округу",
                       name_prepositional="Артёмовском городском округе",
                       authority_name="Управление образования администрации Артёмовского городского округа",
                       authority_name_dative="Управлению образования администрации Артёмовского городского округа",
                       head_position="Начальник управления образования администрации Артёмовского городского округа",
                       head_position_dative="Начальнику управления образования администрации Артёмовского городского округа",
                       head_surname="Иванова", head_first_name="Ирина", head_patronymic="Петровна")
    foreign = Municipality(code="khasan", name="Хасанский муниципальный округ", kind="муниципальный округ",
                           authority_name="Управление образования Хасанского муниципального округа")
    session.add_all([own, foreign])
    session.flush()

    def user(login, role, muni=None, name=None, position=""):
        return create_user(session, login=login, full_name=name or f"Тестов {login} Иванович",
                           role=role, password=PASSWORD, now=now,
                           municipality_code=muni.code if muni else None, position=position,
                           phone="(423) 200-00-00", enforce_policy=False)

    campaign = Campaign(
        title="Программы профориентации", legal_basis="Указ № 474", deadline=date(2026, 6, 1),
        circular_number="23/6666", circular_date=date(2022, 7, 15), created_at=now,
        requirements=[Requirement(position=i, text=f"Требование номер {i}") for i in (1, 2, 3)],
    )
    session.add(campaign)
    session.flush()
    signatory = user("signatory", Role.SIGNATORY, name="Шкуратская Мария Викторовна",
                     position="Заместитель министра\nобразования Приморского края")
    give_certificate(session, signatory, now=now)
    # Granting the role and the certificate are audited and announced; the world starts with
    # an empty security log and no notifications all the same (tests count what they do).
    session.execute(delete(SecurityEvent))
    session.execute(delete(Notification))
    world = World(
        session=session, clock=clock, own=own, foreign=foreign,
        editor=user("editor", Role.MUNICIPAL_EDITOR, own),
        foreign_editor=user("foreign-editor", Role.MUNICIPAL_EDITOR, foreign),
        reviewer=user("reviewer", Role.REVIEWER),
        other_reviewer=user("reviewer2", Role.REVIEWER),
        signatory=signatory,
        admin=user("admin", Role.ADMIN),
        campaign=campaign,
    )
    # The roles that must have a second factor have one, as in the demo.
    for enrolled in (world.signatory, world.admin):
        second_factor.enrol_with_secret(session, enrolled, TOTP_SECRET, now=now)
    return world


def new_programme(w: World, *, title: str = "Программа профориентации", filled: bool = True) -> Programme:
    sections = {r.id: f"Текст раздела {r.position}" for r in w.campaign.requirements} if filled else {}
    return programme_drafting.create_programme(
        w.session, w.campaign, w.editor,
        programme_drafting.DraftFields(title=title, period_from=2026, period_to=2028,
                                       outgoing_number="01-12/345", outgoing_date=date(2026, 2, 20)),
        now=w.clock.tick(), sections=sections,
    )


def add_external_remark(w: World, programme: Programme, text: str = "Уточните показатели"):
    return review.add_remark(w.session, programme, w.reviewer,
                             requirement_id=w.campaign.requirements[0].id, body=text,
                             visibility=RemarkVisibility.EXTERNAL, now=w.clock.tick())


def assess_all(w: World, programme: Programme, verdict: str = Verdict.MET) -> None:
    for r in w.campaign.requirements:
        review.assess_requirement(w.session, programme, w.reviewer, requirement_id=r.id,
                                  verdict=verdict, now=w.clock.tick())


def programme_in(w: World, state: ProgrammeState, *, title: str = "Программа профориентации") -> Programme:
    """A programme of `w.own` in `state`, brought there through the operations."""
    p = new_programme(w, title=title)
    if state == ProgrammeState.DRAFT:
        return p
    if state == ProgrammeState.WITHDRAWN:
        operations.withdraw_programme(w.session, p, w.editor, now=w.clock.tick(), reason="Передумали")
        return p
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    if state == ProgrammeState.SUBMITTED:
        return p
    operations.start_review(w.session, p, w.reviewer, now=w.clock.tick())
    if state == ProgrammeState.IN_REVIEW:
        return p
    if state in (ProgrammeState.APPROVED, ProgrammeState.DECISION_PENDING):
        assess_all(w, p)
        operations.approve_programme(w.session, p, w.reviewer, now=w.clock.tick())
        if state == ProgrammeState.DECISION_PENDING:
            return p
        # A decision takes effect when its letter is signed (the standard route).
        sign(w, decision_letter(w, p))
        return p
    add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Доработать")
    sign(w, decision_letter(w, p))
    assert state == ProgrammeState.RETURNED
    return p


def sign_decision(w: World, programme: Programme):
    """Sign the programme's pending decision letter (the standard route: the world's
    signatory signs), so that the proposed approval or return takes effect."""
    letter = decision_letter(w, programme)
    sign(w, letter)
    return letter


def decision_letter(w: World, programme: Programme):
    """The draft letter of the programme's active decision."""
    from workflow.route_engine import active_decision

    decision = active_decision(w.session, programme)
    assert decision is not None, f"no active decision for programme {programme.state}"
    return w.session.get(Letter, decision.letter_id)


def sign(w: World, letter, **kw):
    return letter_registration.sign_letter(w.session, letter, w.signatory, now=w.clock.tick(),
                                           pin=SIGNING_PIN, sealer=TEST_SEALER, **kw)


def sign_pending_decision(url: str, *, title: str | None = None, programme_id: int | None = None):
    """From outside the app under test (its own engine on `url`): the world's signatory signs
    the pending decision letter of a programme, so the proposal takes effect. For browser and
    screen tests whose app holds the database; the signature screens are tested elsewhere."""
    from datetime import UTC, datetime

    from sqlalchemy import select as _select

    from workflow.db import make_engine, make_session_factory
    from workflow.route_engine import active_decision

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            where = Programme.id == programme_id if programme_id else Programme.title == title
            programme = s.scalar(_select(Programme).where(where))
            decision = active_decision(s, programme)
            signatory = s.scalar(_select(User).where(User.login == "signatory"))
            letter_registration.sign_letter(s, s.get(Letter, decision.letter_id), signatory,
                                            now=datetime.now(UTC), pin=SIGNING_PIN, sealer=None)
            s.commit()
    finally:
        engine.dispose()
