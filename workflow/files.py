"""Programme files: add to and remove from the working copy, freeze with a revision, find a
revision's own files.

The bytes go to a content-addressed `BlobStore` (passed in, like the clock); the rows name
them by SHA-256. Removing or replacing a file only changes the working copy's list: the
stored bytes are never deleted here, because a frozen revision may refer to them (and the
same content may be attached to several programmes). An upload whose transaction fails
leaves an unreferenced blob behind, which is harmless: it is the same content any later
upload of those bytes would store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import InvalidInput, NotFound
from .models import Programme, ProgrammeFile, Revision, RevisionFile, User
from .states import Role
from .storage import BlobStore, content_key

MAX_FILES = 20
MAX_NAME = 255


@dataclass(frozen=True)
class NewFile:
    """A file already checked by the caller (type, size, name without a path)."""

    name: str
    content_type: str
    data: bytes


def add_files(
    session: Session, programme: Programme, actor: User, files: list[NewFile], *,
    store: BlobStore, now: datetime, expected_version: int | None = None,
) -> list[ProgrammeFile]:
    """Attach files to the working copy. A file named like one already attached replaces
    it in the working copy (the earlier bytes stay stored for the revisions that have
    them); the same content twice is refused, as is an empty list or more than MAX_FILES."""
    from .programme_drafting import update_draft

    if not files:
        raise InvalidInput("Выберите файл для загрузки", field="file")
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise InvalidInput("Среди выбранных файлов есть файлы с одинаковыми именами", field="file")
    for f in files:
        if not f.name or len(f.name) > MAX_NAME:
            raise InvalidInput(f"Имя файла пустое или длиннее {MAX_NAME} символов", field="file")
    # Checks the actor, locks the row, compares the version, bumps it: one saved change.
    update_draft(session, programme, actor, now=now, expected_version=expected_version)

    # Every check before the first byte is stored, so a refusal writes nothing anywhere.
    keys = [content_key(f.data) for f in files]
    kept = [f for f in programme.files if f.name not in set(names)]
    for new, key in zip(files, keys, strict=True):
        twin = next((f for f in kept if f.sha256 == key), None)
        if twin is not None:
            raise InvalidInput(f"Файл «{new.name}» совпадает с уже приложенным файлом "
                               f"«{twin.name}»", field="file")
    if len(set(keys)) != len(keys):
        raise InvalidInput("Среди выбранных файлов есть одинаковые", field="file")
    if len(kept) + len(files) > MAX_FILES:
        raise InvalidInput(f"К программе можно приложить не более {MAX_FILES} файлов",
                           field="file")

    by_name = {f.name: f for f in programme.files}
    added = []
    for new, key in zip(files, keys, strict=True):
        if store.put(new.data) != key:
            raise RuntimeError("the file store returned a key that is not the content's SHA-256")
        replaced = by_name.get(new.name)
        if replaced is not None:
            programme.files.remove(replaced)
            # Delete the old row before the new one is inserted: the name is unique per
            # programme. Only the row goes; the bytes stay in the store.
            session.flush()
        row = ProgrammeFile(name=new.name, size=len(new.data), content_type=new.content_type,
                            sha256=key, added_by_id=actor.id, added_at=now)
        programme.files.append(row)
        added.append(row)
    session.flush()
    return added


def remove_file(
    session: Session, programme: Programme, actor: User, file_id: int, *, now: datetime,
    expected_version: int | None = None,
) -> ProgrammeFile:
    """Take a file off the working copy. Revisions that were frozen with it keep it."""
    from .programme_drafting import update_draft

    update_draft(session, programme, actor, now=now, expected_version=expected_version)
    row = next((f for f in programme.files if f.id == file_id), None)
    if row is None:
        raise NotFound("Файл не найден среди файлов рабочей копии")
    programme.files.remove(row)
    session.flush()
    return row


def freeze_files(revision: Revision, programme: Programme) -> None:
    """Give a revision being frozen its own copy of the working copy's file list."""
    revision.files.extend(RevisionFile.frozen_from(f) for f in programme.files)


# ---------------------------------------------------------------- reading


def may_see_working_files(programme: Programme, actor: User) -> bool:
    """The municipality sees its working copy; the ministry sees what was submitted (the
    revisions), and the working copy only of a programme never submitted, as on the
    programme page. The caller has checked `ensure_can_see` already."""
    return actor.role == Role.MUNICIPAL_EDITOR or programme.revision_number == 0


def working_files(programme: Programme, actor: User) -> list[ProgrammeFile]:
    return list(programme.files) if may_see_working_files(programme, actor) else []


def revision_files(session: Session, programme: Programme, number: int) -> list[RevisionFile]:
    return list(session.scalars(
        select(RevisionFile)
        .join(Revision, Revision.id == RevisionFile.revision_id)
        .where(Revision.programme_id == programme.id, Revision.number == number)
        .order_by(RevisionFile.id)
    ))


def get_working_file(programme: Programme, actor: User, file_id: int) -> ProgrammeFile:
    if may_see_working_files(programme, actor):
        for f in programme.files:
            if f.id == file_id:
                return f
    raise NotFound("Файл не найден")


def get_revision_file(session: Session, programme: Programme, number: int,
                      file_id: int) -> RevisionFile:
    row = session.scalar(
        select(RevisionFile)
        .join(Revision, Revision.id == RevisionFile.revision_id)
        .where(Revision.programme_id == programme.id, Revision.number == number,
               RevisionFile.id == file_id)
    )
    if row is None:
        raise NotFound("Файл не найден в этой редакции")
    return row


def referenced_keys(session: Session) -> set[str]:
    """Every content key a row refers to: what a future clean-up must never remove."""
    return set(session.scalars(select(ProgrammeFile.sha256))) | set(
        session.scalars(select(RevisionFile.sha256)))
