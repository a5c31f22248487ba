"""The programme's files as the screens show them: the file store of this app, the files of
the copy a page shows (a revision's own, or the working copy's), and a download response.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, send_file, url_for
from flask_babel import format_decimal, gettext
from sqlalchemy.orm import Session

from workflow import files
from workflow.errors import NotFound
from workflow.models import Programme, ProgrammeFile, RevisionFile, User
from workflow.storage import BlobNotFound, BlobStore, store_from_config

from . import uploads
from .database import db


def blob_store() -> BlobStore:
    # Built per call from the configuration (cheap): tests and tools change UPLOAD_DIR.
    # The database backend writes through the request's session, in its transaction.
    return store_from_config(current_app.config, db())


@dataclass(frozen=True)
class FileLink:
    id: int
    name: str
    size: int
    size_label: str
    content_type: str
    sha256: str
    url: str


def size_label(size: int) -> str:
    if size < 1024:
        return gettext("%(size)s Б", size=size)
    if size < 1024 * 1024:
        return gettext("%(size)s КБ", size=format_decimal(round(size / 1024)))
    return gettext("%(size)s МБ", size=format_decimal(round(size / (1024 * 1024), 1)))


def _link(f: ProgrammeFile | RevisionFile, url: str) -> FileLink:
    return FileLink(f.id, f.name, f.size, size_label(f.size), f.content_type, f.sha256, url)


def working_links(programme: Programme, actor: User) -> list[FileLink]:
    return [_link(f, url_for("programmes.download_file", programme_id=programme.id,
                             file_id=f.id))
            for f in files.working_files(programme, actor)]


def revision_links(session: Session, programme: Programme, number: int) -> list[FileLink]:
    return [_link(f, url_for("programmes.download_revision_file", programme_id=programme.id,
                             number=number, revision_file_id=f.id))
            for f in files.revision_files(session, programme, number)]


def page_links(session: Session, programme: Programme, actor: User,
               shown: int | None) -> list[FileLink]:
    """The files of the copy the programme page shows: revision `shown`, or the working copy."""
    if shown is None:
        return working_links(programme, actor)
    return revision_links(session, programme, shown)


def send(row: ProgrammeFile | RevisionFile):
    """The stored bytes as a download under a sanitised name. The key is the content's
    SHA-256, so it is also a strong ETag."""
    try:
        handle = blob_store().open(row.sha256)
    except BlobNotFound:
        current_app.logger.error("stored file %s (%s) is missing from the file store",
                                 row.sha256, row.name)
        raise NotFound("Файл не найден в хранилище") from None
    return send_file(
        handle, as_attachment=True, mimetype=row.content_type or "application/octet-stream",
        download_name=uploads.safe_name(row.name or "programme"), max_age=0, etag=row.sha256,
    )
