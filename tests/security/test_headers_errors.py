"""Response headers on every screen and API route, generic Russian error pages without stack
traces, and downloads sent as attachments under sanitised names.

Headers and error pages do not depend on the database: those tests run on SQLite only. The
download tests read stored rows and files, and run on both backends."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update
from werkzeug.http import parse_options_header

from tests.security.conftest import BASE_CONFIG, ROLE_LOGINS, api_token, sign_in
from tests.security.test_tenant_isolation import SHARED_ARGS, TENANT_ARGS
from web import create_app
from workflow.models import ProgrammeFile

# The letter preview is a sandboxed document framed by the letter page: its own policy
# allows inline styles (the print stylesheet) and framing by the same origin, and no script.
FRAMED = {"letters.preview"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    return directives


def check_headers(response, endpoint: str) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        return ["no Content-Security-Policy"]
    d = csp_directives(csp)
    scripts = d.get("script-src", d.get("default-src"))
    if scripts is None:
        problems.append("CSP allows scripts from anywhere (no script-src nor default-src)")
    else:
        bad = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"}
        if bad & set(scripts):
            problems.append(f"script-src allows {sorted(bad & set(scripts))}")
    framed = endpoint in FRAMED and response.status_code == 200
    expected_frame = ["'self'"] if framed else ["'none'"]
    if d.get("frame-ancestors") != expected_frame:
        problems.append(f"frame-ancestors {d.get('frame-ancestors')}")
    if d.get("object-src", d.get("default-src")) not in (["'none'"],):
        problems.append("object-src is not 'none'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("Referrer-Policy") not in ("same-origin", "no-referrer",
                                                       "strict-origin-when-cross-origin",
                                                       "strict-origin"):
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        if INLINE_SCRIPT.search(body):
            problems.append("inline <script> in the page")
        if EVENT_ATTRIBUTE.search(body):
            problems.append("an on*= event attribute in the page")
        if not framed and STYLE_ATTRIBUTE.search(body):
            problems.append("a style= attribute (blocked by style-src 'self')")
    return problems


def test_every_get_route_sends_the_security_headers(app, tenants, sqlite_only):
    """Every GET rule of the URL map, filled with the editor's own objects, as anonymous,
    the editor and a reviewer. Database-independent: SQLite only."""
    failures, checked = [], 0
    for role in ("anonymous", "editor", "reviewer"):
        client = app.test_client()
        token = None
        if role != "anonymous":
            sign_in(client, ROLE_LOGINS[role])
            token = api_token(app.test_client(), ROLE_LOGINS[role])
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            args = {}
            for name in rule.arguments:
                if name in TENANT_ARGS:
                    args[name] = TENANT_ARGS[name](tenants.own)[0]
                elif name in SHARED_ARGS:
                    args[name] = SHARED_ARGS[name](tenants.world)[0]
                elif name == "filename":
                    args[name] = "app.css"
                else:
                    pytest.fail(f"unknown path argument <{name}> in {rule.rule}")
            url = app.url_map.bind("localhost").build(rule.endpoint, args)
            headers = {"Authorization": f"Bearer {token}"} if token and url.startswith("/api/") else {}
            response = client.get(url, headers=headers)
            checked += 1
            problems = check_headers(response, rule.endpoint)
            if problems:
                failures.append(f"GET {url} as {role} ({response.status_code}): {problems}")
    print(f"\nheaders checked on {checked} responses")
    assert not failures, "\n".join(failures)


def test_error_responses_carry_the_headers_too(client, sqlite_only):
    """Database-independent: SQLite only."""
    for response in (client.get("/no-such-page"), client.get("/logout"),
                     client.get("/api/v1/no-such-thing")):
        assert not check_headers(response, "error"), response.status_code


# ---------------------------------------------------------------- error pages


@pytest.fixture
def crashing_app(db_url, tmp_path, monkeypatch, sqlite_only):
    """A production-like app (TESTING off) with test-only routes that raise."""
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**BASE_CONFIG, "TESTING": False, "DATABASE_URL": db_url,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})

    def boom():
        raise RuntimeError("секрет из трассировки /etc/passwd password=hunter2")

    app.add_url_rule("/test-only/boom", "test_boom", boom)
    app.add_url_rule("/api/v1/test-only/boom", "test_api_boom", boom)
    yield app
    app.extensions["engine"].dispose()


LEAKS = ("Traceback", "RuntimeError", "секрет из трассировки", "hunter2", 'File "', ".py",
         "werkzeug", "sqlalchemy")


def test_an_unexpected_error_shows_a_generic_russian_page(crashing_app):
    """Database-independent: SQLite only."""
    client = crashing_app.test_client()
    response = client.get("/test-only/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Внутренняя ошибка" in body and 'lang="ru"' in body
    for leak in LEAKS:
        assert leak not in body, leak
    api = client.get("/api/v1/test-only/boom")
    assert api.status_code == 500
    assert api.get_json() == {"error": {"code": "server_error", "message": api.get_json()["error"]["message"]}}
    assert "Внутренняя ошибка" in api.get_json()["error"]["message"]
    for leak in LEAKS:
        assert leak not in api.get_data(as_text=True), leak


@pytest.mark.parametrize(("method", "url", "status", "text"), [
    ("GET", "/no-such-page", 404, "Страница не найдена"),
    ("GET", "/programmes/99999999", 404, "Не найдено"),
    ("GET", "/logout", 405, "Этот метод запроса не поддерживается"),
    ("DELETE", "/login", 405, "Этот метод запроса не поддерживается"),
    ("GET", "/api/v1/nothing-here", 404, "Страница не найдена"),
    ("PUT", "/api/v1/auth/token", 405, "Этот метод запроса не поддерживается"),
])
def test_http_errors_are_in_russian(client, world, sqlite_only, method, url, status, text):
    """Database-independent: SQLite only."""
    if url.startswith("/programmes/"):
        sign_in(client, "editor")
    response = client.open(url, method=method)
    assert response.status_code == status
    body = response.get_data(as_text=True)
    if response.is_json:
        body = response.get_json()["error"]["message"]
    assert text in body
    assert "Traceback" not in body and "Not Found" not in body and "Method Not Allowed" not in body


# ---------------------------------------------------------------- downloads

SAFE_NAME = re.compile(r"^[\w .()№-]+$")


def download_name(response) -> str:
    header = response.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    kind, options = parse_options_header(header)
    assert kind == "attachment", header
    name = options.get("filename*") or options.get("filename")
    assert name, header
    assert SAFE_NAME.match(name), name
    assert not name.startswith("."), name
    return name


HOSTILE_NAMES = [
    '../../etc/"passwd"\r\nX-Injected: 1.pdf',
    "/etc/shadow.pdf",
    "C:\\Windows\\system32\\evil.pdf",
    "..\\..\\boot.pdf",
    "\u202egnp.pdf",
    "<script>alert(1)</script>.pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_attachment_is_downloaded_under_a_sanitised_name(app, client, tenants, fresh, name):
    """A hostile name that reached the database (an import, an older version) is still
    sent sanitised: attachment, no path, no quotes, no line breaks, no header injection."""
    with fresh() as s:
        s.execute(update(ProgrammeFile).where(ProgrammeFile.id == tenants.own.file_id)
                  .values(name=name))
    sign_in(client, "editor")
    response = client.get(f"/programmes/{tenants.own.programme_id}/attachment")
    assert response.status_code == 200
    assert "X-Injected" not in response.headers
    safe = download_name(response)
    assert "/" not in safe and "\\" not in safe and ".." not in safe
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_journal_csv_and_letter_pdf_are_attachments(app, client, tenants):
    sign_in(client, "reviewer")
    csv = client.get("/letters/journal.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert download_name(csv).endswith(".csv")
    pdf = client.get(f"/letters/{tenants.own.letter_id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert download_name(pdf).endswith(".pdf")
    token = api_token(app.test_client(), "reviewer")
    api = client.get(f"/api/v1/letters/{tenants.own.letter_id}/pdf",
                     headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.data == pdf.data
    assert download_name(api).endswith(".pdf")

