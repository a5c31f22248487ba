"""A short, bounded schemathesis run over every documented operation, in process (WSGI, no
network): generated valid and invalid requests must never produce a server error, and
every response must match the OpenAPI document. Skipped where schemathesis is not installed."""
# ruff: noqa: E402 -- the imports below need schemathesis, checked first

from __future__ import annotations

import zlib

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests.api.conftest import OPERATIONS
from workflow.models import Letter, Remark

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
MAX_EXAMPLES = 6


@pytest.fixture
def seeded(make_programme, fresh, world):
    """Real objects for the generated requests to hit, besides random identifiers."""
    returned = make_programme("returned")
    make_programme("in_review", title="На рассмотрении")
    with fresh() as s:
        remark_id = s.scalar(select(Remark.id).where(Remark.programme_id == returned["id"]))
        letter_id = s.scalar(select(Letter.id).where(Letter.programme_id == returned["id"]))
    return {"programme_id": returned["id"], "remark_id": remark_id, "letter_id": letter_id,
            "requirement_id": world.campaign.requirements[0].id, "number": 1}


def test_generated_requests_never_cause_a_server_error(app, seeded, token_for, world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens = {"reviewer": token_for(world.reviewer), "editor": token_for(world.editor)}

    def issue_token(revokes: bool, salt: str) -> str:
        if revokes:
            return token_for(world.reviewer)  # the call revokes it: a fresh one each time
        return tokens["editor" if zlib.crc32(salt.encode()) % 2 else "reviewer"]
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the operation that serves the schema itself.
    assert {(o.path, o.method.upper()) for o in operations} == OPERATIONS - {("/openapi.json", "GET")}
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        real = {k: v for k, v in seeded.items() if k in names}
        if "trigger" in names:
            real["trigger"] = "withdraw"
        variants = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, real or None)]
        if real:
            variants.append((GenerationMode.POSITIVE, real))
        for mode, path_parameters in variants:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            _fuzz(strategy, issue_token, revokes=operation.method.upper() == "DELETE")


def _fuzz(strategy, issue_token, *, revokes: bool) -> None:
    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        token = issue_token(revokes, repr(case.body))
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()
