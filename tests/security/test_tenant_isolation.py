"""Tenant isolation, exhaustively: every URL rule of the app and every operation of the
OpenAPI document, called by every role, for own, foreign and mixed objects.

The routes are enumerated from `app.url_map` and from /api/v1/openapi.json, so a new route
is covered the day it is added; a path argument this file does not know fails the test and
names itself, so whoever adds it decides which object it stands for.

Checks:
- no call answers with a server error;
- a municipal editor never sees another municipality's marker texts (programme title,
  sections, remarks, assessments, letter heading and text, attachment name) nor any
  internal remark, in any response body (HTML, JSON, CSV, PDF text);
- a call naming another municipality's object answers 403 or 404;
- anonymous callers are sent to sign in (screens) or get 401 (API), except public routes;
- after the editors' calls, every row belonging to the other municipality is unchanged
  (a snapshot of each table with a municipality, programme, revision or remark column).
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.security.conftest import ROLE_LOGINS, Tenant, Tenants, api_token, body_text, sign_in
from workflow.machine import TRIGGERS
from workflow.models import Base, Letter, Programme

ROLES = ("anonymous", "editor", "foreign_editor", "reviewer", "signatory", "admin")
EDITORS = ("editor", "foreign_editor")

# Path arguments that name an object of one municipality: (own value(s), foreign value(s)).
TENANT_ARGS = {
    "programme_id": lambda t: [t.programme_id],
    "remark_id": lambda t: [t.remark_id, t.internal_remark_id],
    "letter_id": lambda t: [t.letter_id],
    "code": lambda t: [t.code],  # a letter's verification code (and /lang/<code>)
    "user_id": lambda t: [t.user_id],
    "municipality_id": lambda t: [t.municipality_id],
    "file_id": lambda t: [t.file_id],  # a file of the programme's working copy
    "revision_file_id": lambda t: [t.revision_file_id],  # a file of its revision 1
}
# Path arguments shared by every municipality (campaigns and their requirements) or that
# name no object at all.
SHARED_ARGS = {
    "campaign_id": lambda w: [w.campaign.id],
    "requirement_id": lambda w: [w.campaign.requirements[0].id],
    "number": lambda w: [1],
    "trigger": lambda w: [*TRIGGERS, "bogus"],
    "op": lambda w: ["answer", "resolve", "reopen", "comment"],
    # A signatory's certificate (ministry staff, admin screens only) and a notification
    # (only its recipient can mark it read): neither belongs to a municipality.
    "certificate_id": lambda w: [1],
    "notification_id": lambda w: [1],
    # An absence: only its user, an administrator or a head of department may cancel it
    # (anyone else gets 404, see workflow.absences.get_absence).
    "absence_id": lambda w: [1],
    # A bulk-signing batch (its job in the API) belongs to the signatory who made it.
    "batch_id": lambda w: [1],
    "job_id": lambda w: [1],
    # Approval routes and their stage tasks are the ministry's: no municipal user reaches them.
    "route_id": lambda w: [1],
    "task_id": lambda w: [1],
}
# Routes anyone may call. `verify.show` answers by a letter's verification code, which is a
# capability printed on the letter: it shows that letter's requisites (heading included) to
# whoever holds the code, and never its text. `/healthz` and `/metrics` are for machines:
# no sign-in (`/metrics` answers loopback callers, as the test client is, or a token).
PUBLIC_SCREENS = {"auth.login", "auth.set_language", "verify.index", "verify.show",
                  "observability.healthz", "observability.metrics"}
PUBLIC_API = {"/auth/token", "/openapi.json", "/docs"}
CAPABILITY = {"verify.show"}

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _fail_unknown(name: str, where: str):
    pytest.fail(f"{where}: unknown path argument <{name}>: add it to TENANT_ARGS or "
                "SHARED_ARGS in tests/security/test_tenant_isolation.py")


@dataclass(frozen=True)
class Variant:
    """One way of filling a route's arguments: all own, all foreign, or one foreign."""

    name: str  # "own", "foreign", "mixed:<arg>" or "shared"
    args: dict

    @property
    def foreign(self) -> bool:
        return self.name != "own" and self.name != "shared"


