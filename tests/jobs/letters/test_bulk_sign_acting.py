"""Bulk signing as «И.о.»: a substitute signs, with their own key, the drafts awaiting the
absent signatory, exactly as single signing does (`sign_letter(acting_for=)`): the block reads
"И.о. заместителя министра ..." with the substitute's name, the PDF is signed with the
substitute's certificate (checked by pyHanko and poppler's pdfsig). The inbox offers it only
while the absence is current; otherwise the refusal names why, and nothing is registered."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from tests.documents.conftest import column_text, parse_pdf
from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import DEPUTY, away, letter_rows, make_deputy, read_letter
from tests.pdfsig import assert_pades_valid
from workflow import absences, bulk_signing
from workflow.errors import PermissionDenied
from workflow.models import Letter, Notification, SignBatch
from workflow.states import LetterState, Role

ACTING_LINE = "И.о. заместителя министра образования Приморского края"


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def deputy(world):
    return make_deputy(world)


@pytest.fixture
def circulars(world, make_letters):
    return [make_letters("circular")[0].id for _ in range(3)]


def _listed(page: str) -> set[int]:
    return set(map(int, re.findall(r'name="letter" value="(\d+)"', page)))


def _sign(client, ids, **extra):
    data = {"letter": [str(i) for i in ids], "pin": SIGNING_PIN, "confirm": "y", **extra}
    return client.post("/signing/sign", data=data, follow_redirects=True)


def _assert_acting_pdf(world, letter_id: int) -> None:
    row, pdf = read_letter(world, letter_id)
    data = json.loads(row.final_data)
    assert data["signatory_position_lines"][0] == "И.о. заместителя министра"
    assert data["signatory_name"] == "Е.С. Орлова"
    assert data["acting_for"]["id"] == world.signatory.id
    assert row.signatory_id != world.signatory.id
    parsed = parse_pdf(pdf)
    left = _flat(column_text(pdf, len(parsed.pages) - 1, left=True))
    assert ACTING_LINE in left
    text = _flat(parsed.text)
    assert "Е.С. Орлова" in text and "М.В. Шкуратская" not in text
    assert_pades_valid(pdf, owner=DEPUTY)


def test_the_substitute_bulk_signs_the_absent_signatorys_drafts_as_acting(
        world, auth, client, deputy, circulars):
    away(world, deputy)
    auth.login(deputy)
    home = client.get("/").get_data(as_text=True)
    assert f'href="/signing/?acting_for={world.signatory.id}"' in home
    own = client.get("/signing/").get_data(as_text=True)
    assert f'<option value="{world.signatory.id}"' in own  # the choice is offered
    page = client.get(f"/signing/?acting_for={world.signatory.id}").get_data(as_text=True)
    assert _listed(page) == set(circulars)
    assert world.signatory.full_name in page and ACTING_LINE in _flat(page)
    assert f'name="acting_for" type="hidden" value="{world.signatory.id}"' in page
    done = _sign(client, circulars[:2], acting_for=str(world.signatory.id))
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "Подписано и зарегистрировано 2 " in page
    # The batch's page says it was signed as «И.о.», and for whom; so does the batch row.
    assert f"И.о. за отсутствующего: {world.signatory.full_name}" in page
    with world.session.get_bind().connect() as c:
        assert c.scalar(select(SignBatch.acting_for_id)) == world.signatory.id
    rows = letter_rows(world, circulars)
    assert [r.state for r in rows] == [LetterState.SIGNED, LetterState.SIGNED, LetterState.DRAFT]
    assert [r.seq for r in rows[:2]] == [1, 2]
    for letter_id in circulars[:2]:
        _assert_acting_pdf(world, letter_id)


def test_a_substitute_without_the_signatory_role_signs_as_acting_from_the_screens(
        world, auth, client, circulars):
    # The domain lets a ministry official with a certificate substitute a signatory
    # (absences.substitute_refusal); the screens must let them do it too, only as «И.о.».
    head = make_deputy(world, role=Role.REVIEWER)
    auth.login(head)
    assert client.get("/signing/").status_code == 403  # not substituting anyone yet
    away(world, head)
    with world.session.get_bind().connect() as c:
        link = c.scalar(select(Notification.link).where(Notification.recipient_id == head.id,
                                                           Notification.kind == "absence.substitute"))
    assert link == f"/signing/?acting_for={world.signatory.id}"
    page = client.get("/signing/").get_data(as_text=True)  # the absent signatory's inbox
    assert _listed(page) == set(circulars)
    assert "От своего имени" not in page
    assert f'name="acting_for" type="hidden" value="{world.signatory.id}"' in page
    one = client.get(f"/letters/{circulars[2]}").get_data(as_text=True)
    assert "Подписать как исполняющий обязанности" in one
    assert "Подписать от своего имени" not in one
    done = _sign(client, circulars[:2], acting_for=str(world.signatory.id))
    assert "Подписано и зарегистрировано 2 " in done.get_data(as_text=True)
    for letter_id in circulars[:2]:
        _assert_acting_pdf(world, letter_id)
    # In their own name they sign nothing: the domain refuses, nothing is registered.
    refused = _sign(client, circulars[2:])
    assert "Подписать письма может только подписант" in refused.get_data(as_text=True)
    assert letter_rows(world, circulars[2:])[0].state == LetterState.DRAFT


def test_signing_in_ones_own_name_is_unchanged_for_the_substitute(world, auth, client, deputy,
                                                                  circulars):
    away(world, deputy)
    auth.login(deputy)
    assert "И.о. за отсутствующего" not in _sign(client, circulars[:1]).get_data(as_text=True)
    row, _ = read_letter(world, circulars[0])
    data = json.loads(row.final_data)
    assert "acting_for" not in data and data["signatory_name"] == "Е.С. Орлова"
    assert not data["signatory_position_lines"][0].startswith("И.о.")


@pytest.mark.parametrize("period, reason", [
    ((3, 9), "ещё не началось"),
    ((-9, -2), "закончилось"),
    (None, "Вы не замещаете"),
    ("cancelled", "отменено"),
])
def test_acting_is_refused_with_the_reason_when_the_absence_is_not_current(
        world, auth, client, deputy, circulars, period, reason):
    if period == "cancelled":
        absence = away(world, deputy)
        absences.cancel_absence(world.session, absence, world.admin, now=world.clock())
        world.session.commit()
    elif period is not None:
        away(world, deputy, start=period[0], end=period[1])
    auth.login(deputy)
    page = client.get(f"/signing/?acting_for={world.signatory.id}").get_data(as_text=True)
    assert reason in page  # the inbox says why it shows the deputy's own drafts
    response = _sign(client, circulars, acting_for=str(world.signatory.id))
    assert reason in response.get_data(as_text=True)
    assert {r.state for r in letter_rows(world, circulars)} == {LetterState.DRAFT}
    with world.session.get_bind().connect() as c:
        assert c.scalar(select(func.count()).select_from(SignBatch)) == 0


def test_the_domain_refuses_acting_for_someone_not_a_signatory_or_oneself(world, deputy):
    s = world.session
    draft = s.scalar(select(Letter.id).limit(1))
    for absent, words in ((deputy, "самого себя"), (world.reviewer, "не подписант")):
        with pytest.raises(PermissionDenied, match=words):
            bulk_signing.sign_batch(s, [draft or 1], deputy, now=world.clock(), pin=SIGNING_PIN,
                                    sealer=None, acting_for=absent)
    s.rollback()


def test_the_signatory_themselves_cannot_post_acting_for_an_unknown_user(world, auth, client,
                                                                         circulars):
    auth.login(world.signatory)
    assert _sign(client, circulars, acting_for="99999").status_code == 400
    assert _sign(client, circulars, acting_for="x").status_code == 400
    assert {r.state for r in letter_rows(world, circulars)} == {LetterState.DRAFT}
