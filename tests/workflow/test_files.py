"""Programme files in the domain: a content-addressed store that never overwrites or
deletes, several files per working copy, revision-owned copies frozen at submission."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import func, select

from tests.factories import add_external_remark, new_programme, sign_decision
from workflow import files, operations
from workflow.errors import InvalidInput, NotFound, StaleVersion
from workflow.models import FileBlob, ImmutableRowError, RevisionFile
from workflow.storage import (
    BlobNotFound,
    DatabaseBlobStore,
    FileSystemBlobStore,
    read,
    store_from_config,
)

PDF_A = b"%PDF-1.4 first"
PDF_B = b"%PDF-1.4 second"


@pytest.fixture
def store(tmp_path):
    return FileSystemBlobStore(tmp_path / "files")


def _all_blobs(store) -> list[str]:
    return sorted(p.name for p in store.root.rglob("*") if p.is_file())


def _add(w, programme, store, *named):
    return files.add_files(w.session, programme, w.editor,
                           [files.NewFile(n, "application/pdf", d) for n, d in named],
                           store=store, now=w.clock.tick())


def test_the_store_keys_by_sha256_and_writes_each_content_once(store):
    key = store.put(PDF_A)
    assert key == hashlib.sha256(PDF_A).hexdigest()
    path = store.path(key)
    assert path == store.root / key[:2] / key[2:4] / key
    assert read(store, key) == PDF_A and store.exists(key)
    inode = os.stat(path).st_ino
    assert store.put(PDF_A) == key
    assert os.stat(path).st_ino == inode  # not rewritten
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # written read-only
    assert list((store.root / "tmp").iterdir()) == []  # the temporary file was renamed
    for bad in ("../../etc/passwd", "0" * 63, "A" * 64, ""):
        assert not store.exists(bad)
        with pytest.raises(BlobNotFound):
            store.open(bad)
    with pytest.raises(BlobNotFound):
        store.open("0" * 64)


def test_a_programme_holds_several_files_and_a_revision_keeps_its_own(world, store):
    w = world
    p = new_programme(w)
    _add(w, p, store, ("Программа.pdf", PDF_A), ("Приложение.pdf", PDF_B))
    assert [f.name for f in p.files] == ["Программа.pdf", "Приложение.pdf"]
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    operations.start_review(w.session, p, w.reviewer, now=w.clock.tick())
    add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Доработать")
    sign_decision(w, p)

    # Replace one file by name and remove the other: only the working copy changes.
    _add(w, p, store, ("Программа.pdf", b"%PDF-1.4 corrected"))
    annex = next(f for f in p.files if f.name == "Приложение.pdf")
    files.remove_file(w.session, p, w.editor, annex.id, now=w.clock.tick())
    w.session.commit()

    assert [(f.name, f.sha256) for f in p.files] == [
        ("Программа.pdf", hashlib.sha256(b"%PDF-1.4 corrected").hexdigest())]
    frozen = files.revision_files(w.session, p, 1)
    assert [(f.name, read(store, f.sha256)) for f in frozen] == [
        ("Программа.pdf", PDF_A), ("Приложение.pdf", PDF_B)]
    assert {f.added_by_id for f in frozen} == {w.editor.id}
    assert files.referenced_keys(w.session) >= {hashlib.sha256(d).hexdigest()
                                                for d in (PDF_A, PDF_B)}
    assert len(_all_blobs(store)) == 3  # nothing deleted


def test_revision_files_never_change(world, store):
    w = world
    p = new_programme(w)
    _add(w, p, store, ("Программа.pdf", PDF_A))
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()
    row = w.session.scalar(select(RevisionFile))
    row.sha256 = hashlib.sha256(PDF_B).hexdigest()
    with pytest.raises(ImmutableRowError):
        w.session.flush()
    w.session.rollback()


def test_identical_content_is_stored_once_and_refused_twice_in_one_programme(world, store):
    w = world
    p = new_programme(w)
    other = new_programme(w, title="Другая программа")
    _add(w, p, store, ("Программа.pdf", PDF_A))
    _add(w, other, store, ("Копия.pdf", PDF_A))
    assert _all_blobs(store) == [hashlib.sha256(PDF_A).hexdigest()]
    with pytest.raises(InvalidInput, match="совпадает с уже приложенным файлом «Программа.pdf»"):
        _add(w, p, store, ("Ещё раз.pdf", PDF_A))


def test_a_refused_upload_stores_nothing(world, store):
    w = world
    p = new_programme(w)
    w.session.commit()
    with pytest.raises(InvalidInput, match="одинаков"):
        _add(w, p, store, ("a.pdf", PDF_B), ("b.pdf", PDF_B))
    w.session.rollback()
    with pytest.raises(StaleVersion):
        files.add_files(w.session, p, w.editor, [files.NewFile("a.pdf", "application/pdf", PDF_B)],
                        store=store, now=w.clock.tick(), expected_version=p.version - 1 or 99)
    w.session.rollback()
    too_many = [(f"{i}.pdf", f"%PDF-1.4 {i}".encode()) for i in range(files.MAX_FILES + 1)]
    with pytest.raises(InvalidInput, match=f"не более {files.MAX_FILES}"):
        _add(w, p, store, *too_many)
    w.session.rollback()
    assert _all_blobs(store) == []


def test_files_change_only_in_an_editable_state_and_by_the_own_municipality(world, store):
    w = world
    p = new_programme(w)
    _add(w, p, store, ("Программа.pdf", PDF_A))
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    with pytest.raises(Exception, match="только в состоянии"):
        _add(w, p, store, ("Новый.pdf", PDF_B))
    w.session.rollback()
    with pytest.raises(NotFound):
        files.add_files(w.session, p, w.foreign_editor,
                        [files.NewFile("x.pdf", "application/pdf", PDF_B)], store=store,
                        now=w.clock.tick())
    w.session.rollback()


def test_the_ministry_sees_the_submitted_files_not_the_working_copy(world, store):
    w = world
    p = new_programme(w)
    [draft_file] = _add(w, p, store, ("Программа.pdf", PDF_A))
    # Never submitted: the ministry sees the draft, as on the programme page.
    assert files.get_working_file(p, w.reviewer, draft_file.id) is draft_file
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    with pytest.raises(NotFound):
        files.get_working_file(p, w.reviewer, draft_file.id)
    assert files.get_working_file(p, w.editor, draft_file.id) is draft_file
    [frozen] = files.revision_files(w.session, p, 1)
    assert files.get_revision_file(w.session, p, 1, frozen.id) is frozen
    with pytest.raises(NotFound):
        files.get_revision_file(w.session, p, 2, frozen.id)


# ---------------------------------------------------------------- the database backend


def test_the_database_store_keeps_files_in_the_callers_transaction(world):
    w = world
    store = DatabaseBlobStore(w.session)
    key = store.put(PDF_A)
    assert key == hashlib.sha256(PDF_A).hexdigest()
    assert store.put(PDF_A) == key  # the same bytes once, no conflict
    assert read(store, key) == PDF_A and store.exists(key)
    assert w.session.scalar(select(func.count()).select_from(FileBlob)) == 1
    w.session.rollback()  # rolled back with the caller's transaction
    assert not store.exists(key)
    for bad in ("../../etc/passwd", "0" * 64):
        assert not store.exists(bad)
        with pytest.raises(BlobNotFound):
            store.open(bad)


def test_the_database_store_serves_an_earlier_revisions_file(world):
    w = world
    store = DatabaseBlobStore(w.session)
    p = new_programme(w)
    _add(w, p, store, ("Программа.pdf", PDF_A))
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    operations.start_review(w.session, p, w.reviewer, now=w.clock.tick())
    add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Доработать")
    sign_decision(w, p)
    _add(w, p, store, ("Программа.pdf", PDF_B))
    w.session.commit()
    [frozen] = files.revision_files(w.session, p, 1)
    assert read(store, frozen.sha256) == PDF_A
    assert read(store, p.files[0].sha256) == PDF_B


def test_the_store_is_chosen_by_the_configuration(world, tmp_path):
    assert isinstance(store_from_config({"UPLOAD_DIR": str(tmp_path)}), FileSystemBlobStore)
    assert store_from_config({"UPLOAD_DIR": "x", "FILE_STORE_DIR": str(tmp_path)}).root == tmp_path
    assert isinstance(store_from_config({"FILE_STORE": "database"}, world.session),
                      DatabaseBlobStore)
    with pytest.raises(ValueError):
        store_from_config({"FILE_STORE": "database"})
    with pytest.raises(ValueError):
        store_from_config({"FILE_STORE": "s3", "UPLOAD_DIR": "x"})
