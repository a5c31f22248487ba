"""Attachments: content checked by magic bytes and ZIP structure, zip bombs and path names
refused, size limit, stored under the content's SHA-256, downloaded with a safe name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from tests.factories import new_programme
from tests.web.conftest import sign_in, text
from web import uploads
from workflow.models import Programme
from workflow.storage import FileSystemBlobStore


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
           zipfile.ZIP_STORED)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


@pytest.fixture
def draft(world):
    p = new_programme(world)
    world.session.commit()
    return p


def _upload(client, programme, name, data, version=None):
    return client.post(
        f"/programmes/{programme.id}/attachment",
        data={"version": str(version or programme.version), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data", follow_redirects=True,
    )


def _stored(world, programme_id):
    world.session.expire_all()
    p = world.session.get(Programme, programme_id)
    files = list(p.files)
    world.session.commit()
    return files


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("Программа 2026.pdf", PDF, "application/pdf"),
    ("programme.docx", DOCX, uploads.CONTENT_TYPES["docx"]),
    ("programme.odt", ODT, uploads.CONTENT_TYPES["odt"]),
])
def test_good_files_are_stored_under_their_content_key(client, app, world, draft, name, data,
                                                       kind):
    sign_in(client, "editor")
    response = _upload(client, draft, name, data)
    assert "загружен" in text(response)
    [stored] = _stored(world, draft.id)
    assert stored.content_type == kind
    assert stored.name == name
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert FileSystemBlobStore(app.config["UPLOAD_DIR"]).path(stored.sha256).read_bytes() == data
    download = client.get(f"/programmes/{draft.id}/attachment")
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    sign_in(client, "foreign-editor")
    assert client.get(f"/programmes/{draft.id}/attachment").status_code == 404
    sign_in(client, "reviewer")
    assert client.get(f"/programmes/{draft.id}/attachment").status_code == 200


@pytest.mark.parametrize(("name", "data", "message"), [
    ("programme.pdf", "Это просто текст, а не PDF".encode(), "не является документом PDF"),
    ("programme.docx", PDF, "не является документом DOCX"),
    ("programme.docx", _zip({"a.txt": b"x"}), "не является документом DOCX"),
    ("programme.odt", _zip({"mimetype": b"application/zip"}), "не является текстовым документом ODT"),
    ("programme.exe", b"MZ\x90\x00", "Допускаются только файлы PDF, DOCX или ODT"),
    ("programme.pdf", b"", "Файл пуст"),
    ("programme.docx", b"PK\x03\x04garbage", "повреждён"),
    ("programme.docx", _zip({"[Content_Types].xml": b"<T/>", "word/../../etc/passwd": b"x"}),
     "недопустимые пути"),
])
def test_bad_files_are_refused_with_a_russian_message(client, world, draft, name, data, message):
    sign_in(client, "editor")
    response = _upload(client, draft, name, data)
    assert message in text(response)
    assert _stored(world, draft.id) == []


def test_zip_bomb_docx_is_refused(client, app, world, draft):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (120 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # small on the wire
    sign_in(client, "editor")
    response = _upload(client, draft, "bomb.docx", bomb)
    assert "zip-бомб" in text(response)
    assert _stored(world, draft.id) == []
    assert not list(Path(app.config["UPLOAD_DIR"]).glob("*")) if Path(app.config["UPLOAD_DIR"]).exists() else True


def test_high_ratio_docx_is_refused_even_below_the_size_cap(client, world, draft):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"a" * (20 * 1024 * 1024)})
    sign_in(client, "editor")
    assert "zip-бомб" in text(_upload(client, draft, "ratio.docx", bomb))


def test_file_name_with_a_path_is_refused(client, world, draft):
    sign_in(client, "editor")
    response = _upload(client, draft, "../../etc/evil.pdf", PDF)
    assert "не должно содержать путь" in text(response)
    assert _stored(world, draft.id) == []


def test_oversized_upload_gets_413_with_a_russian_message(own_app, world, draft):
    app = own_app(MAX_CONTENT_LENGTH=1024 * 1024)
    client = app.test_client()
    sign_in(client, "editor")
    response = client.post(
        f"/programmes/{draft.id}/attachment",
        data={"version": str(draft.version),
              "file": (io.BytesIO(PDF + b"0" * (2 * 1024 * 1024)), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Файл слишком большой: допускается не более 1 МБ" in text(response)


def test_stale_upload_is_refused_and_nothing_stored(client, app, world, draft):
    sign_in(client, "editor")
    response = _upload(client, draft, "a.pdf", PDF, version=draft.version - 1 or 99)
    assert "изменена" in text(response)
    assert _stored(world, draft.id) == []
    directory = Path(app.config["UPLOAD_DIR"])
    assert not directory.exists() or not any(directory.iterdir())


def test_safe_download_name():
    assert uploads.safe_name("../../etc/passwd") == "passwd"
    assert uploads.safe_name('Программа "2026"\r\n.pdf') == "Программа 2026.pdf"
    assert uploads.safe_name("...") == "attachment"
