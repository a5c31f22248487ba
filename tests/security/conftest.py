"""Fixtures of the security tests: one app per database backend (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), a configurable copy of its settings per test, sign-in helpers
for the screens and the API, and a "two tenants" world in which each municipality owns a
programme with remarks, a revision, an attachment and a signed letter with its PDF, every
text carrying a marker that must never reach the other municipality."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from documents.issue import render_and_store
from tests.conftest import (
    ClockHolder,
    sign_in,  # noqa: F401 (the security tests import it from here)
    totp_code,
)
from tests.factories import PASSWORD, SIGNING_PIN, TEST_SEALER, shared_pki_dir
from web import create_app
from workflow import (
    audit,
    audit_legacy,
    files,
    letter_drafting,
    letter_registration,
    operations,
    programme_drafting,
    review,
)
from workflow.models import Letter, Programme, Revision, RevisionFile, User, WorkflowEvent
from workflow.states import RemarkVisibility, Verdict
from workflow.storage import FileSystemBlobStore

ORGANISATION = "Министерство образования Приморского края"
ROLE_LOGINS = {
    "editor": "editor", "foreign_editor": "foreign-editor", "reviewer": "reviewer",
    "signatory": "signatory", "admin": "admin",
}


BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "security-tests",
    "WTF_CSRF_ENABLED": False,
    "LOGIN_THROTTLE_ATTEMPTS": 1000,
}


@pytest.fixture(scope="session")
def security_app(db_url, engine, tmp_path_factory):
    """Building an app costs ~1 s (templates, engine), so one per backend; each test gets its
    own clock and upload directory, and `configure` changes settings for one test only."""
    root = tmp_path_factory.mktemp("security")
    holder = ClockHolder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("APP_INSTANCE_PATH", str(root / "instance"))
        app = create_app({**BASE_CONFIG, "DATABASE_URL": db_url, "CLOCK": holder,
                          "PKI_DIR": str(shared_pki_dir()), "UPLOAD_DIR": str(root / "uploads")})
    app.extensions["test_clock"] = holder
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def app(security_app, session_factory, clock, tmp_path):
    # After `session_factory`, whose teardown wipes the tables when the test is done.
    saved = dict(security_app.config)
    security_app.extensions["test_clock"].clock = clock
    security_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    # The audit checkpoint describes one database's chains: a fresh one per test.
    security_app.extensions["audit"].checkpoint_dir = tmp_path / "audit"
    yield security_app
    security_app.config.clear()
    security_app.config.update(saved)


@pytest.fixture
def configure(app):
    """`configure(LOGIN_THROTTLE_ATTEMPTS=3)`: restored after the test by `app`."""

    def _set(**overrides):
        app.config.update(overrides)

    return _set


@pytest.fixture
def client(app):
    return app.test_client()


def api_token(client, login: str, password: str = PASSWORD) -> str:
    body = {"login": login, "password": password}
    code = totp_code(client.application, login)
    if code:
        body["code"] = code
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    return response.get_json()["token"]


def body_text(response) -> str:
    """What a response shows, as text: HTML, JSON and CSV as they are, PDFs by their text."""
    data = response.get_data()
    if response.mimetype == "application/pdf" and data.startswith(b"%PDF"):
        import io

        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception:  # a broken PDF is still searched as bytes below
            pass
    return data.decode("utf-8", "replace")


# ---------------------------------------------------------------- two tenants


@dataclass
class Tenant:
    """One municipality's objects and the markers its texts carry."""

    key: str
    marker: str
    editor: User
    programme_id: int = 0
    remark_id: int = 0
    internal_remark_id: int = 0
    letter_id: int = 0
    code: str = ""
    revision: int = 1
    user_id: int = 0
    municipality_id: int = 0
    internal_marker: str = ""
    heading_marker: str = ""
    file_id: int = 0
    revision_file_id: int = 0
    ids: dict = field(default_factory=dict)


