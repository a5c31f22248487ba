"""Signing rendered letters (PAdES) behind a small interface.

Russian qualified signatures use GOST R 34.10-2012 keys that live in a certified provider
(CryptoPro CSP, a token); no Python library can stand in for that. So the pipeline only knows
the :class:`Signer` protocol: today's implementation is each signatory's own PKCS#12 (stored
per user, opened by their PIN; see `workflow.signing_keys`) through pyHanko, and a GOST backend
(e.g. shelling out to CryptoPro's tools, or a signing service) can be added later without
touching rendering or the web layer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp.noop import NoOpStampStyle

from documents.context import SignatureMark
from documents.render import SignatureBox


class SignerError(Exception):
    """A letter cannot be signed; the message is meant for the user (Russian)."""


class CertificateMissing(SignerError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"Сертификат подписи не найден: {path}")
        self.path = path


class CertificateLocked(SignerError):
    def __init__(self) -> None:
        super().__init__("Неверный пароль сертификата подписи")


class Signer(Protocol):
    @property
    def certificate(self) -> asn1_x509.Certificate: ...

    def mark(self, signed_at: datetime) -> SignatureMark:
        """The visible mark's contents, drawn before signing so the signature covers it."""
        ...

    def sign(
        self,
        pdf: bytes,
        box: SignatureBox,
        *,
        field_name: str,
        reason: str,
        signed_at: datetime | None = None,
    ) -> bytes: ...


def certificate_owner(cert: asn1_x509.Certificate) -> str:
    """The person the certificate names (SN + G as in Russian qualified certificates, else
    CN): what the mark and the verification page print, never the user record's name."""
    subject = cert.subject.native
    surname, given = subject.get("surname"), subject.get("given_name")
    if isinstance(surname, str) and isinstance(given, str) and surname and given:
        return f"{surname.strip()} {given.strip()}"
    return subject.get("common_name") or cert.subject.human_friendly


def mark_for(cert: asn1_x509.Certificate, signed_at: datetime) -> SignatureMark:
    validity = cert["tbs_certificate"]["validity"]
    return SignatureMark(
        certificate_serial=format(cert.serial_number, "X"),
        owner=certificate_owner(cert),
        # Instants, not UTC dates: the letter prints them in the organisation's time zone.
        valid_from=validity["not_before"].native,
        valid_to=validity["not_after"].native,
        signed_at=signed_at,
    )


class _ClockedPdfSigner(signers.PdfSigner):
    """PdfSigner whose CMS signing-time is the caller's clock, not ``datetime.now()``.

    The mark printed in the letter states the signing time, so the signature must carry exactly
    that time; and tests and replays need to pass the clock in.
    """

    def __init__(self, *args, signing_time: datetime | None, on_estimate=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time
        self._on_estimate = on_estimate

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        if self._signing_time is not None:
            session.system_time = _aware(self._signing_time)
        if self._on_estimate is not None:
            estimate, report = session.estimate_signature_container_size, self._on_estimate

            async def estimate_and_report(*args, **kwargs):
                size = await estimate(*args, **kwargs)
                report(size)
                return size

            session.estimate_signature_container_size = estimate_and_report
        return session


def _aware(moment: datetime) -> datetime:
    # Databases often hand back naive timestamps; like the printed mark, read them as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Pkcs12Signer:
    """Signs with a key and certificate from PKCS#12 (.p12/.pfx) bytes or a file, via pyHanko.

    Each signatory's own container comes from the database as bytes (`from_bytes`, opened by
    the PIN typed at signing, or by a signing session's server key); the file form serves
    tests, benchmarks and tools."""

    def __init__(self, path: Path | str, passphrase: str | bytes | None) -> None:
        path = Path(path)
        if not path.is_file():
            raise CertificateMissing(path)
        self._load(path.read_bytes(), passphrase, where=f"В файле {path}")

    @classmethod
    def from_bytes(cls, data: bytes, passphrase: str | bytes | None) -> Pkcs12Signer:
        signer = cls.__new__(cls)
        signer._load(bytes(data), passphrase, where="В контейнере")
        return signer

    def _load(self, data: bytes, passphrase: str | bytes | None, *, where: str) -> None:
        secret = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        # Checked with cryptography first: pyHanko logs and returns an unhelpful error instead of
        # telling a wrong passphrase apart from a file without a key.
        try:
            key, cert, _extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError as exc:
            raise CertificateLocked() from exc
        if key is None or cert is None:
            raise SignerError(f"{where} нет ключа и сертификата подписи")
        self._signer = signers.SimpleSigner.load_pkcs12_data(data, [], passphrase=secret)
        # pyHanko sizes the signature's placeholder by signing a dummy CMS first (a second
        # signature per letter, a third of the signing time). The size depends only on the key
        # and certificates: estimated at the first signature, reused for the next ones.
        self._bytes_reserved: int | None = None

    def _remember_size(self, size: int) -> None:
        self._bytes_reserved = size

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._signer.signing_cert

    def mark(self, signed_at: datetime) -> SignatureMark:
        return mark_for(self.certificate, signed_at)

    def sign(
        self,
        pdf: bytes,
        box: SignatureBox,
        *,
        field_name: str = "Signature",
        reason: str = "Подписание исходящего письма",
        signed_at: datetime | None = None,
    ) -> bytes:
        page, x1, y1, x2, y2 = box
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        field = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page,
            box=(x1, y1, x2, y2),
            empty_field_appearance=True,
        )
        pdf_signer = _ClockedPdfSigner(
            meta,
            self._signer,
            # No pyHanko stamp: its text layout breaks Cyrillic; the visible mark is our HTML.
            stamp_style=NoOpStampStyle(),
            new_field_spec=field,
            signing_time=signed_at,
            on_estimate=self._remember_size if self._bytes_reserved is None else None,
        )
        # Incremental update: the rendered bytes stay untouched under the signature's byte range.
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        return pdf_signer.sign_pdf(writer, bytes_reserved=self._bytes_reserved).getvalue()
