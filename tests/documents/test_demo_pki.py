from __future__ import annotations

from cryptography import x509

from documents.demo_pki import ensure_demo_pki
from tests.documents.conftest import ORGANISATION, OWNER, PASSPHRASE


def test_signatory_certificate_is_fit_for_signing(signer_cert, ca_cert):
    assert signer_cert.issuer == ca_cert.subject
    subject = signer_cert.subject
    assert subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == OWNER
    assert subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value == "RU"
    usage = signer_cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    # Valid back to the demo journal's 2022 letters, and three more years from now.
    assert signer_cert.not_valid_before_utc <= datetime(2022, 7, 15, tzinfo=UTC)
    assert 3 * 365 - 1 <= (signer_cert.not_valid_after_utc - now).days <= 3 * 366
    ca = ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert ca.ca


def test_ensure_demo_pki_is_idempotent(pki):
    before = pki.pkcs12.read_bytes(), pki.ca_certificate.read_bytes()
    again = ensure_demo_pki(
        pki.pkcs12.parent, owner_name=OWNER, organisation=ORGANISATION, passphrase=PASSPHRASE
    )
    assert again == pki
    assert (again.pkcs12.read_bytes(), again.ca_certificate.read_bytes()) == before
