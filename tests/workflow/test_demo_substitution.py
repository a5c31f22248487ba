"""The demo's absences: a reminder signed "И.о." by the substitute signatory, reviewer2 acting
"за" reviewer1 in the past, and reviewer1 away today with reviewer2 as substitute."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.factories import SIGNING_PIN, TOTP_SECRET, demo_pkcs12
from workflow import substitution
from workflow.models import Absence, Assessment, Letter, Remark, User
from workflow.states import LetterState


def test_the_demo_has_substitutes_and_an_acting_signature(session):
    from workflow.demo.seed import seed_demo

    result = seed_demo(session, password="demo-password-2026", totp_secret=TOTP_SECRET,
                       signing_pin=SIGNING_PIN, issue_certificate=demo_pkcs12,
                       today=date(2026, 11, 30))
    session.commit()
    assert "signatory2" in [login for login, _, _ in result.logins]
    users = {u.login: u for u in session.scalars(select(User))}
    signed = [json.loads(letter.final_data) for letter in session.scalars(
        select(Letter).where(Letter.state == LetterState.SIGNED,
                             Letter.signatory_id == users["signatory2"].id))]
    assert len(signed) == 1
    assert signed[0]["signatory_position_lines"][0] == "И.о. заместителя министра"
    assert signed[0]["signatory_name"] == "Е.С. Орлова"
    assert signed[0]["acting_for"]["id"] == users["signatory"].id
    # Work done "за" reviewer1 while she was away.
    on_behalf = session.scalars(select(Assessment).where(
        Assessment.on_behalf_of_id == users["reviewer1"].id)).all()
    assert on_behalf and all(a.assessor_id == users["reviewer2"].id for a in on_behalf)
    assert session.scalars(select(Remark).where(
        Remark.on_behalf_of_id == users["reviewer1"].id)).first() is not None
    # Today reviewer2 acts for reviewer1.
    assert len(session.scalars(select(Absence)).all()) == 3
    today = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert users["reviewer1"].id in substitution.principals(session, users["reviewer2"], today)
