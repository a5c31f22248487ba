"""Web fixtures: an app on the test database (SQLite, and PostgreSQL when configured),
a client, and a `login` helper. The app and the test `session` share the database, so a
test commits its data before making requests."""

from __future__ import annotations

import pytest

from tests.conftest import ClockHolder
from tests.conftest import sign_in as _sign_in_with_form
from tests.factories import PASSWORD
from tests.route_demo import pending, rw  # noqa: F401  (fixtures of the route tests)
from web import create_app


def make_app(db_url, clock, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "CLOCK": clock,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "LOGIN_THROTTLE_ATTEMPTS": 1000,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def shared_app(db_url, engine, tmp_path_factory):
    """One app per database backend (building one compiles every template again); each
    test points it at its own clock and upload directory."""
    root = tmp_path_factory.mktemp("web")
    holder = ClockHolder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_INSTANCE_PATH", str(root / "instance"))
        app = make_app(db_url, holder, root)
    app.extensions["test_clock"] = holder
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def app(shared_app, session_factory, clock, tmp_path):
    # After `session_factory`, whose teardown wipes the tables when the test is done.
    shared_app.extensions["test_clock"].clock = clock
    shared_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    # The audit checkpoint describes one database's chains: a fresh one per test.
    shared_app.extensions["audit"].checkpoint_dir = tmp_path / "audit"
    return shared_app


@pytest.fixture
def own_app(db_url, session_factory, clock, tmp_path, monkeypatch):
    """A separate app for tests that change the configuration (CSRF on, upload limits)."""

    def build(**overrides):
        monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
        app = make_app(db_url, clock, tmp_path, **overrides)
        built.append(app)
        return app

    built = []
    yield build
    for app in built:
        app.extensions["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, login: str, password: str = PASSWORD):
    """Sign out whoever is signed in, then sign in as `login`."""
    client.post("/logout")
    return _sign_in_with_form(client, login, password)


@pytest.fixture
def login(client):
    def _login(user):
        return sign_in(client, user if isinstance(user, str) else user.login)

    return _login


def text(response) -> str:
    return response.get_data(as_text=True)