def variants(arg_names, tenants: Tenants, role: str, where: str) -> list[Variant]:
    own, foreign = tenants.of(role)
    tenant_args = [a for a in sorted(arg_names) if a in TENANT_ARGS]
    for name in arg_names:
        if name not in TENANT_ARGS and name not in SHARED_ARGS:
            _fail_unknown(name, where)
    shared = {a: SHARED_ARGS[a](tenants.world) for a in arg_names if a in SHARED_ARGS}

    def expand(name: str, picks: dict[str, Tenant]) -> list[Variant]:
        options = {**shared, **{a: TENANT_ARGS[a](picks[a]) for a in tenant_args}}
        keys = sorted(options)
        return [Variant(name, dict(zip(keys, combo, strict=True)))
                for combo in itertools.product(*(options[k] for k in keys))]

    if not tenant_args:
        return expand("shared", {})
    result = expand("own", dict.fromkeys(tenant_args, own))
    result += expand("foreign", dict.fromkeys(tenant_args, foreign))
    if len(tenant_args) > 1:
        for arg in tenant_args:
            picks = dict.fromkeys(tenant_args, own)
            picks[arg] = foreign
            result += expand(f"mixed:{arg}", picks)
    return result


# ---------------------------------------------------------------- snapshots


def snapshot(fresh, tenant: Tenant) -> dict:
    """Every row that belongs to the tenant's municipality, table by table. Tables are
    found by their columns, so a new table with a programme_id is included by itself."""
    with fresh(commit=False) as s:
        programme_ids = set(s.scalars(select(Programme.id).where(
            Programme.municipality_id == tenant.municipality_id)))
        tables = Base.metadata.tables
        revision_ids = set(s.scalars(select(tables["revision"].c.id).where(
            tables["revision"].c.programme_id.in_(programme_ids))))
        remark_ids = set(s.scalars(select(tables["remark"].c.id).where(
            tables["remark"].c.programme_id.in_(programme_ids))))
        result = {}
        for table in Base.metadata.sorted_tables:
            c = table.c
            if table.name == "municipality":
                where = c.id == tenant.municipality_id
            elif table.name == "programme":
                where = c.id.in_(programme_ids)
            elif "municipality_id" in c and "programme_id" in c:
                where = (c.municipality_id == tenant.municipality_id) | c.programme_id.in_(programme_ids)
            elif "municipality_id" in c:
                where = c.municipality_id == tenant.municipality_id
            elif "programme_id" in c:
                where = c.programme_id.in_(programme_ids)
            elif "revision_id" in c:
                where = c.revision_id.in_(revision_ids)
            elif "remark_id" in c:
                where = c.remark_id.in_(remark_ids)
            else:
                continue
            rows = s.execute(select(table).where(where).order_by(*table.primary_key.columns))
            result[table.name] = [tuple(row) for row in rows]
        return result


def assert_unchanged(before: dict, after: dict, who: str) -> None:
    for table, rows in before.items():
        assert after[table] == rows, f"{who} changed another municipality's rows in {table}"
    assert before["programme"] and before["letter"] and before["remark"]


# ---------------------------------------------------------------- checks


def leaked_markers(text: str, role: str, tenants: Tenants, endpoint: str) -> list[str]:
    """Marker texts `role` must not see in `text`."""
    if role in ("reviewer", "signatory", "admin"):
        return []
    everyone = [tenants.own, tenants.foreign]
    if endpoint in CAPABILITY:
        for t in everyone:
            text = text.replace(t.heading_marker, "")
    forbidden = [t.internal_marker for t in everyone]
    if role == "anonymous":
        forbidden += [t.marker for t in everyone]
    else:
        forbidden.append(tenants.of(role)[1].marker)
    return [m for m in forbidden if m in text]


class Checker:
    def __init__(self, tenants: Tenants):
        self.tenants = tenants
        self.failures: list[str] = []
        self.checked = 0

    def check(self, label: str, role: str, variant: Variant, endpoint: str, response,
              *, public: bool, api: bool) -> None:
        self.checked += 1
        status = response.status_code
        problems = []
        if status >= 500:
            problems.append(f"server error {status}")
        leaked = leaked_markers(body_text(response), role, self.tenants, endpoint)
        if leaked:
            problems.append(f"shows {leaked}")
        if role == "anonymous" and not public:
            if api and status != 401:
                problems.append(f"anonymous got {status}, expected 401")
            if not api and not (status == 302 and "/login" in response.headers.get("Location", "")):
                problems.append(f"anonymous got {status}, expected a redirect to /login")
        if role in EDITORS and variant.foreign and not public and status not in (403, 404):
            problems.append(f"foreign object answered {status}, expected 403 or 404")
        if problems:
            self.failures.append(f"{label} as {role} [{variant.name}]: {'; '.join(problems)}")

    def report(self, what: str) -> None:
        print(f"\n{what}: {self.checked} (route, method, role, object) combinations checked")
        assert not self.failures, f"{len(self.failures)} failures:\n" + "\n".join(self.failures[:60])


