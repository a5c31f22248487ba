"""Checking a signed letter someone holds: is it ours, whole, and signed by a trusted key?

Used by the public verification page with uploaded bytes, so it must answer every input with a
result in Russian and never raise: garbage, truncated or tampered files are normal input here.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from documents.signing import certificate_owner

log = logging.getLogger(__name__)

NOT_A_PDF = "Файл не является PDF-документом"
DAMAGED = "Файл повреждён: его не удаётся прочитать как PDF-документ"
NO_SIGNATURE = "В документе нет электронной подписи"
MODIFIED = "Документ изменён после подписания"
SIGNATURE_INVALID = "Электронная подпись недействительна"
UNTRUSTED = "Сертификат подписи не выдан доверенным удостоверяющим центром"


@dataclass
class VerificationResult:
    ok: bool
    sha256: str
    reasons: list[str] = field(default_factory=list)
    signer_name: str | None = None
    serial: str | None = None
    signed_at: datetime | None = None
    covers_whole_file: bool = False
    intact: bool = False
    trusted: bool = False


def _as_asn1(cert) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, pyca_x509.Certificate):
        return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    if isinstance(cert, bytes):
        return asn1_x509.Certificate.load(cert)
    raise TypeError(f"Unsupported certificate type: {type(cert).__name__}")


def verify_pdf(data: bytes, trust_roots: list) -> VerificationResult:
    result = VerificationResult(ok=False, sha256=hashlib.sha256(data).hexdigest())
    if data.lstrip()[:5] != b"%PDF-":
        result.reasons.append(NOT_A_PDF)
        return result
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except Exception:  # any parser failure means the same thing to the person holding the file
        log.info("Unreadable PDF submitted for verification", exc_info=True)
        result.reasons.append(DAMAGED)
        return result
    if not signatures:
        result.reasons.append(NO_SIGNATURE)
        return result

    # The last signature is the one that must cover the whole file as the holder has it.
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=[_as_asn1(c) for c in trust_roots], allow_fetching=False
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:
        # Tampering inside the signature container (or its byte range) surfaces as assorted
        # exceptions rather than a status; for the holder all of them mean "altered".
        log.info("Signature could not be validated", exc_info=True)
        result.reasons.append(MODIFIED)
        return result

    cert = status.signing_cert
    result.signer_name = certificate_owner(cert)
    result.serial = format(cert.serial_number, "X")
    result.signed_at = status.signer_reported_dt
    result.intact = bool(status.intact)
    result.trusted = bool(status.trusted)
    result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE

    if not (status.intact and result.covers_whole_file):
        result.reasons.append(MODIFIED)
    elif not status.valid:
        result.reasons.append(SIGNATURE_INVALID)
    if status.intact and status.valid and not status.trusted:
        result.reasons.append(UNTRUSTED)
    result.ok = not result.reasons and bool(status.valid) and result.trusted
    return result
