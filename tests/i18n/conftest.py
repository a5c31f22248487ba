"""The English UI: an app on its own SQLite database with the shared test world.

This directory tests the UI language only (catalogue lookups, the language switch, labels
on screens), which does not depend on the database backend, so SQLite alone is used: the
app and the world are built once per module, like tests/web/conftest.py builds its app,
but without the PostgreSQL parametrisation. Tests here only read, apart from the session
cookie that holds the language.
"""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from tests.factories import add_external_remark, build_world, new_programme, programme_in
from tests.web.conftest import make_app
from workflow.db import make_engine, make_session_factory
from workflow.models import Base
from workflow.states import ProgrammeState


class Seeded:
    """Ids of what the world holds, for building URLs."""

    submitted_id: int
    in_review_id: int
    returned_id: int
    draft_id: int


@pytest.fixture(scope="module")
def i18n_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("i18n")
    engine = make_engine(f"sqlite:///{root / 'i18n.db'}")
    Base.metadata.create_all(engine)
    clock = FakeClock()
    with pytest.MonkeyPatch.context() as patch:
        with make_session_factory(engine)() as session:
            w = build_world(session, clock)
            seeded = Seeded()
            seeded.draft_id = new_programme(w, title="Черновик программы").id
            seeded.submitted_id = programme_in(w, ProgrammeState.SUBMITTED,
                                               title="Направленная программа").id
            in_review = programme_in(w, ProgrammeState.IN_REVIEW, title="Программа на рассмотрении")
            add_external_remark(w, in_review)
            seeded.in_review_id = in_review.id
            seeded.returned_id = programme_in(w, ProgrammeState.RETURNED,
                                              title="Возвращённая программа").id
            session.commit()
        patch.setenv("APP_INSTANCE_PATH", str(root / "instance"))
        app = make_app(f"sqlite:///{root / 'i18n.db'}", clock, root)
    app.extensions["seeded"] = seeded
    yield app
    app.extensions["engine"].dispose()
    engine.dispose()


@pytest.fixture
def seeded(i18n_app) -> Seeded:
    return i18n_app.extensions["seeded"]


@pytest.fixture
def client(i18n_app):
    return i18n_app.test_client()
