"""Hostile input: every form of every screen (found by reading the pages each role sees)
filled by Hypothesis with hostile text; every API operation fuzzed by schemathesis from the
OpenAPI document; HTML in any text field shown as text; hostile uploads refused.

Properties: no server error, ever; a refused request (any 4xx) leaves the database and the
upload directory exactly as they were.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from sqlalchemy import select

from tests.factories import sign_decision
from tests.security.conftest import ROLE_LOGINS, api_token, db_digest, sign_in
from tests.security.test_tenant_isolation import SHARED_ARGS, TENANT_ARGS
from workflow import letter_drafting, operations, programme_drafting, review
from workflow.models import Letter, Programme
from workflow.states import RemarkVisibility
from workflow.text import forbidden_character

FORM_EXAMPLES = 25
API_EXAMPLES = 10
COUNTS = {"form_examples": 0, "forms": 0, "api_cases": 0, "api_operations": 0}

SETTINGS = settings(max_examples=FORM_EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

HOSTILE_STRINGS = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE programme; --",
    "\x00", "a\x00b", "\u202eRTL override", "\u200f\u200e", "{{ 7*7 }}", "${7*7}", "%s%n%x",
    "../../../../etc/passwd", "C:\\Windows\\win.ini", "\r\nSet-Cookie: x=1", "NaN", "-1",
    "0", "2147483648", "99999999999999999999", "1e309", "", " ", "\t\n", "😀" * 50,
    "Ё" * 5000, "=HYPERLINK(\"http://evil\")", "javascript:alert(1)", "null", "[]", "{}",
    "2026-02-30", "0000-00-00", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ǅ", "\ufeffBOM",
    # Controls, bidi embeddings/overrides/isolates, noncharacters: refused by the text rule.
    "\x1b[31mESC\x1b[0m", "\x07bell", "\x85NEL", "\x7f", "\u202aLRE\u202c", "\u202dLRO",
    "\u2066LRI\u2069", "\u2067RLI", "\u2068FSI", "\ufdd0", "\uffff", "\U0010ffff",
    "сумма 100\u202e00", "строка\r\nстрока\tтаб",
]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(HOSTILE_STRINGS),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=20),
              st.sampled_from(["\x00", "\x1b", "\x9b", "\u202e", "\u2066", "\ufffe"]),
              st.text(max_size=20)),
    st.builds(lambda s, n: s * n, st.sampled_from(["А", "<", "\x00", "\u202e", "x"]),
              st.integers(1000, 60000)),
    st.integers(-(10**12), 10**12).map(str),
)
FILE_NAMES = ["программа.pdf", "../../evil.pdf", "/etc/passwd.pdf", "x.docx", "x.odt",
              "C:\\boot.pdf", "a\x00b.pdf", "noext", ".pdf", "😀.pdf"]
hostile_file = st.tuples(
    st.one_of(st.binary(max_size=3000), st.just(b"%PDF-1.4\n%%EOF\n"),
              st.just(b"PK\x03\x04" + b"\x00" * 100)),
    st.sampled_from(FILE_NAMES),
)


# ---------------------------------------------------------------- form discovery


@dataclass
class Form:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name -> ("text"|"file"|"choice", default, options)

    def key(self) -> tuple:
        path = re.sub(r"\d+", "N", urlsplit(self.action).path)
        return (self.method, path, tuple(sorted(self.fields)))


class FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def _add(self, name, kind, default="", option=None):
        if self.current is None or not name:
            return
        entry = self.current.fields.setdefault(name, [kind, default, []])
        if option is not None:
            entry[2].append(option)
            if kind == "choice" and not entry[1]:
                entry[1] = option

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.current = Form((a.get("method") or "get").upper(), action)
            self.forms.append(self.current)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if a.get("name"):
                    self._add(a["name"], "choice", a.get("value", ""), a.get("value", ""))
            elif kind == "file":
                self._add(a.get("name"), "file")
            elif kind in ("radio", "checkbox"):
                self._add(a.get("name"), "choice", "", a.get("value", "on"))
            else:
                self._add(a.get("name"), "text", a.get("value", ""))
        elif tag == "textarea":
            self._add(a.get("name"), "text")
        elif tag == "select":
            self.select = a.get("name")
            self._add(self.select, "choice")
        elif tag == "option" and self.select:
            self._add(self.select, "choice", "", a.get("value", ""))
        elif tag == "button" and a.get("name"):
            self._add(a["name"], "choice", a.get("value", ""), a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def screen_urls(app, tenants) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.startswith("api."):
            continue
        args = {}
        for name in rule.arguments:
            if name in TENANT_ARGS:
                args[name] = TENANT_ARGS[name](tenants.own)[0]
            elif name in SHARED_ARGS:
                args[name] = SHARED_ARGS[name](tenants.world)[0]
            else:
                pytest.fail(f"unknown path argument <{name}> in {rule.rule}")
        urls.append(app.url_map.bind("localhost").build(rule.endpoint, args))
    extra = [f"/letters/campaigns/{tenants.world.campaign.id}/circular",
             f"/programmes/new?campaign={tenants.world.campaign.id}"]
    return sorted(set(urls + extra))


def discover_forms(client, urls) -> list[Form]:
    found: dict[tuple, Form] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser("http://localhost" + url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if urlsplit(form.action).path == "/logout":
                continue  # signing out is not input handling
            found.setdefault(form.key(), form)
    return list(found.values())


def field_strategy(kind: str, default: str, options: list):
    if kind == "file":
        return hostile_file
    if kind == "choice" and options:
        return st.one_of(st.sampled_from(options), hostile_text)
    return st.one_of(st.just(default), hostile_text)


def form_strategy(form: Form):
    return st.fixed_dictionaries({
        name: field_strategy(kind, default, options)
        for name, (kind, default, options) in form.fields.items()
        if name != "csrf_token"
    })


# ---------------------------------------------------------------- world


@pytest.fixture
def more_pages(tenants) -> list[str]:
    """Programmes in the other states and a draft letter, so that every action form (submit,
    withdraw, start review, assess, remark, approve, edit and sign a letter) is on a page."""
    w = tenants.world
    s, clock, urls = w.session, w.clock, []
    for state in ("draft", "submitted", "in_review"):
        p = programme_drafting.create_programme(
            s, w.campaign, w.editor,
            programme_drafting.DraftFields(title=f"Программа в состоянии {state}", period_from=2026,
                                           period_to=2027),
            now=clock.tick(), sections={r.id: "Текст" for r in w.campaign.requirements})
        if state != "draft":
            operations.submit_programme(s, p, w.editor, now=clock.tick())
        if state == "in_review":
            operations.start_review(s, p, w.reviewer, now=clock.tick())
        urls += [f"/programmes/{p.id}", f"/programmes/{p.id}/edit"]
    circular = letter_drafting.draft_circular(s, w.campaign, w.reviewer, now=clock.tick(),
                                              heading="О программах", body="Текст письма.",
                                              salutation="Уважаемые коллеги!")
    s.commit()
    return [*urls, f"/letters/{circular.id}"]


def test_every_form_survives_hostile_input(app, tenants, more_pages, fresh):
    """For each role, the forms on every page it can open; each form gets FORM_EXAMPLES
    Hypothesis examples. A 4xx answer must leave the database and uploads untouched."""
    upload_dir = app.config["UPLOAD_DIR"]
    failures: list[str] = []
    COUNTS.update(forms=0, form_examples=0)
    urls = screen_urls(app, tenants) + more_pages
    for role in ("editor", "reviewer", "signatory", "admin"):
        client = app.test_client()
        sign_in(client, ROLE_LOGINS[role])
        forms = discover_forms(client, urls)
        assert forms, f"no forms found for {role}"
        for form in forms:
            COUNTS["forms"] += 1
            _fuzz_form(client, form, role, fresh, upload_dir, failures)
            if client.get("/programmes/").status_code != 200:
                sign_in(client, ROLE_LOGINS[role])  # a form ended this session (e.g. role change)
    print(f"\nforms fuzzed: {COUNTS['forms']}, Hypothesis examples: {COUNTS['form_examples']}")
    assert not failures, "\n".join(failures[:40])


def stored_forbidden(digest: dict) -> list[str]:
    """Texts in the database holding a character the text rule refuses (workflow.text)."""
    return [f"{table}: {value!r:.80}" for table, rows in digest.items() for row in rows
            if isinstance(row, tuple) for value in row
            if isinstance(value, str) and forbidden_character(value) is not None]


class Digests:
    """The database digest after the previous call is the one before the next: one digest
    per example instead of two."""

    def __init__(self, fresh, upload_dir):
        self.fresh, self.upload_dir, self.last = fresh, upload_dir, None

    def before(self) -> dict:
        if self.last is None:
            self.last = db_digest(self.fresh, self.upload_dir)
        return self.last

    def after(self) -> dict:
        self.last = db_digest(self.fresh, self.upload_dir)
        return self.last


def _fuzz_form(client, form: Form, role: str, fresh, upload_dir, failures: list) -> None:
    digests = Digests(fresh, upload_dir)

    @SETTINGS
    @given(values=form_strategy(form))
    def run(values):
        COUNTS["form_examples"] += 1
        data = {}
        for name, value in values.items():
            data[name] = (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        before = digests.before()
        if form.method == "GET":
            response = client.get(form.action, query_string=data)
        else:
            response = client.open(form.action, method=form.method, data=data,
                                   content_type="multipart/form-data")
        label = f"{form.method} {form.action} as {role}"
        after = digests.after()
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code} for {values!r:.300}")
        elif 400 <= response.status_code < 500 and after != before:
            changed = [t for t in before if before[t] != after.get(t)]
            failures.append(f"{label}: refused with {response.status_code} but changed {changed}")
        elif after != before and (stored := stored_forbidden(after)):
            failures.append(f"{label}: stored a forbidden character: {stored[:3]}")

    run()


@pytest.mark.parametrize("query", [
    {"campaign": "99999999999999999999"}, {"municipality": "99999999999999999999"},
    {"page": "99999999999999999999"}, {"page": "-5"}, {"state": "\x00"}, {"q": "\x00"},
    {"campaign": "a\x00b"}, {"municipality": "1e309"}, {"tab": "\x00"}, {"kind": "\u202e"},
])
def test_list_filters_with_out_of_range_or_nul_values(app, world, client, query):
    """Found by the form fuzzing: an identifier beyond INTEGER crashed the programme lists
    (OverflowError on SQLite, out of range on PostgreSQL), and a NUL byte in a search crashed
    the journal on PostgreSQL."""
    sign_in(client, "reviewer")
    for url in ("/programmes/", "/review/", "/letters/", "/letters/journal.csv"):
        response = client.get(url, query_string=query)
        assert response.status_code in (200, 400), (url, query, response.status_code)


def test_nul_in_a_text_field_is_refused_beside_the_field_on_every_database(app, tenants, client,
                                                                          fresh):
    """NUL (which PostgreSQL cannot store, and SQLite stored) is refused by the form on
    both databases, with a message beside the field that names it; nothing is saved."""
    own = tenants.own
    sign_in(client, "editor")
    before = db_digest(fresh)
    with fresh(commit=False) as s:
        version = s.get(Programme, own.programme_id).version
    response = client.post(f"/programmes/{own.programme_id}/edit", data={
        "version": str(version), "title": "Про\x00грамма", "period_from": "2026",
        "period_to": "2027"})
    assert response.status_code == 400
    assert db_digest(fresh) == before
    page = response.get_data(as_text=True)
    assert "Название программы" in page and "U+0000" in page


# ---------------------------------------------------------------- HTML shown as text

PAYLOADS = {
    "title": '<script>alert("XSS-TITLE")</script>',
    "section": '<img src=x onerror=alert("XSS-SECTION")>',
    "remark": '"><svg onload=alert("XSS-REMARK")>',
    "reason": "<iframe src=javascript:alert('XSS-REASON')>",
    "heading": "<b onmouseover=alert('XSS-HEADING')>Заголовок</b>",
    "body": "<style>*{display:none}</style><a href=\"javascript:alert('XSS-BODY')\">x</a>",
    "name": "<script src=//evil.example/XSS-NAME.js></script>",
}


@pytest.fixture
def injected(app, world):
    """Every payload stored through the domain operations, as a user would type it."""
    s, clock = world.session, world.clock
    for user in (world.editor, world.reviewer):
        user.full_name = PAYLOADS["name"] + " Иван"
    p = programme_drafting.create_programme(
        s, world.campaign, world.editor,
        programme_drafting.DraftFields(title=PAYLOADS["title"], period_from=2026, period_to=2027,
                                       responsible_name=PAYLOADS["name"]),
        now=clock.tick(), sections={r.id: PAYLOADS["section"] for r in world.campaign.requirements},
    )
    operations.submit_programme(s, p, world.editor, now=clock.tick())
    operations.start_review(s, p, world.reviewer, now=clock.tick())
    remark = review.add_remark(s, p, world.reviewer, requirement_id=world.campaign.requirements[0].id,
                               body=PAYLOADS["remark"], visibility=RemarkVisibility.EXTERNAL,
                               now=clock.tick())
    operations.return_for_revision(s, p, world.reviewer, now=clock.tick(), reason=PAYLOADS["reason"])
    letter = s.scalar(select(Letter).where(Letter.programme_id == p.id))
    letter_drafting.edit_letter(s, letter, world.reviewer, letter_drafting.LetterEdit(
        addressee=PAYLOADS["name"], heading=PAYLOADS["heading"], salutation="Уважаемые коллеги!",
        body=PAYLOADS["body"]), now=clock.tick())
    sign_decision(world, p)  # the return takes effect with its signed letter
    review.answer_remark(s, p, remark, world.editor, body=PAYLOADS["remark"], now=clock.tick())
    s.commit()
    return {"programme_id": p.id, "letter_id": letter.id, "remark_id": remark.id}


def test_html_in_text_fields_is_shown_as_text(app, tenants, injected):
    """Every HTML page each role can open, with the payloads stored in titles, sections,
    remarks, reasons, letter heading and text, and user names: never raw markup."""
    pages, checked = [], 0
    world = tenants.world
    urls = screen_urls(app, tenants) + [
        f"/programmes/{injected['programme_id']}", f"/programmes/{injected['programme_id']}/edit",
        f"/programmes/{injected['programme_id']}?rev=1", f"/letters/{injected['letter_id']}",
        f"/letters/{injected['letter_id']}/preview", "/review/?tab=all", "/programmes/", "/",
        f"/admin/users/{world.editor.id}", "/admin/users",
    ]
    for role in ("editor", "reviewer", "signatory", "admin"):
        client = app.test_client()
        sign_in(client, ROLE_LOGINS[role])
        for url in urls:
            response = client.get(url)
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            checked += 1
            html = response.get_data(as_text=True)
            for key, payload in PAYLOADS.items():
                if payload in html:
                    pages.append(f"{url} as {role}: raw {key} payload")
            if re.search(r"""<[a-z][^<>]*\s(href|src)\s*=\s*["']?\s*javascript:""", html,
                         re.IGNORECASE):
                pages.append(f"{url} as {role}: a javascript: link")
    assert checked > 20
    assert not pages, "\n".join(pages)
    client = app.test_client()
    sign_in(client, "editor")
    page = client.get(f"/programmes/{injected['programme_id']}").get_data(as_text=True)
    assert str(escape(PAYLOADS["title"])) in page
    assert "&lt;script&gt;" in page
    listing = client.get("/programmes/").get_data(as_text=True)
    assert str(escape(PAYLOADS["title"])) in listing


