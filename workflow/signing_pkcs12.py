"""Reading a PKCS#12 container and the person its certificate names.

`cryptography` only reads the container here; signing PDFs is `documents.signing`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from .errors import InvalidInput
from .signing_errors import WrongPin

MAX_PKCS12 = 64 * 1024


def normalise_name(name: str) -> str:
    """Names compare case-, ё/е- and space-insensitively: "Шкуратская  Мария Викторовна" is
    "шкуратская мария викторовна"."""
    return re.sub(r"\s+", " ", (name or "").replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def _attr(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value).strip() if values else ""


def certificate_owner(cert: x509.Certificate) -> str:
    """The person a certificate names: surname and given names (as Russian qualified
    certificates put them, SN + G) when present, otherwise the common name."""
    surname = _attr(cert.subject, NameOID.SURNAME)
    given = _attr(cert.subject, NameOID.GIVEN_NAME)
    if surname and given:
        return f"{surname} {given}"
    return _attr(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()


def owner_matches(owner: str, full_name: str) -> bool:
    return bool(normalise_name(owner)) and normalise_name(owner) == normalise_name(full_name)


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


@dataclass
class OpenedPkcs12:
    key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]


def open_pkcs12(data: bytes, pin: str) -> OpenedPkcs12:
    """The key and certificate in a PKCS#12 container; InvalidInput (Russian) otherwise.
    A wrong PIN raises WrongPin(left=-1) for the caller to count (or not)."""
    if not data:
        raise InvalidInput("Выберите файл сертификата (PKCS#12, .p12 или .pfx)", field="pkcs12")
    if len(data) > MAX_PKCS12:
        raise InvalidInput("Файл сертификата больше 64 КБ; это не контейнер PKCS#12",
                           field="pkcs12")
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, (pin or "").encode("utf-8"))
    except ValueError as error:
        if "deserialize" in str(error):  # the bytes are not PKCS#12 at all
            raise InvalidInput("Файл не является контейнером PKCS#12 (.p12, .pfx)",
                               field="pkcs12") from None
        raise WrongPin(left=-1) from None
    if key is None or cert is None:
        raise InvalidInput("В контейнере PKCS#12 нет закрытого ключа и сертификата",
                           field="pkcs12")
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    if public != cert.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo):
        raise InvalidInput("Закрытый ключ в контейнере не соответствует сертификату",
                           field="pkcs12")
    return OpenedPkcs12(key=key, certificate=cert, chain=list(chain or []))


def issued_by_trusted(cert: x509.Certificate, roots: list[x509.Certificate]) -> bool:
    for root in roots:
        try:
            cert.verify_directly_issued_by(root)
        except Exception:  # noqa: BLE001 -- wrong issuer, bad signature, other key type
            continue
        return True
    return False


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
