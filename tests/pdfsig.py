"""An independent check of signed PDFs: poppler's `pdfsig` (NSS), not pyHanko.

It proves the signature is cryptographically valid, covers the whole file and is PAdES
(`ETSI.CAdES.detached`). Trust in the issuing CA is left to pyHanko's check: pdfsig would
need the CA imported into an NSS database (certutil is not installed here).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def pdfsig(pdf: bytes) -> dict[str, str]:
    """The first signature's fields as pdfsig prints them ("Signature Type", ...)."""
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler's pdfsig is not installed (apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "letter.pdf"
        path.write_bytes(pdf)
        run = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    fields: dict[str, str] = {}
    for line in run.stdout.splitlines():
        line = line.strip()
        if line.startswith("- ") and ":" in line:
            key, value = line[2:].split(":", 1)
            fields.setdefault(key.strip(), value.strip())
        elif line == "- Total document signed":
            fields["Coverage"] = "Total document signed"
    return fields


def assert_pades_valid(pdf: bytes, owner: str | None = None) -> dict[str, str]:
    fields = pdfsig(pdf)
    assert fields.get("Signature Validation") == "Signature is Valid.", fields
    assert fields.get("Signature Type") == "ETSI.CAdES.detached", fields
    assert fields.get("Coverage") == "Total document signed", fields
    if owner is not None:
        assert fields.get("Signer Certificate Common Name") == owner, fields
    return fields
