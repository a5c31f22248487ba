"""A throw-away certification authority and signatory certificate for demos and tests.

Real letters are signed with a qualified certificate issued by an accredited CA; the demo needs
something that behaves the same way (a chain to a root the verifier trusts) without one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

# The demo journal replays letters from 2022 (the circular 23/6666 and the decisions after
# it): the demo certificates must already be valid on those signing dates.
DEMO_BACKDATE = timedelta(days=5 * 365)

CA_CERT_FILE = "demo-ca.pem"
CA_KEY_FILE = "demo-ca-key.pem"
SIGNER_P12_FILE = "signatory.p12"


@dataclass(frozen=True)
class DemoPkiPaths:
    ca_certificate: Path
    pkcs12: Path


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _serial() -> int:
    # 16 random bytes, top bit clear: positive and always 32 hex digits, like real CA serials.
    return (int.from_bytes(os.urandom(16), "big") >> 1) | (1 << 126)


def _create_ca(organisation: str, now: datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    # CN is limited to 64 bytes by RFC 5280, too short to repeat the organisation name.
    name = _name("Демонстрационный УЦ", organisation)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - DEMO_BACKDATE)
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _issue_signatory(ca_key, ca_cert, owner_name: str, organisation: str, now: datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(owner_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(_serial())
        # Backdated a day so a letter signed "now" on a machine with a skewed clock still verifies.
        .not_valid_before(now - DEMO_BACKDATE)
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def ensure_demo_pki(
    directory: Path, *, owner_name: str, organisation: str, passphrase: str
) -> DemoPkiPaths:
    """Create the demo CA and the signatory's PKCS#12 in ``directory`` unless they exist.

    Idempotent so the demo seed can call it on every start without re-keying (which would make
    every previously signed demo letter untrusted).
    """
    p12_path = directory / SIGNER_P12_FILE
    secret = passphrase.encode("utf-8")
    now = datetime.now(UTC)
    ca_key, ca_cert, created = ensure_ca(directory, organisation=organisation, secret=secret,
                                          now=now)
    if created:
        p12_path.unlink(missing_ok=True)  # issued by a CA that no longer exists

    if not p12_path.exists():
        key, cert = _issue_signatory(ca_key, ca_cert, owner_name, organisation, now)
        p12_path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                name=owner_name.encode("utf-8"),
                key=key,
                cert=cert,
                cas=[ca_cert],
                encryption_algorithm=serialization.BestAvailableEncryption(secret),
            )
        )
        p12_path.chmod(0o600)

    return DemoPkiPaths(ca_certificate=directory / CA_CERT_FILE, pkcs12=p12_path)


def ensure_ca(directory: Path, *, organisation: str, secret: bytes, now: datetime):
    """The demo CA's key and certificate, created on first use; True if created now."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_cert_path = directory / CA_CERT_FILE
    ca_key_path = directory / CA_KEY_FILE
    if ca_cert_path.exists() and ca_key_path.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), secret)
        return ca_key, ca_cert, False
    ca_key, ca_cert = _create_ca(organisation, now)
    ca_key_path.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret),
        )
    )
    ca_key_path.chmod(0o600)
    ca_cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return ca_key, ca_cert, True


def issue_demo_pkcs12(directory: Path, *, owner_name: str, organisation: str, passphrase: str,
                      pin: str, now: datetime | None = None) -> bytes:
    """A new signatory certificate from the demo CA (created if absent), as PKCS#12 bytes
    encrypted with `pin`. `passphrase` protects the CA's key on disk; the PIN is the
    signatory's and is not written anywhere."""
    now = now or datetime.now(UTC)
    ca_key, ca_cert, _created = ensure_ca(Path(directory), organisation=organisation,
                                           secret=passphrase.encode("utf-8"), now=now)
    key, cert = _issue_signatory(ca_key, ca_cert, owner_name, organisation, now)
    return pkcs12.serialize_key_and_certificates(
        name=owner_name.encode("utf-8"), key=key, cert=cert, cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(pin.encode("utf-8")),
    )
