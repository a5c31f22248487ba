# ruff: noqa: F811 -- fixtures imported from tests/api are used as arguments
"""`POST /api/v1/letters/bulk-sign` -> 202 {"job": id}; `GET /api/v1/jobs/{id}`: the progress.
Responses are checked against the OpenAPI document by the Api client (tests/api)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api.conftest import (  # noqa: F401 -- fixtures
    app,
    as_user,
    client,
    recorder,
    reviewer,
    signatory,
    token_for,
)
from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import draft_circulars, letter_rows
from workflow import letter_drafting
from workflow.models import Letter, SignBatch
from workflow.states import LetterState


@pytest.fixture
def draft_ids(world):
    return draft_circulars(world, 4)


def test_bulk_sign_answers_202_with_a_job_and_the_job_reports_progress(world, signatory,
                                                                      draft_ids):
    response = signatory.post("/letters/bulk-sign", json={"letter_ids": draft_ids[::-1][:3],
                                                          "pin": SIGNING_PIN})
    assert response.status_code == 202
    job = response.get_json()["job"]
    chosen = draft_ids[::-1][:3]
    rows = {r.id: r for r in letter_rows(world, chosen)}
    # Registered in the order given (here: the newest first), gapless.
    assert [rows[i].seq for i in chosen] == [1, 2, 3]
    progress = signatory.get(f"/jobs/{job}").get_json()
    assert progress["id"] == job and progress["kind"] == "bulk_sign"
    assert (progress["total"], progress["done"], progress["failed"], progress["pending"]) == (3, 3, 0, 0)
    assert progress["state"] == "finished" and progress["failures"] == []


def test_bulk_sign_refusals_have_codes_and_register_nothing(world, signatory, reviewer, draft_ids,
                                                           fresh):
    first, second, third, _ = draft_ids
    assert signatory.post("/letters/bulk-sign", json={"letter_ids": [first],
                                                      "pin": SIGNING_PIN}).status_code == 202

    def refused(body, status, code):
        response = signatory.post("/letters/bulk-sign", json=body)
        assert response.status_code == status, response.get_json()
        assert response.get_json()["error"]["code"] == code
        return response.get_json()["error"]["message"]

    assert "уже в другом пакете" in refused({"letter_ids": [second, first], "pin": SIGNING_PIN},
                                            409, "already_in_batch")
    refused({"letter_ids": [second, 999999], "pin": SIGNING_PIN}, 404, "not_found")
    wrong = signatory.post("/letters/bulk-sign", json={"letter_ids": [second], "pin": "000000"})
    assert wrong.get_json()["error"]["code"] == "wrong_pin" and wrong.status_code in (400, 403)
    refused({"letter_ids": [], "pin": SIGNING_PIN}, 400, "invalid_value")
    refused({"letter_ids": ["1"], "pin": SIGNING_PIN}, 400, "invalid_value")
    refused({"letter_ids": [second]}, 400, "missing_field")
    refused({"letter_ids": [second], "pin": SIGNING_PIN, "extra": 1}, 400, "unknown_field")
    with fresh() as s:
        letter_drafting.cancel_letter(s, s.get(Letter, third), s.merge(world.reviewer),
                                      now=world.clock.tick())
    refused({"letter_ids": [second, third], "pin": SIGNING_PIN}, 409, "illegal_transition")
    response = reviewer.post("/letters/bulk-sign", json={"letter_ids": [second], "pin": SIGNING_PIN})
    assert response.status_code == 403
    assert letter_rows(world, [second])[0].state == LetterState.DRAFT
    with fresh() as s:
        assert s.scalar(select(func.count()).select_from(SignBatch)) == 1


def test_a_job_is_visible_to_its_signatory_only(world, signatory, reviewer, draft_ids):
    job = signatory.post("/letters/bulk-sign", json={"letter_ids": draft_ids[:1],
                                                     "pin": SIGNING_PIN}).get_json()["job"]
    assert reviewer.get(f"/jobs/{job}").status_code == 404
    assert signatory.get(f"/jobs/{job + 1}").status_code == 404
