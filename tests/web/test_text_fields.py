"""The screens refuse control, bidi-override and noncharacter code points in every text
field, beside the field and naming it, and save nothing; line breaks and tabs are text.
Before, the screens stored them (RLO, ESC...) and they reached the signed PDFs; NUL was a
server error on PostgreSQL."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.factories import new_programme, programme_in
from tests.security.conftest import VOLATILE_TABLES
from tests.web.conftest import text
from tests.workflow.test_text_and_actors import digest as full_digest
from workflow.models import Letter, Programme, User
from workflow.states import ProgrammeState

CHARS = {"RLO": "\u202e", "LRI": "\u2066", "ESC": "\x1b", "NUL": "\x00", "C1 NEL": "\x85",
         "U+FFFF": "\uffff"}


# Signing in and out writes these (the attempt, its throttle row, the event, the account's
# session epoch and session record, the second factor's last used step); nothing else may
# change.
VOLATILE = VOLATILE_TABLES | {"user_account", "user_session", "second_factor"}


def digest(session) -> dict:
    return {k: v for k, v in full_digest(session).items() if k not in VOLATILE}


def _programme_form(p, w, **overrides):
    data = {"version": str(p.version), "title": p.title, "period_from": "2026",
            "period_to": "2028", "responsible_name": "Петрова Анна Сергеевна"}
    for r in w.campaign.requirements:
        data[f"section_{r.id}"] = f"Раздел {r.position}"
    data.update(overrides)
    return data


def _refused(response, label: str, char: str) -> None:
    assert response.status_code == 400
    page = html.unescape(text(response))
    assert f"«{label}»" in page and f"U+{ord(char):04X}" in page, page[:3000]


@pytest.mark.parametrize("name", sorted(CHARS))
def test_the_programme_form_refuses_the_character_beside_its_field(client, world, login, name):
    char = CHARS[name]
    p = new_programme(world)
    world.session.commit()
    login("editor")
    rid = world.campaign.requirements[1].id
    before = digest(world.session)
    world.session.commit()
    _refused(client.post(f"/programmes/{p.id}/edit",
                         data=_programme_form(p, world, title=f"Программа {char}")),
             "Название программы", char)
    _refused(client.post(f"/programmes/{p.id}/edit",
                         data=_programme_form(p, world, **{f"section_{rid}": f"Текст {char}"})),
             "Требование 2", char)
    assert digest(world.session) == before


def test_remarks_letters_and_admin_forms_refuse_the_character(client, world, login):
    char = "\u202e"
    in_review = programme_in(world, ProgrammeState.IN_REVIEW, title="На рассмотрении")
    # A decision letter still a draft: the approval proposed, awaiting its signature.
    pending = programme_in(world, ProgrammeState.DECISION_PENDING, title="На согласовании")
    letter = world.session.scalar(select(Letter).where(Letter.programme_id == pending.id))
    world.session.commit()
    before = digest(world.session)
    world.session.commit()
    login("reviewer")
    rid = world.campaign.requirements[0].id
    _refused(client.post(f"/programmes/{in_review.id}/remarks", data={
        "requirement_id": str(rid), "visibility": "external", "body": f"Замечание {char}"}),
        "Замечание", char)
    _refused(client.post(f"/programmes/{in_review.id}/actions/return_for_revision", data={
        "version": str(in_review.version), "reason": f"Причина {char}"}), "Причина", char)
    _refused(client.post(f"/letters/{letter.id}/edit", data={
        "version": str(letter.version), "addressee": letter.addressee,
        "heading": letter.heading, "salutation": letter.salutation,
        "body": f"Текст {char} письма"}), "Текст письма (абзацы разделяйте пустой строкой)",
        char)
    login("admin")
    _refused(client.post("/admin/municipalities/new", data={
        "code": "new-one", "name": f"Округ{char}"}), "Наименование", char)
    _refused(client.post("/admin/users/new", data={
        "login": "new-user", "full_name": f"Новиков{char}", "role": "reviewer",
        "municipality": "", "password": "correct-horse-battery-9"}), "ФИО", char)
    _refused(client.post("/admin/campaigns/new", data={
        "title": "Кампания", "deadline": "2027-01-01",
        "requirements": f"Первое\nВторое {char}"}), "Требования (по одному в строке)", char)
    after = digest(world.session)
    assert after == before, _diff(after, before)
    assert world.session.scalar(select(User.id).where(User.login == "new-user")) is None


def test_line_breaks_and_tabs_are_text(client, world, login):
    p = new_programme(world)
    world.session.commit()
    login("editor")
    rid = world.campaign.requirements[0].id
    response = client.post(f"/programmes/{p.id}/edit", data=_programme_form(
        p, world, **{f"section_{rid}": "первая\r\nвторая\tтретья"}))
    assert response.status_code == 302
    world.session.expire_all()
    stored = {s.requirement_id: s.text for s in world.session.get(Programme, p.id).sections}
    world.session.commit()
    assert stored[rid] == "первая\nвторая\tтретья"


def _diff(a, b):
    return {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}
