"""Attachments: content checks by magic bytes and ZIP structure, and safe download names.
(Storage is `workflow.storage`: content-addressed, never overwritten nor deleted.)

Only PDF, DOCX and ODT are accepted. The extension must agree with the content: a text file
named `.pdf` is refused. DOCX and ODT are ZIP archives, so their structure is checked and
archives that would expand enormously (zip bombs) or carry path names are refused.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 5_000
# "application/vnd.oasis.opendocument.text" is 39 bytes; read a little more to see the end.
MIMETYPE_READ = 64

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
KIND_LABELS = {"pdf": "PDF", "docx": "DOCX", "odt": "ODT"}


class UploadRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    kind: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def _has_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.strip() in (".", "..")


def _zip_entry_unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or "\\" in name or ".." in parts or ":" in name


def _check_zip(data: bytes, kind: str) -> None:
    label = KIND_LABELS[kind]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected(f"Файл повреждён или не является документом {label}") from None
    if len(infos) > MAX_ENTRIES:
        raise UploadRejected(f"Документ {label} содержит слишком много частей")
    total = 0
    for info in infos:
        if _zip_entry_unsafe(info.filename):
            raise UploadRejected(f"Документ {label} содержит недопустимые пути к файлам")
        total += info.file_size
    if total > MAX_UNCOMPRESSED or total / len(data) > MAX_RATIO:
        raise UploadRejected(
            f"Документ {label} отклонён: после распаковки он слишком велик (подозрение на "
            "«zip-бомбу»)"
        )
    names = {i.filename for i in infos}
    if kind == "docx":
        if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
            raise UploadRejected("Файл не является документом DOCX (Word)")
    else:
        if "mimetype" not in names:
            raise UploadRejected("Файл не является документом ODT (OpenDocument)")
        try:
            # A bounded read: the declared size of an entry is the sender's word, and
            # `archive.read` would inflate the whole stream first (a few hundred KB of
            # deflated zeros named `mimetype` became 95 MB in memory before the 39 bytes
            # that matter were compared).
            with archive.open("mimetype") as entry:
                mimetype = entry.read(MIMETYPE_READ).strip()
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError,
                zlib.error):
            raise UploadRejected("Файл не является документом ODT (OpenDocument)") from None
        if mimetype != CONTENT_TYPES["odt"].encode():
            raise UploadRejected("Файл не является текстовым документом ODT")


def check_upload(storage: FileStorage, max_size: int | None = None) -> CheckedUpload:
    """Read and check an uploaded file; raise `UploadRejected` with a Russian message."""
    raw_name = storage.filename or ""
    if not raw_name:
        raise UploadRejected("Выберите файл для загрузки")
    if _has_path(raw_name):
        raise UploadRejected("Имя файла не должно содержать путь к папке")
    name = unicodedata.normalize("NFC", raw_name).strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in CONTENT_TYPES:
        raise UploadRejected("Допускаются только файлы PDF, DOCX или ODT")
    limit = (max_size or MAX_UNCOMPRESSED) + 1
    data = storage.stream.read(limit)
    if max_size and len(data) > max_size:
        raise UploadRejected(f"Файл больше допустимых {max_size // (1024 * 1024)} МБ")
    if not data:
        raise UploadRejected("Файл пуст")
    if ext == "pdf":
        if not data.startswith(b"%PDF-"):
            raise UploadRejected("Файл с расширением .pdf не является документом PDF")
    else:
        if not data.startswith(b"PK\x03\x04"):
            raise UploadRejected(
                f"Файл с расширением .{ext} не является документом {KIND_LABELS[ext]}"
            )
        _check_zip(data, ext)
    return CheckedUpload(name=safe_name(name), kind=ext, content_type=CONTENT_TYPES[ext], data=data)


def safe_name(name: str) -> str:
    """A display and download name without paths or control characters."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isalnum() or ch in " ._-()№")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:200] or "attachment"