def _build_tenant(w, editor: User, key: str, marker: str, upload_dir: Path) -> Tenant:
    """A programme returned for revision (external and internal remark, revision 1, an
    attachment), its return letter with a marked heading and body, signed."""
    s, clock = w.session, w.clock
    tenant = Tenant(key=key, marker=marker, editor=editor, user_id=editor.id,
                    municipality_id=editor.municipality_id,
                    internal_marker=f"ВНУТРЕННЕЕ-{key.upper()}",
                    heading_marker=f"{marker}-ЗАГОЛОВОК")
    sections = {r.id: f"{marker}-РАЗДЕЛ {r.position}" for r in w.campaign.requirements}
    p = programme_drafting.create_programme(
        s, w.campaign, editor,
        programme_drafting.DraftFields(title=f"{marker}-ПРОГРАММА", period_from=2026, period_to=2028,
                                       responsible_name=f"{marker}-ОТВЕТСТВЕННЫЙ",
                                       outgoing_number="01-12/345", outgoing_date=date(2026, 2, 20)),
        now=clock.tick(), sections=sections,
    )
    [attached] = files.add_files(
        s, p, editor, [files.NewFile(f"{marker}-ФАЙЛ.pdf", "application/pdf",
                                     b"%PDF-1.4 " + marker.encode())],
        store=FileSystemBlobStore(upload_dir), now=clock.tick())
    operations.submit_programme(s, p, editor, now=clock.tick())
    operations.start_review(s, p, w.reviewer, now=clock.tick())
    first = w.campaign.requirements[0].id
    external = review.add_remark(s, p, w.reviewer, requirement_id=first,
                                 body=f"{marker}-ЗАМЕЧАНИЕ", visibility=RemarkVisibility.EXTERNAL,
                                 now=clock.tick())
    internal = review.add_remark(s, p, w.reviewer, requirement_id=first,
                                 body=tenant.internal_marker,
                                 visibility=RemarkVisibility.INTERNAL, now=clock.tick())
    review.assess_requirement(s, p, w.reviewer, requirement_id=first, verdict=Verdict.NOT_MET,
                              comment=f"{marker}-ОЦЕНКА", now=clock.tick())
    operations.return_for_revision(s, p, w.reviewer, now=clock.tick(),
                                   reason=f"{marker}-ПРИЧИНА")
    letter = s.scalar(select(Letter).where(Letter.programme_id == p.id))
    letter_drafting.edit_letter(s, letter, w.reviewer, letter_drafting.LetterEdit(
        addressee=letter.addressee, heading=tenant.heading_marker, salutation=letter.salutation,
        body=f"{marker}-ТЕКСТ письма."), now=clock.tick())
    letter_registration.sign_letter(s, letter, w.signatory, now=clock.tick(), pin=SIGNING_PIN,
                                    sealer=TEST_SEALER)
    s.flush()
    tenant.programme_id, tenant.remark_id = p.id, external.id
    tenant.internal_remark_id, tenant.letter_id = internal.id, letter.id
    tenant.code = letter.verification_code
    tenant.file_id = attached.id
    tenant.revision_file_id = s.scalar(select(RevisionFile.id).join(Revision).where(
        Revision.programme_id == p.id, Revision.number == 1))
    return tenant


@dataclass
class Tenants:
    own: Tenant
    foreign: Tenant
    world: object

    def of(self, role: str) -> tuple[Tenant, Tenant]:
        """(own, foreign) from the point of view of a municipal editor."""
        return (self.foreign, self.own) if role == "foreign_editor" else (self.own, self.foreign)


@pytest.fixture
def tenants(app, world) -> Tenants:
    upload_dir = Path(app.config["UPLOAD_DIR"])
    own = _build_tenant(world, world.editor, "artem", "СЕКРЕТ-АРТЁМ", upload_dir)
    foreign = _build_tenant(world, world.foreign_editor, "khasan", "СЕКРЕТ-ХАСАН", upload_dir)
    world.session.commit()
    for tenant in (own, foreign):
        assert render_and_store(app, tenant.letter_id)
    return Tenants(own=own, foreign=foreign, world=world)


def programme_state(fresh, programme_id: int) -> tuple:
    with fresh(commit=False) as s:
        p = s.get(Programme, programme_id)
        return (p.state, p.version, p.title, p.revision_number,
                tuple((f.name, f.sha256) for f in p.files))


@pytest.fixture
def sqlite_only(db_url):
    """For checks that do not depend on the database (headers, cookies, redirects): running
    them again on PostgreSQL would only repeat the same HTTP-level assertions."""
    if not db_url.startswith("sqlite"):
        pytest.skip("database-independent check: runs on SQLite only")


# ---------------------------------------------------------------- state digests

# Tables a refused request may legitimately write to: the security log, sign-in attempts
# and their throttle counters (throttling counts failures) and API tokens (issued on sign-in).
VOLATILE_TABLES = {"security_event", "login_attempt", "login_throttle", "api_token"}


def db_digest(fresh, upload_dir: str | None = None) -> dict:
    """Every row of every table but the volatile ones, and the stored upload files (the
    file store's content keys, at any depth)."""
    from workflow.models import Base

    with fresh(commit=False) as s:
        digest = {
            table.name: [tuple(r) for r in s.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables if table.name not in VOLATILE_TABLES
        }
    if upload_dir:
        root = Path(upload_dir)
        digest["uploads"] = sorted(p.name for p in root.rglob("*") if p.is_file()) \
            if root.exists() else []
    return digest


def legacy_seal_everything(app):
    """The chains as the code before the key wrote them (plain SHA-256, fewer fields)."""
    with app.extensions["engine"].begin() as conn:
        heads = {}
        for row in conn.execute(select(WorkflowEvent.__table__)
                                .order_by(WorkflowEvent.programme_id, WorkflowEvent.seq)).all():
            prev = heads.get(row.programme_id, audit.GENESIS)
            new = audit_legacy.legacy_chain_hash(prev, audit_legacy.legacy_event_fields(row))
            conn.execute(update(WorkflowEvent.__table__).where(WorkflowEvent.id == row.id)
                         .values(prev_hash=prev, hash=new))
            heads[row.programme_id] = new
        prev = audit.GENESIS
        for row in conn.execute(select(Letter.__table__).where(Letter.seq.is_not(None))
                                .order_by(Letter.seq)).all():
            new = audit_legacy.legacy_chain_hash(prev, audit_legacy.legacy_letter_fields(row))
            conn.execute(update(Letter.__table__).where(Letter.id == row.id)
                         .values(prev_hash=prev, hash=new, seal=None))
            prev = new
