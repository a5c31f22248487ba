# ruff: noqa: F811 -- fixtures imported from tests/api are used as arguments
"""`POST /api/v1/letters/bulk-sign` with `acting_for`: the substitute signs the absent
signatory's drafts as «И.о.» with their own key (the PDFs parsed and their signatures
verified); a substitution that is not current is refused with the reason (403), an unknown
user is 404, and nothing is registered. Responses are checked against the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.api.conftest import (  # noqa: F401 -- fixtures
    app,
    as_user,
    client,
    recorder,
    signatory,
    token_for,
)
from tests.documents.conftest import column_text, parse_pdf
from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import DEPUTY, away, draft_circulars, make_deputy
from tests.pdfsig import assert_pades_valid
from workflow.models import Letter, SignBatch
from workflow.states import LetterState


@pytest.fixture
def deputy(world, as_user):
    return make_deputy(world)


@pytest.fixture
def draft_ids(world):
    return draft_circulars(world, 3)


def _rows(world, ids):
    from sqlalchemy.orm import Session

    with Session(bind=world.session.get_bind()) as s:
        return {row.id: (row.state, row.final_data, row.pdf) for row in
                s.scalars(select(Letter).where(Letter.id.in_(ids)))}


def test_the_substitute_bulk_signs_as_acting_over_the_api(world, as_user, deputy, draft_ids):
    away(world, deputy, 0, 3)
    api = as_user(deputy)
    response = api.post("/letters/bulk-sign", json={"letter_ids": draft_ids[:2], "pin": SIGNING_PIN,
                                                    "acting_for": world.signatory.id})
    assert response.status_code == 202, response.get_json()
    progress = api.get(f"/jobs/{response.get_json()['job']}").get_json()
    assert (progress["done"], progress["failed"]) == (2, 0)
    # The job says whom the batch was signed for (the OpenAPI shape: `acting_for`, a person).
    assert progress["acting_for"] == {"id": world.signatory.id,
                                      "full_name": world.signatory.full_name}
    rows = _rows(world, draft_ids)
    assert rows[draft_ids[2]][0] == LetterState.DRAFT
    for letter_id in draft_ids[:2]:
        state, final_data, pdf = rows[letter_id]
        assert state == LetterState.SIGNED
        data = json.loads(final_data)
        assert data["acting_for"]["id"] == world.signatory.id
        parsed = parse_pdf(pdf)
        left = " ".join(column_text(pdf, len(parsed.pages) - 1, left=True).split())
        assert "И.о. заместителя министра образования Приморского края" in left
        assert "Е.С. Орлова" in parsed.text.replace("\u00a0", " ")
        assert_pades_valid(pdf, owner=DEPUTY)


def test_acting_outside_the_absence_is_refused_and_registers_nothing(world, as_user, deputy,
                                                                     draft_ids, fresh):
    away(world, deputy, 2, 6)  # begins the day after tomorrow
    api = as_user(deputy)
    refused = api.post("/letters/bulk-sign", json={"letter_ids": draft_ids, "pin": SIGNING_PIN,
                                                   "acting_for": world.signatory.id})
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "forbidden" and "ещё не началось" in error["message"]
    unknown = api.post("/letters/bulk-sign", json={"letter_ids": draft_ids, "pin": SIGNING_PIN,
                                                   "acting_for": 999999})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    for bad in (0, "1", -5):
        response = api.post("/letters/bulk-sign", json={"letter_ids": draft_ids, "pin": SIGNING_PIN,
                                                        "acting_for": bad})
        assert response.status_code == 400 and response.get_json()["error"]["field"] == "acting_for"
    assert {state for state, _, _ in _rows(world, draft_ids).values()} == {LetterState.DRAFT}
    with fresh() as s:
        assert s.scalar(select(func.count()).select_from(SignBatch)) == 0


def test_a_batch_signed_in_ones_own_name_has_no_acting_for(world, signatory, draft_ids):
    response = signatory.post("/letters/bulk-sign", json={"letter_ids": draft_ids[:1],
                                                          "pin": SIGNING_PIN})
    assert response.status_code == 202, response.get_json()
    progress = signatory.get(f"/jobs/{response.get_json()['job']}").get_json()
    assert progress["acting_for"] is None and progress["done"] == 1


def test_the_absent_signatory_cannot_be_the_acting_one(world, signatory, draft_ids):
    response = signatory.post("/letters/bulk-sign", json={
        "letter_ids": draft_ids, "pin": SIGNING_PIN, "acting_for": world.signatory.id})
    assert response.status_code == 403
    assert "самого себя" in response.get_json()["error"]["message"]
