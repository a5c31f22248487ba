"""Issue 8, finding 2: the earlier revision's attachment was destroyed. Replacing the file
after a return deleted the old one, and `?rev=1` downloaded the new file. Each revision now
keeps the files it was submitted with; the working copy holds several files; nothing a
revision refers to is deleted."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import new_programme, sign_pending_decision
from tests.web.conftest import sign_in, text
from workflow.models import Programme, Remark, Revision, RevisionFile
from workflow.storage import FileSystemBlobStore, store_from_config

V1 = b"%PDF-1.7\n% revision one: the evidence the reviewer returned\n%%EOF\n"
V2 = b"%PDF-1.7\n% revision two: the corrected programme\n%%EOF\n"
ANNEX = b"%PDF-1.7\n% annex: indicators by year\n%%EOF\n"


def _version(client, pid) -> str:
    page = text(client.get(f"/programmes/{pid}/edit"))
    if 'name="version"' not in page:
        page = text(client.get(f"/programmes/{pid}"))
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def _upload(client, pid, *named: tuple[str, bytes]):
    return client.post(
        f"/programmes/{pid}/attachment",
        data={"version": _version(client, pid),
              "file": [(io.BytesIO(data), name) for name, data in named]},
        content_type="multipart/form-data", follow_redirects=True)


def _act(client, pid, trigger, **data):
    page = text(client.get(f"/programmes/{pid}"))
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(f"/programmes/{pid}/actions/{trigger}",
                           data={"version": version, **data})
    assert response.status_code == 302, text(response)[:2000]


def _store(app) -> FileSystemBlobStore:
    return FileSystemBlobStore(app.config["UPLOAD_DIR"])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def pid(world):
    p = new_programme(world)
    world.session.commit()
    return p.id


def _return_with_a_remark(client, world, pid):
    sign_in(client, "reviewer")
    _act(client, pid, "start_review")
    assert client.post(f"/programmes/{pid}/remarks", data={
        "requirement_id": world.campaign.requirements[0].id, "visibility": "external",
        "body": "Приложенный файл не содержит показателей"}).status_code == 302
    _act(client, pid, "return_for_revision", reason="Нужны показатели в файле")
    # The return takes effect when the signatory signs its letter (outside the app's session).
    sign_pending_decision(str(world.session.get_bind().url.render_as_string(hide_password=False)),
                          programme_id=pid)


def _answer_remarks(client, fresh, pid):
    with fresh(commit=False) as s:
        remark_ids = s.scalars(select(Remark.id).where(Remark.programme_id == pid)).all()
    for remark_id in remark_ids:
        assert client.post(f"/programmes/{pid}/remarks/{remark_id}/answer",
                           data={"body": "Показатели добавлены"}).status_code == 302


@pytest.fixture(params=["filesystem", "database"])
def store_app(request, app, own_app):
    """The app with each backend of the file store."""
    return app if request.param == "filesystem" else own_app(FILE_STORE="database")


def test_replacing_the_file_after_a_return_keeps_revision_ones_file(store_app, world, fresh,
                                                                    pid):
    """The reported scenario, through the screens: upload v1, submit, review, return with a
    remark, replace the file with v2, resubmit. Revision 1 still serves v1."""
    app, client = store_app, store_app.test_client()
    sign_in(client, "editor")
    assert "загружен" in text(_upload(client, pid, ("Программа.pdf", V1)))
    _act(client, pid, "submit")
    _return_with_a_remark(client, world, pid)

    sign_in(client, "editor")
    assert "загружен" in text(_upload(client, pid, ("Программа.pdf", V2)))
    _answer_remarks(client, fresh, pid)
    _act(client, pid, "resubmit")

    sign_in(client, "reviewer")
    first = client.get(f"/programmes/{pid}/attachment?rev=1")
    assert first.status_code == 200 and first.data == V1
    second = client.get(f"/programmes/{pid}/attachment?rev=2")
    assert second.status_code == 200 and second.data == V2
    assert client.get(f"/programmes/{pid}/attachment").data == V2  # the latest, by default
    with fresh() as s:
        store = store_from_config(app.config, s)
        assert store.exists(_sha(V1)) and store.exists(_sha(V2))

    # The revision selector shows each revision's own file, with its size and a link.
    with fresh(commit=False) as s:
        by_number = dict(s.execute(
            select(Revision.number, RevisionFile.id).join(RevisionFile)
            .where(Revision.programme_id == pid)).all())
    page1 = text(client.get(f"/programmes/{pid}?rev=1"))
    link1 = f"/programmes/{pid}/revisions/1/files/{by_number[1]}"
    assert "Файлы редакции № 1" in page1 and link1 in page1 and "Программа.pdf" in page1
    assert f"{len(V1)} Б" in page1
    assert f"/revisions/2/files/{by_number[2]}" not in page1
    assert client.get(link1).data == V1
    page2 = text(client.get(f"/programmes/{pid}?rev=2"))
    assert f"/programmes/{pid}/revisions/2/files/{by_number[2]}" in page2
    assert client.get(f"/programmes/{pid}/revisions/2/files/{by_number[2]}").data == V2
    # A file of one revision is not served under another revision's number.
    assert client.get(f"/programmes/{pid}/revisions/2/files/{by_number[1]}").status_code == 404

    sign_in(client, "foreign-editor")
    assert client.get(link1).status_code == 404
    assert client.get(f"/programmes/{pid}/attachment?rev=1").status_code == 404


def test_several_files_and_removal_from_the_draft_keeps_the_revisions_files(
        app, client, world, fresh, pid):
    sign_in(client, "editor")
    response = _upload(client, pid, ("Программа.pdf", V1), ("Приложение.pdf", ANNEX))
    assert "Файлы загружены" in text(response)
    edit = text(client.get(f"/programmes/{pid}/edit"))
    assert "Программа.pdf" in edit and "Приложение.pdf" in edit and "Убрать" in edit
    _act(client, pid, "submit")
    _return_with_a_remark(client, world, pid)

    sign_in(client, "editor")
    with fresh(commit=False) as s:
        annex_id = next(f.id for f in s.get(Programme, pid).files if f.name == "Приложение.pdf")
    response = client.post(f"/programmes/{pid}/files/{annex_id}/remove",
                           data={"version": _version(client, pid)}, follow_redirects=True)
    assert "убран из рабочей копии" in text(response)
    with fresh(commit=False) as s:
        assert [f.name for f in s.get(Programme, pid).files] == ["Программа.pdf"]
        frozen = s.scalars(select(RevisionFile.name).join(Revision)
                           .where(Revision.programme_id == pid)).all()
    assert sorted(frozen) == ["Приложение.pdf", "Программа.pdf"]
    assert _store(app).exists(_sha(ANNEX))

    work = text(client.get(f"/programmes/{pid}?rev=work"))
    assert "Приложение.pdf" not in work
    sign_in(client, "reviewer")
    page = text(client.get(f"/programmes/{pid}?rev=1"))
    assert "Программа.pdf" in page and "Приложение.pdf" in page
    annex_link = re.search(rf'href="(/programmes/{pid}/revisions/1/files/\d+)"[^>]*>Приложение',
                           page).group(1)
    assert client.get(annex_link).data == ANNEX
    # The ministry sees what was submitted, not the municipality's working copy.
    with fresh(commit=False) as s:
        kept = s.get(Programme, pid).files[0].id
    assert client.get(f"/programmes/{pid}/files/{kept}").status_code == 404


def test_a_foreign_editor_cannot_remove_a_file(app, client, world, fresh, pid):
    sign_in(client, "editor")
    _upload(client, pid, ("Программа.pdf", V1))
    with fresh(commit=False) as s:
        file_id = s.get(Programme, pid).files[0].id
    sign_in(client, "foreign-editor")
    response = client.post(f"/programmes/{pid}/files/{file_id}/remove", data={"version": "2"})
    assert response.status_code == 404
    with fresh(commit=False) as s:
        assert len(s.get(Programme, pid).files) == 1


def test_the_same_content_is_stored_once(app, client, world, fresh, pid):
    sign_in(client, "editor")
    _upload(client, pid, ("Программа.pdf", V1))
    other = new_programme(world, title="Другая программа")
    world.session.commit()
    _upload(client, other.id, ("Копия.pdf", V1))
    stored = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [_sha(V1)]
    refused = _upload(client, pid, ("Ещё раз.pdf", V1))
    assert "совпадает с уже приложенным файлом «Программа.pdf»" in text(refused)
