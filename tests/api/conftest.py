"""Fixtures for the JSON API: an app on the test database, tokens, and a client that checks
every response against the OpenAPI document and records which operations were exercised."""

from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS31Validator

from tests.factories import shared_pki_dir
from tests.route_demo import pending, rw  # noqa: F401  (fixtures of the route tests)
from web import create_app
from web.api.openapi import spec
from workflow import api_tokens
from workflow.models import User

BASE = "/api/v1"


def _template_regex(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


OPERATIONS = {
    (path, method.upper())
    for path, item in spec()["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
}
TEMPLATES = sorted(
    ((_template_regex(path), path) for path in spec()["paths"]),
    # Literal paths first, so /programmes is not taken for /programmes/{id}.
    key=lambda pair: pair[1].count("{"),
)


def operation_of(path: str) -> str | None:
    path = path.split("?", 1)[0]
    if not path.startswith(BASE):
        return None
    rest = path[len(BASE):]
    for regex, template in TEMPLATES:
        if regex.match(rest):
            return template
    return None


def _validate_against_spec(template: str, method: str, response) -> None:
    operation = spec()["paths"][template][method.lower()]
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method} {template}: status {status} is not documented"
    entry = documented[status]
    if "$ref" in entry:
        name = entry["$ref"].rsplit("/", 1)[1]
        entry = spec()["components"]["responses"][name]
    content = entry.get("content")
    if not content:
        assert not response.data, f"{method} {template}: {status} must have no body"
        return
    media = response.mimetype
    assert media in content, f"{method} {template}: {media} not documented for {status}"
    if media == "application/json":
        schema = {**content[media]["schema"], "components": spec()["components"]}
        OAS31Validator(schema).validate(response.get_json())


class Recorder:
    def __init__(self):
        self.calls: set[tuple[str, str]] = set()

    def missing(self) -> set[tuple[str, str]]:
        return OPERATIONS - self.calls


class Api:
    """A test client for one caller (a bearer token, or none)."""

    def __init__(self, client, recorder: Recorder, token: str | None = None):
        self.client = client
        self.recorder = recorder
        self.token = token

    def request(self, method: str, path: str, *, json=None, data=None, headers=None,
                query=None, token: str | None = None):
        headers = dict(headers or {})
        bearer = token if token is not None else self.token
        if bearer and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {bearer}"
        kwargs = {"headers": headers, "query_string": query}
        if json is not None:
            kwargs["json"] = json
        elif data is not None:
            kwargs["data"] = data
            kwargs.setdefault("content_type", "application/json")
        response = self.client.open(BASE + path, method=method, **kwargs)
        template = operation_of(BASE + path)
        if template is not None and method.lower() in spec()["paths"][template]:
            self.recorder.calls.add((template, method.upper()))
            _validate_against_spec(template, method, response)
        # Whatever the input, the API never answers with a server error.
        assert response.status_code < 500, response.get_data(as_text=True)
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def app(db_url, world, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test", "CLOCK": clock,
        "UPLOAD_DIR": str(tmp_path / "uploads"), "PKI_DIR": str(shared_pki_dir()),
    })
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def anonymous(client, recorder):
    return Api(client, recorder)


@pytest.fixture
def token_for(fresh, clock):
    def _issue(user: User) -> str:
        with fresh() as s:
            return api_tokens.issue_token(s, s.get(User, user.id), now=clock()).token

    return _issue


@pytest.fixture
def as_user(client, recorder, token_for):
    """`as_user(world.editor)`: an Api client carrying a fresh token of that user."""

    def _make(user: User) -> Api:
        return Api(client, recorder, token_for(user))

    return _make


@pytest.fixture
def editor(as_user, world):
    return as_user(world.editor)


@pytest.fixture
def foreign_editor(as_user, world):
    return as_user(world.foreign_editor)


@pytest.fixture
def reviewer(as_user, world):
    return as_user(world.reviewer)


@pytest.fixture
def other_reviewer(as_user, world):
    return as_user(world.other_reviewer)


@pytest.fixture
def signatory(as_user, world):
    return as_user(world.signatory)


@pytest.fixture
def admin(as_user, world):
    return as_user(world.admin)


def draft_body(world, *, title: str = "Программа профориентации", filled: bool = True) -> dict:
    body = {
        "campaign_id": world.campaign.id,
        "title": title,
        "period_from": 2026,
        "period_to": 2028,
        "responsible_name": "Петрова Анна Сергеевна",
        "responsible_position": "Главный специалист",
        "responsible_phone": "(42337) 4-00-00",
        "outgoing_number": "01-12/345",
        "outgoing_date": "2026-02-20",
    }
    if filled:
        body["sections"] = {str(r.id): f"Текст раздела {r.position}" for r in world.campaign.requirements}
    return body


@pytest.fixture
def make_programme(editor, reviewer, signatory, world):
    """Bring a programme of the editor's municipality to a state through the API itself."""

    def _make(state: str = "draft", *, title: str = "Программа профориентации") -> dict:
        """`state` is a programme state, or "approval_pending" / "return_pending": the
        decision proposed, its letter not yet signed (the programme is decision_pending)."""
        r = editor.post("/programmes", json=draft_body(world, title=title))
        assert r.status_code == 201, r.get_json()
        p = r.get_json()
        pid = p["id"]

        def fire(api, trigger, **extra):
            nonlocal p
            res = api.post(f"/programmes/{pid}/actions/{trigger}",
                           json={"version": p["version"], **extra})
            assert res.status_code == 200, res.get_json()
            p = res.get_json()["programme"]

        def sign_decision():
            """The decision takes effect when the signatory signs its letter (API)."""
            nonlocal p
            from sqlalchemy import select

            from tests.factories import SIGNING_PIN
            from workflow.models import Decision

            world.session.commit()  # a new transaction sees what the API committed
            letter_id = world.session.scalar(select(Decision.letter_id).where(
                Decision.programme_id == pid, Decision.state == "active"))
            world.session.commit()  # release SQLite's lock for the app
            res = signatory.post(f"/letters/{letter_id}/sign", json={"pin": SIGNING_PIN})
            assert res.status_code == 200, res.get_json()
            p = editor.get(f"/programmes/{pid}").get_json()

        if state == "draft":
            return p
        if state == "withdrawn":
            fire(editor, "withdraw", reason="Передумали")
            return p
        fire(editor, "submit")
        if state == "submitted":
            return p
        fire(reviewer, "start_review")
        if state == "in_review":
            return p
        if state in ("approved", "approval_pending"):
            for req in world.campaign.requirements:
                res = reviewer.put(f"/programmes/{pid}/assessments/{req.id}", json={"verdict": "met"})
                assert res.status_code == 200, res.get_json()
            fire(reviewer, "approve")
            if state == "approved":
                sign_decision()
            return p
        assert state in ("returned", "return_pending")
        res = reviewer.post(f"/programmes/{pid}/remarks", json={
            "requirement_id": world.campaign.requirements[0].id, "body": "Уточните показатели",
            "visibility": "external"})
        assert res.status_code == 201, res.get_json()
        fire(reviewer, "return_for_revision", reason="Доработать")
        if state == "returned":
            sign_decision()
        return p

    return _make