def current_version(fresh, args: dict) -> int:
    with fresh(commit=False) as s:
        if "letter_id" in args:
            letter = s.get(Letter, args["letter_id"])
            return letter.version if letter else 1
        if "programme_id" in args:
            programme = s.get(Programme, args["programme_id"])
            return programme.version if programme else 1
    return 1


# ---------------------------------------------------------------- screens


def plausible_form(version: int, world) -> dict:
    """A superset of the fields of the app's forms, valid enough to pass form validation,
    so a missing tenant check would let the call through rather than stop at a 400."""
    return {
        "version": str(version), "reason": "Проверка изоляции", "body": "Проверка изоляции",
        "title": "Проверка изоляции", "period_from": "2026", "period_to": "2027",
        "requirement_id": str(world.campaign.requirements[0].id), "visibility": "external",
        "verdict": "met", "comment": "Проверка", "heading": "Проверка изоляции",
        "addressee": "Адресат проверки", "salutation": "Уважаемые коллеги!", "active": "1",
        "file": (io.BytesIO(PDF), "проверка.pdf"), "next": "/",
    }


def screen_rules(app):
    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint != "static" and not r.endpoint.startswith("api.")]
    return sorted(rules, key=lambda r: (r.rule, sorted(r.methods)))


def hostile_query(tenants: Tenants, role: str) -> dict:
    """Filters naming the other municipality's objects, for list screens."""
    _own, foreign = tenants.of(role) if role in EDITORS else (tenants.own, tenants.foreign)
    return {"municipality": foreign.municipality_id, "programme_id": foreign.programme_id,
            "programme": foreign.programme_id, "rev": "1",
            # Matches the other municipality's letter heading without echoing its marker.
            "q": foreign.heading_marker.split("-", 1)[1],
            "campaign": tenants.world.campaign.id}


def run_screens(app, tenants: Tenants, fresh, roles) -> Checker:
    checker = Checker(tenants)
    world = tenants.world
    for role in roles:
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, ROLE_LOGINS[role])
        for rule in screen_rules(app):
            methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
            for variant in variants(rule.arguments, tenants, role, rule.rule):
                url = app.url_map.bind("localhost").build(rule.endpoint, variant.args)
                public = rule.endpoint in PUBLIC_SCREENS
                for method in methods:
                    label = f"{method} {rule.rule}"
                    if method == "GET":
                        queries = [None] + ([hostile_query(tenants, role)] if not rule.arguments else [])
                        for query in queries:
                            response = client.get(url, query_string=query)
                            checker.check(label + (" ?hostile" if query else ""), role, variant,
                                          rule.endpoint, response, public=public, api=False)
                        continue
                    form = plausible_form(current_version(fresh, variant.args), world)
                    response = client.open(url, method=method, data=form,
                                           content_type="multipart/form-data")
                    checker.check(label, role, variant, rule.endpoint, response,
                                  public=public, api=False)
                    if rule.endpoint == "auth.logout" and role != "anonymous":
                        sign_in(client, ROLE_LOGINS[role])
    return checker


def test_every_screen_route_keeps_municipalities_apart(app, tenants, fresh):
    """Editors first (each against the other's objects, with snapshots of the other's rows
    around the calls), then the ministry roles and anonymous callers (no server errors, no
    internal remarks to anyone outside the ministry)."""
    checkers = []
    for role in EDITORS:
        other = tenants.of(role)[1]
        before = snapshot(fresh, other)
        checkers.append(run_screens(app, tenants, fresh, [role]))
        assert_unchanged(before, snapshot(fresh, other), role)
    checkers.append(run_screens(app, tenants, fresh, ["anonymous", "reviewer", "signatory", "admin"]))
    merged = Checker(tenants)
    for c in checkers:
        merged.checked += c.checked
        merged.failures += c.failures
    merged.report("screens")


# ---------------------------------------------------------------- API


def _template_of(rule: str) -> str:
    return re.sub(r"<(?:[^>]*:)?([^>:]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def api_operations(app, client) -> tuple[list[tuple[str, str, dict]], dict]:
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (path, method.upper(), item[method])
        for path, item in document["paths"].items()
        for method in item if method in ("get", "post", "put", "patch", "delete")
    ]
    # Every API rule of the URL map is documented, so none escapes this test.
    routed = {
        (_template_of(r.rule), m)
        for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(p, m) for p, m, _ in operations}
    assert routed == documented, f"undocumented API routes: {routed - documented}; " \
        f"documented but not routed: {documented - routed}"
    return sorted(operations, key=lambda o: (o[0], o[1])), document


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def plausible_body(operation: dict, document: dict, version: int, world) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    schema = _resolve(content["schema"], document)
    named = {
        "version": version, "campaign_id": world.campaign.id,
        "requirement_id": world.campaign.requirements[0].id, "title": "Проверка изоляции",
        "period_from": 2026, "period_to": 2027, "visibility": "external", "verdict": "met",
        "outgoing_date": "2026-02-20", "sections": {},
    }
    body = {}
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(prop, document)
        kind = prop.get("type")
        kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
        if name in named:
            body[name] = named[name]
        elif "enum" in prop:
            body[name] = prop["enum"][0]
        elif kind == "integer":
            body[name] = prop.get("minimum", 1)
        elif kind == "boolean":
            body[name] = True
        elif kind == "object":
            body[name] = {}
        else:
            body[name] = "Проверка изоляции"
    return body


