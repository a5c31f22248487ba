"""The web app over the shared `world`, with a demo signer, for the letters and verify screens.

`db_url`, `world` and `clock` come from tests/conftest.py, so every test runs on SQLite and,
with TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.factories import SIGNING_PIN, TEST_SEALER, shared_pki_dir
from web import create_app
from workflow import letter_drafting, letter_registration

ORGANISATION = "Министерство образования Приморского края"


@pytest.fixture(scope="session")
def pki_dir():
    # The tests' demo CA (tests/factories): it issued the world signatory's certificate.
    return shared_pki_dir()


@pytest.fixture
def app(db_url, world, clock, pki_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "CLOCK": clock,
        "PKI_DIR": str(pki_dir),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    })
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_login):
        login = getattr(user_or_login, "login", user_or_login)
        return sign_in(self.client, login)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_letters(world):
    """Draft letters through the domain and commit, so the app's own engine sees them."""

    def make(kind: str = "reminder"):
        s = world.session
        if kind == "circular":
            made = [letter_drafting.draft_circular(
                s, world.campaign, world.reviewer, now=world.clock.tick(),
                heading="О представлении муниципальных программ",
                body="Первый абзац циркулярного письма.\n\nВторой абзац.",
            )]
        else:
            made = letter_drafting.draft_reminders(s, world.campaign, world.reviewer, now=world.clock.tick())
        s.commit()  # never leave the test session holding SQLite's write lock
        return made

    return make


@pytest.fixture
def by_municipality(world, make_letters):
    """One reminder draft to each municipality: {"own": letter, "foreign": letter}."""
    made = make_letters("reminder")
    return {
        "own": next(x for x in made if x.municipality_id == world.own.id),
        "foreign": next(x for x in made if x.municipality_id == world.foreign.id),
    }


def sign_in_domain(world, letter):
    """Register a letter without rendering (as if rendering had not happened yet)."""
    s = world.session
    letter = s.merge(letter)
    letter_registration.sign_letter(s, letter, world.signatory, now=world.clock.tick(), pin=SIGNING_PIN,
                                    sealer=TEST_SEALER)
    s.commit()
    return letter


def read_letter(world, letter_id):
    """The letter as stored now, and its PDF bytes, read in a short session of its own
    (the shared test session must not open a transaction: on SQLite it would take the lock)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from workflow.models import Letter

    with Session(bind=world.session.get_bind(), expire_on_commit=False) as s:
        row = s.get(Letter, letter_id)
        pdf = s.scalar(select(Letter.pdf).where(Letter.id == letter_id))
        s.expunge_all()
        s.rollback()
    return row, pdf
