"""The ODT check reads a bounded prefix of the `mimetype` entry. An entry whose header
declares 39 bytes but whose deflated stream inflates to 200 MB passed the size and ratio
checks (they trust the declared size) and `archive.read` inflated all of it in memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

from werkzeug.datastructures import FileStorage

from web import uploads

MIMETYPE = b"application/vnd.oasis.opendocument.text"
INFLATED = 200 * 1024 * 1024


def _lying_odt() -> bytes:
    """A zip whose first entry `mimetype` starts with the right 39 bytes, then 200 MB of
    zeros, deflated (~200 KB); both headers then claim the entry is 39 bytes long."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("mimetype")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as entry:
            entry.write(MIMETYPE)
            chunk = bytes(1024 * 1024)
            for _ in range(INFLATED // len(chunk)):
                entry.write(chunk)
        archive.writestr("content.xml", b"<office:document-content/>")
    data = bytearray(buffer.getvalue())
    assert data[:4] == b"PK\x03\x04"
    struct.pack_into("<I", data, 22, len(MIMETYPE))  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, len(MIMETYPE))  # central directory: the same
    return bytes(data)


def test_a_mimetype_entry_that_inflates_to_200_mb_is_refused_without_inflating_it():
    data = _lying_odt()
    assert len(data) < 1024 * 1024
    assert len(zlib.compress(bytes(1024))) < 1024  # the premise: zeros deflate very well
    storage = FileStorage(stream=io.BytesIO(data), filename="programme.odt")
    tracemalloc.start()
    try:
        try:
            uploads.check_upload(storage, 20 * 1024 * 1024)
            refused = None
        except uploads.UploadRejected as error:
            refused = error.message
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused is not None and "ODT" in refused
    # The file itself (well under 1 MB) and zipfile's buffers; not the 200 MB stream.
    print(f"\npeak memory of the ODT check: {peak / 1024 / 1024:.1f} MB "
          f"(the entry inflates to {INFLATED // 1024 // 1024} MB)")
    assert peak < 8 * 1024 * 1024


def test_an_honest_huge_mimetype_entry_is_refused_as_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", MIMETYPE + bytes(20 * 1024 * 1024))
    storage = FileStorage(stream=io.BytesIO(buffer.getvalue()), filename="programme.odt")
    try:
        uploads.check_upload(storage, 20 * 1024 * 1024)
    except uploads.UploadRejected as error:
        assert "zip-бомбу" in error.message
    else:
        raise AssertionError("accepted")


def test_a_real_odt_is_still_accepted():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>" * 50,
                         compress_type=zipfile.ZIP_DEFLATED)
    storage = FileStorage(stream=io.BytesIO(buffer.getvalue()), filename="programme.odt")
    checked = uploads.check_upload(storage, 20 * 1024 * 1024)
    assert checked.kind == "odt"