# ---------------------------------------------------------------- API fuzzing


def test_api_fuzz_never_fails_nor_changes_state_on_refusal(app, tenants, fresh):
    """Schemathesis over /api/v1/openapi.json, in process (WSGI), with tokens of an editor
    (own and other municipality's ids are both in play) and a reviewer; positive and
    negative generation, API_EXAMPLES each; refused calls must leave the database as it was."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    COUNTS.update(api_operations=0, api_cases=0)
    client = app.test_client()
    tokens = {role: api_token(client, ROLE_LOGINS[role]) for role in ("editor", "reviewer")}
    upload_dir = app.config["UPLOAD_DIR"]
    failures: list[str] = []
    own, foreign = tenants.own, tenants.foreign
    real = {"programme_id": foreign.programme_id, "remark_id": foreign.remark_id,
            "letter_id": foreign.letter_id, "requirement_id": tenants.world.campaign.requirements[0].id,
            "number": 1, "trigger": "withdraw"}
    own_real = {**real, "programme_id": own.programme_id, "remark_id": own.remark_id,
                "letter_id": own.letter_id}
    for result in schema.get_all_operations():
        operation = result.ok()
        COUNTS["api_operations"] += 1
        names = {p.name for p in operation.path_parameters}
        variants = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if names:
            variants += [(GenerationMode.POSITIVE, {k: v for k, v in real.items() if k in names}),
                         (GenerationMode.POSITIVE, {k: v for k, v in own_real.items() if k in names})]
        for mode, path_parameters in variants:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            _fuzz_api(strategy, operation, client, tokens, fresh, upload_dir, failures)
    print(f"\nschemathesis: {COUNTS['api_operations']} operations, {COUNTS['api_cases']} cases")
    assert not failures, "\n".join(failures[:40])


def _fuzz_api(strategy, operation, client, tokens, fresh, upload_dir, failures) -> None:
    revokes = operation.method.upper() == "DELETE"
    digests = Digests(fresh, upload_dir)

    @given(case=strategy)
    @settings(max_examples=API_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        COUNTS["api_cases"] += 1
        role = "editor" if COUNTS["api_cases"] % 2 else "reviewer"
        token = api_token(client, ROLE_LOGINS[role]) if revokes else tokens[role]
        before = digests.before()
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        after = digests.after()
        label = f"{operation.method.upper()} {operation.path} as {role}"
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as error:  # noqa: BLE001 - collected, reported together
            failures.append(f"{label}: {type(error).__name__}: {str(error)[:300]}")
            return
        if 400 <= response.status_code < 500 and after != before:
            changed = [t for t in before if before[t] != after.get(t)]
            failures.append(f"{label}: refused with {response.status_code} but changed {changed}")
        elif after != before and (stored := stored_forbidden(after)):
            failures.append(f"{label}: stored a forbidden character: {stored[:3]}")

    run()


# ---------------------------------------------------------------- uploads


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX_BOMB = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (60 * 1024 * 1024)})
DOCX_TRAVERSAL = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>",
                       "../../evil.sh": b"rm -rf /"})
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


@pytest.fixture
def draft(app, world):
    p = programme_drafting.create_programme(
        world.session, world.campaign, world.editor,
        programme_drafting.DraftFields(title="Черновик для загрузок", period_from=2026, period_to=2027),
        now=world.clock.tick())
    world.session.commit()
    return p


def _upload(client, programme_id, version, name, data):
    return client.post(f"/programmes/{programme_id}/attachment",
                       data={"version": str(version), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("programme.pdf", "Просто текст, а не PDF".encode(), "не является документом PDF"),
    ("programme.pdf", b"<html><script>alert(1)</script></html>", "не является документом PDF"),
    ("programme.docx", DOCX_BOMB, "zip-бомбу"),
    ("programme.docx", DOCX_TRAVERSAL, "недопустимые пути"),
    ("programme.exe", b"MZ\x90\x00", "только файлы PDF, DOCX или ODT"),
    ("programme.html", b"<script>alert(1)</script>", "только файлы PDF, DOCX или ODT"),
])
def test_hostile_uploads_are_refused(app, client, world, draft, fresh, name, data, message):
    sign_in(client, "editor")
    before = db_digest(fresh, app.config["UPLOAD_DIR"])
    response = _upload(client, draft.id, draft.version, name, data)
    assert message in response.get_data(as_text=True)
    assert db_digest(fresh, app.config["UPLOAD_DIR"]) == before


@pytest.mark.parametrize("name", ["../../escape.pdf", "/tmp/absolute.pdf", "..\\..\\win.pdf",
                                  "C:\\temp\\x.pdf", "dir/inner.pdf"])
def test_path_names_never_reach_the_file_system(app, client, world, draft, fresh, tmp_path, name):
    """A name with a path is refused, or stored under a server-made key and offered for
    download under a name without the path; nothing is written outside the upload folder."""
    sign_in(client, "editor")
    response = _upload(client, draft.id, draft.version, name, PDF)
    assert response.status_code == 200
    upload_dir = Path(app.config["UPLOAD_DIR"])
    outside = [p for p in tmp_path.rglob("*.pdf") if upload_dir not in p.parents]
    assert outside == []
    assert not Path("/tmp/absolute.pdf").exists()
    with fresh(commit=False) as s:
        stored = s.get(Programme, draft.id).files
        key, stored_name = (stored[0].sha256, stored[0].name) if stored else (None, None)
    if key is None:
        assert "не должно содержать путь" in response.get_data(as_text=True)
        return
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert (upload_dir / key[:2] / key[2:4] / key).read_bytes() == PDF
    assert "/" not in stored_name and "\\" not in stored_name
    download = client.get(f"/programmes/{draft.id}/attachment")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition and ".." not in disposition


def test_upload_size_limit_gives_a_russian_413(app, client, world, draft, fresh, configure):
    configure(MAX_CONTENT_LENGTH=1024 * 1024)
    sign_in(client, "editor")
    before = db_digest(fresh, app.config["UPLOAD_DIR"])
    response = client.post(f"/programmes/{draft.id}/attachment",
                           data={"version": str(draft.version),
                                 "file": (io.BytesIO(PDF + b"0" * (2 * 1024 * 1024)), "big.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Файл слишком большой" in body and "1 МБ" in body
    assert "Request Entity Too Large" not in body
    assert db_digest(fresh, app.config["UPLOAD_DIR"]) == before
