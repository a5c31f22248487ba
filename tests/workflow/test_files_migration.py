"""Migration 0004 keeps today's files: a database at 0002 with programmes' single
attachments, upgraded to the head and adopted by `flask migrate-files`, serves the same
bytes from the content-addressed store, attached to the working copy and, where it
certainly belonged there, to the latest revision."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from web import create_app
from workflow import audit, audit_legacy
from workflow.db import make_engine
from workflow.models import Programme, Revision, RevisionFile
from workflow.schema import upgrade
from workflow.storage import FileSystemBlobStore

T0 = datetime(2026, 3, 2, 9, 0)


def _filler(column: sa.Column):
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if kind is bool:
        return True
    if kind is int:
        return 0
    if kind is datetime:
        return T0
    if kind is date:
        return date(2026, 3, 2)
    return "x"


def _insert(conn, table: sa.Table, **values) -> int:
    """Insert a row giving every NOT NULL column without a default a plausible value, so
    the test needs to know only the columns it cares about, whatever else 0001-0002 hold."""
    for column in table.columns:
        if (column.name not in values and not column.nullable and not column.primary_key
                and column.server_default is None):
            values[column.name] = _filler(column)
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


@pytest.fixture
def legacy_db(scratch_db_url, tmp_path):
    """A database at 0002 with four programmes and their files in the upload directory:
    - in_review: submitted with its file (revision 1), so the file is revision 1's;
    - returned_saved: returned, then its working copy saved (the file may have been
      replaced after the return): the working copy only;
    - returned_untouched: returned and not edited since: revision 1's as well;
    - draft: never submitted: the working copy only;
    - lost: its file is missing from the directory."""
    engine = make_engine(scratch_db_url)
    upgrade(engine, "0002")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    ids: dict[str, int] = {}
    data: dict[str, bytes] = {}
    with engine.begin() as conn:
        muni = _insert(conn, t["municipality"], code="artem", name="Артёмовский ГО")
        user = _insert(conn, t["user_account"], login="editor", role="municipal_editor",
                       municipality_id=muni)
        campaign = _insert(conn, t["campaign"], title="Кампания")
        for n, (key, state, revisions, saved_after) in enumerate([
            ("in_review", "in_review", 1, False), ("returned_saved", "returned", 1, True),
            ("returned_untouched", "returned", 1, False), ("draft", "draft", 0, False),
            ("lost", "submitted", 1, False),
        ]):
            last_event = T0 + timedelta(minutes=10 * n)
            updated = last_event + timedelta(microseconds=250_000)
            if saved_after:
                updated += timedelta(minutes=3)
            legacy_key = hashlib.md5(key.encode()).hexdigest()
            data[key] = f"%PDF-1.4 {key}".encode()
            if key != "lost":
                (uploads / legacy_key).write_bytes(data[key])
            pid = _insert(conn, t["programme"], campaign_id=campaign, municipality_id=muni,
                          title=key, state=state, version=3, revision_number=revisions,
                          reviewer_id=user, created_by_id=user, created_at=T0,
                          updated_at=updated, attachment_name=f"{key}.pdf",
                          attachment_key=legacy_key, attachment_size=len(data[key]),
                          attachment_type="application/pdf")
            ids[key] = pid
            if revisions:
                _insert(conn, t["revision"], programme_id=pid, number=1, created_at=T0,
                        created_by_id=user)
                trigger = "return_for_revision" if state == "returned" else "submit"
                event = dict(programme_id=pid, seq=1, actor_id=user, at=last_event,
                             trigger=trigger, from_state="in_review", to_state=state,
                             reason="", revision_number=1)
                # A valid chain of the time (plain SHA-256), which init-db re-seals under
                # the audit key; a broken one would be refused.
                # (the database gives the time back as aware UTC; hash it as it will be read)
                as_read = SimpleNamespace(**{**event, "at": last_event.replace(tzinfo=UTC)})
                sealed = audit_legacy.legacy_chain_hash(audit.GENESIS,
                                                        audit_legacy.legacy_event_fields(as_read))
                _insert(conn, t["workflow_event"], **event, prev_hash=audit.GENESIS,
                        hash=sealed)
    engine.dispose()
    yield scratch_db_url, uploads, ids, data


def test_upgrade_and_migrate_files_keep_every_existing_file(legacy_db, tmp_path):
    url, uploads, ids, data = legacy_db
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "UPLOAD_DIR": str(uploads),
                      "PKI_DIR": str(tmp_path / "pki")})
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["init-db"])  # upgrades to the head, then adopts
        assert result.exit_code == 0, result.output
        assert "перенесены в хранилище: 4" in result.output
        assert f"файлы программ: {ids['lost']}" in result.output

        store = FileSystemBlobStore(uploads)
        factory = app.extensions["session_factory"]
        with factory() as s:
            for key in ("in_review", "returned_saved", "returned_untouched", "draft"):
                p = s.get(Programme, ids[key])
                [f] = p.files
                assert (f.name, f.size, f.content_type) == (f"{key}.pdf", len(data[key]),
                                                          "application/pdf")
                assert f.sha256 == hashlib.sha256(data[key]).hexdigest()
                assert store.path(f.sha256).read_bytes() == data[key]
                assert p.attachment_key is None  # adopted once
            pinned = dict(s.execute(
                select(Revision.programme_id, RevisionFile.name).join(RevisionFile)).all())
            assert pinned == {ids["in_review"]: "in_review.pdf",
                              ids["returned_untouched"]: "returned_untouched.pdf"}
            lost = s.get(Programme, ids["lost"])
            assert lost.files == [] and lost.attachment_key is not None  # kept for a retry
        # The old files are left where they were.
        assert len([p for p in uploads.iterdir() if p.is_file()]) == 4

        # The missing file is put back: a second run adopts it, and repeats nothing.
        with factory() as s:
            legacy_key = s.get(Programme, ids["lost"]).attachment_key
        (uploads / legacy_key).write_bytes(data["lost"])
        again = runner.invoke(args=["migrate-files"])
        assert again.exit_code == 0, again.output
        assert "перенесены в хранилище: 1" in again.output
        with factory() as s:
            assert [f.name for f in s.get(Programme, ids["lost"]).files] == ["lost.pdf"]
            assert s.scalar(select(sa.func.count(RevisionFile.id))) == 3
            assert all(len(s.get(Programme, i).files) == 1 for i in ids.values())
    finally:
        app.extensions["engine"].dispose()


def test_migrate_files_reports_a_missing_file_with_a_non_zero_exit(legacy_db, tmp_path):
    url, uploads, ids, _data = legacy_db
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "UPLOAD_DIR": str(uploads),
                      "PKI_DIR": str(tmp_path / "pki")})
    try:
        upgrade(app.extensions["engine"])
        result = app.test_cli_runner().invoke(args=["migrate-files"])
        assert result.exit_code == 1
        assert "Не найдены" in result.output and str(ids["lost"]) in result.output
    finally:
        app.extensions["engine"].dispose()