def run_api(app, tenants: Tenants, fresh, roles) -> Checker:
    checker = Checker(tenants)
    world = tenants.world
    client = app.test_client()
    operations, document = api_operations(app, client)
    for role in roles:
        token = None if role == "anonymous" else api_token(client, ROLE_LOGINS[role])
        for path, method, operation in operations:
            names = re.findall(r"\{([^}]+)\}", path)
            public = path in PUBLIC_API
            query_names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            for variant in variants(names, tenants, role, f"{method} /api/v1{path}"):
                url = "/api/v1" + path.format(**variant.args)
                queries = [None]
                if query_names & {"programme_id", "municipality", "campaign_id"}:
                    hostile = hostile_query(tenants, role)
                    queries.append({k: v for k, v in hostile.items() if k in query_names})
                for query in queries:
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    body = plausible_body(operation, document,
                                          current_version(fresh, variant.args), world)
                    if path == "/auth/token" and method == "POST":
                        body = {"login": ROLE_LOGINS.get(role, "nobody"), "password": "wrong-password"}
                    response = client.open(url, method=method, json=body, headers=headers,
                                           query_string=query)
                    label = f"{method} /api/v1{path}" + (" ?hostile" if query else "")
                    checker.check(label, role, variant, path, response, public=public, api=True)
                    if query and role in EDITORS and response.status_code == 200:
                        total = response.get_json().get("total")
                        if total not in (None, 0):
                            checker.failures.append(
                                f"{label} as {role}: a filter on the other municipality counts {total}")
                    if path == "/auth/token" and method == "DELETE" and token:
                        token = api_token(client, ROLE_LOGINS[role])
    return checker


def test_every_api_operation_keeps_municipalities_apart(app, tenants, fresh):
    checkers = []
    for role in EDITORS:
        other = tenants.of(role)[1]
        before = snapshot(fresh, other)
        checkers.append(run_api(app, tenants, fresh, [role]))
        assert_unchanged(before, snapshot(fresh, other), role)
    checkers.append(run_api(app, tenants, fresh, ["anonymous", "reviewer", "signatory", "admin"]))
    merged = Checker(tenants)
    for c in checkers:
        merged.checked += c.checked
        merged.failures += c.failures
    merged.report("API")


# ---------------------------------------------------------------- counts


def test_lists_and_counts_cover_only_own_municipality(app, tenants, client):
    """A municipal editor's lists count their own programmes and letters only, whatever
    filter names the other municipality."""
    own, foreign = tenants.own, tenants.foreign
    sign_in(client, "editor")
    page = client.get("/programmes/").get_data(as_text=True)
    assert "Найдено: 1 программа" in page and own.marker in page
    page = client.get("/programmes/", query_string={"municipality": foreign.municipality_id})
    assert foreign.marker not in page.get_data(as_text=True)
    journal = client.get("/letters/").get_data(as_text=True)
    assert "Найдено писем: 1" in journal and foreign.heading_marker not in journal
    csv = client.get("/letters/journal.csv").get_data(as_text=True)
    assert own.heading_marker in csv and foreign.heading_marker not in csv

    token = api_token(client, "editor")
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/programmes", headers=auth).get_json()
    assert listed["total"] == 1 and [p["id"] for p in listed["items"]] == [own.programme_id]
    listed = client.get("/api/v1/letters", headers=auth).get_json()
    assert listed["total"] == 1 and [x["id"] for x in listed["items"]] == [own.letter_id]
    for query in ({"municipality": foreign.municipality_id}, {"programme_id": foreign.programme_id}):
        for path in ("/api/v1/programmes", "/api/v1/letters"):
            response = client.get(path, headers=auth, query_string=query)
            assert response.status_code in (200, 400)
            if response.status_code == 200:
                listed = response.get_json()
                own_ids = {own.programme_id, own.letter_id}
                assert {x["id"] for x in listed["items"]} <= own_ids, (path, query)
                assert listed["total"] == len(listed["items"]), (path, query)
