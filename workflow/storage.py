"""Content-addressed, immutable file storage.

A file is stored under the SHA-256 of its bytes, so the key names exactly one content: the
same bytes uploaded twice are stored once, and a key a revision refers to can never come to
mean other bytes. Nothing here overwrites or deletes a stored file: a programme's working
copy may drop a file, but the revisions that were frozen with it keep pointing at its key,
so the bytes must outlive every change of the working copy.

The interface is three calls (`put`, `open`, `exists`) so that a shared backend (a database
table, an object store) can replace the file system when several application servers must
see the same files; the callers (screens, API, CLI, background workers) only ever hold a
`BlobStore`. No Flask here: the web layer builds the store from its configuration with
`store_from_config`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

KEY_RE = re.compile(r"^[0-9a-f]{64}$")


class BlobNotFound(LookupError):
    """No stored file has this key (or the key is malformed)."""


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_key(key: object) -> bool:
    return isinstance(key, str) and bool(KEY_RE.match(key))


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data` (idempotent) and return its SHA-256 key."""

    def open(self, key: str) -> BinaryIO:
        """A binary file object positioned at the start; raises `BlobNotFound`."""

    def exists(self, key: str) -> bool: ...


def read(store: BlobStore, key: str) -> bytes:
    with store.open(key) as handle:
        return handle.read()


class FileSystemBlobStore:
    """Files under `root/ab/cd/<sha256>`, written through a temporary file in `root/tmp`
    and renamed into place, so a reader never sees a half-written file and a crash leaves
    at most a stray temporary file. Two fan-out levels keep directories small (65,536
    leaves). `root` may hold other files (the pre-0004 uploads lie flat beside it under
    32-hex names): only paths of the shape above are ever read here."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not is_key(key):
            raise BlobNotFound(key)
        return self.root / key[:2] / key[2:4] / key

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except BlobNotFound:
            return False

    def put(self, data: bytes) -> str:
        key = content_key(data)
        target = self.path(key)
        if target.is_file():
            return key  # the same bytes are there already: never overwrite
        target.parent.mkdir(parents=True, exist_ok=True)
        temp_dir = self.root / "tmp"
        temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=temp_dir, prefix=key[:16] + ".")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, 0o444)
            # Same file system (both under root), so the rename is atomic. Two writers of
            # the same content race harmlessly: both files hold identical bytes.
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")  # noqa: SIM115 (the caller closes it)
        except FileNotFoundError:
            raise BlobNotFound(key) from None


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class DatabaseBlobStore:
    """Files in the application database (table `file_blob`), written through the caller's
    session or connection: a file is committed, or rolled back, together with the rows
    that name it, and every application server sharing the database sees it. For files of
    the size this application accepts (tens of megabytes at most)."""

    def __init__(self, db):
        self.db = db  # a Session or a Connection: both `execute`

    def put(self, data: bytes) -> str:
        from .models import FileBlob

        key = content_key(data)
        table = FileBlob.__table__
        dialect = _dialect_name(self.db)
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise ValueError(f"the database file store does not support {dialect}")
        # Insert-if-absent in one statement: two uploads of the same bytes cannot collide.
        self.db.execute(insert(table).values(sha256=key, size=len(data), data=data)
                        .on_conflict_do_nothing(index_elements=["sha256"]))
        return key

    def open(self, key: str) -> BinaryIO:
        from sqlalchemy import select

        from .models import FileBlob

        data = self.db.execute(select(FileBlob.data).where(FileBlob.sha256 == key)).scalar() \
            if is_key(key) else None
        if data is None:
            raise BlobNotFound(key)
        return io.BytesIO(bytes(data))

    def exists(self, key: str) -> bool:
        from sqlalchemy import select

        from .models import FileBlob

        return is_key(key) and self.db.execute(
            select(FileBlob.sha256).where(FileBlob.sha256 == key)).first() is not None


def _dialect_name(db) -> str:
    bind = db.get_bind() if hasattr(db, "get_bind") else db
    return bind.dialect.name


def store_from_config(config, db=None) -> BlobStore:
    """The configured store. `FILE_STORE=filesystem` (the default) keeps files under
    `FILE_STORE_DIR`, or else the upload directory `UPLOAD_DIR`; `FILE_STORE=database`
    keeps them in the application database, through `db` (the caller's session or
    connection)."""
    backend = (config.get("FILE_STORE") or "filesystem").lower()
    if backend == "database":
        if db is None:
            raise ValueError("FILE_STORE=database needs the caller's session or connection")
        return DatabaseBlobStore(db)
    if backend != "filesystem":
        raise ValueError(f"unknown FILE_STORE backend {backend!r}")
    return FileSystemBlobStore(config.get("FILE_STORE_DIR") or config["UPLOAD_DIR"])
