"""Demo: heads of department, absences with substitutes, and a letter signed "И.о.".

Kept apart from `seed.py` (one call at its end) so that changes to the demo route elsewhere
merge cleanly. Everything goes through the real operations:

* every ministry user whose position begins "Начальник отдела" heads their department;
* a second signatory, the first deputy minister, who substitutes the deputy minister;
* in the demo's past, the deputy minister was away for a week: the substitute signed a
  reminder as "И.о. заместителя министра образования Приморского края", and reviewer2,
  substituting reviewer1 for a few days, assessed a requirement and made a remark "за" her;
* today (real date) reviewer1 is away for a month with reviewer2 as substitute, so reviewer2
  can act on reviewer1's programmes in the running demo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import (
    absences,
    letter_drafting,
    letter_registration,
    review,
    second_factor,
    signatory_certificates,
)
from ..models import Letter, Programme, User
from ..states import ProgrammeState, RemarkVisibility, Role, Verdict
from ..substitution import local_today
from ..users import create_user

SUBSTITUTE_LOGIN = "signatory2"
SUBSTITUTE_NAME = "Орлова Елена Сергеевна"
SUBSTITUTE_POSITION = "Первый заместитель министра\nобразования Приморского края"


@dataclass
class SubstitutionSeed:
    substitute: User
    acting_letter: Letter | None


def seed_substitution(
    session: Session, *, clock, campaign, signatory: User, reviewers: list[User], admin: User,
    password: str, signing_pin: str, issue_certificate: Callable[[str, str], bytes],
    totp_secret: str, logins: list, today: date,
) -> SubstitutionSeed:
    now = clock.now
    for head in session.scalars(select(User).where(User.role != Role.MUNICIPAL_EDITOR)):
        if head.position.lower().startswith("начальник отдела"):
            head.heads_department = True
            head.department = head.position.split(" ", 1)[1][:300]

    substitute = create_user(
        session, login=SUBSTITUTE_LOGIN, full_name=SUBSTITUTE_NAME, role=Role.SIGNATORY,
        password=password, now=now, position=SUBSTITUTE_POSITION, phone="(423) 240-28-05",
        email=f"{SUBSTITUTE_LOGIN}@example.ru", enforce_policy=False)
    logins.append((SUBSTITUTE_LOGIN, Role.SIGNATORY, "министерство"))
    second_factor.enrol_with_secret(session, substitute, totp_secret, now=now)
    signatory_certificates.add_certificate(
        session, substitute, None, pkcs12_bytes=issue_certificate(SUBSTITUTE_NAME, signing_pin),
        pin=signing_pin, now=now, source="demo")

    # The deputy minister's week away, in the demo's past; a reminder signed "И.о.".
    start = local_today(session, now)
    absences.declare_absence(session, signatory, admin, substitute=substitute,
                             starts_on=start, ends_on=start + timedelta(days=6), now=now,
                             reason="Ежегодный отпуск")
    acting_letter = None
    drafted = letter_drafting.draft_reminders(session, campaign, reviewers[0], now=clock.tick(1))
    if drafted:
        acting_letter = drafted[0]
        letter_registration.sign_letter(session, acting_letter, substitute, now=clock.tick(2),
                                        pin=signing_pin, sealer=None, acting_for=signatory)
        for spare in drafted[1:]:
            letter_drafting.cancel_letter(session, spare, reviewers[0], now=clock.now)

    # reviewer1's three days away in the past, with reviewer2 working "за" her.
    first, second = reviewers[0], reviewers[1]
    absences.declare_absence(session, first, first, substitute=second, starts_on=start,
                             ends_on=start + timedelta(days=2), now=clock.now,
                             reason="Командировка")
    held = session.scalars(select(Programme).where(
        Programme.reviewer_id == first.id, Programme.state == ProgrammeState.IN_REVIEW)
        .order_by(Programme.id)).first()
    if held is not None:
        requirement = campaign.requirements[-1]
        review.assess_requirement(session, held, second, requirement_id=requirement.id,
                                  verdict=Verdict.PARTLY, comment="Проверено в отсутствие эксперта",
                                  now=clock.tick(1))
        review.add_remark(session, held, second, requirement_id=requirement.id,
                          body="Приведите план встреч с родителями на учебный год.",
                          visibility=RemarkVisibility.INTERNAL, now=clock.tick(0.5))

    # Today: reviewer1 is on leave for a month, reviewer2 substitutes.
    if today > start + timedelta(days=2):
        absences.declare_absence(session, first, first, substitute=second,
                                 starts_on=today - timedelta(days=1),
                                 ends_on=today + timedelta(days=30), now=clock.now,
                                 reason="Отпуск")
    return SubstitutionSeed(substitute=substitute, acting_letter=acting_letter)

