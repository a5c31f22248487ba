"""The start of the letter benchmarks that register, render and sign (letters_pipeline_bench,
signing_sweep_bench): a migrated database with the tests' small world and circulars drafted
by its reviewer, waiting for the signatory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from tests.conftest import FakeClock
from tests.factories import SESSION_KEY, build_world
from workflow import letter_drafting, schema
from workflow.db import make_engine, make_session_factory


@dataclass
class DraftedLetters:
    engine: Engine
    factory: sessionmaker
    clock: FakeClock
    ids: list[int]
    signatory_id: int


def draft_letters(url: str, headings: list[str], body: str) -> DraftedLetters:
    """Migrate the database at `url` (empty), build the world and draft one circular per
    heading, committed."""
    engine = make_engine(url)
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    clock = FakeClock()
    with factory() as session:
        world = build_world(session, clock)
        ids = [letter_drafting.draft_circular(session, world.campaign, world.reviewer,
                                              now=clock.tick(), heading=heading, body=body).id
               for heading in headings]
        signatory_id = world.signatory.id
        session.commit()
    return DraftedLetters(engine, factory, clock, ids, signatory_id)


class AppLike:
    """What documents.issue needs of the application: settings and the session factory."""

    def __init__(self, factory, clock):
        self.config = {"SIGNING_SESSION_KEY": SESSION_KEY, "CLOCK": clock}
        self.extensions = {"session_factory": factory}
