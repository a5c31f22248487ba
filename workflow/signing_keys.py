"""Every signatory signs with a key of their own.

A signatory's certificate and key are stored as the PKCS#12 exactly as issued, encrypted with
the signatory's signing PIN; the PIN is typed at each signing and never stored. Signing is
refused to a user without their own valid certificate, or whose certificate names someone
else. Granting the signatory role and adding a certificate are audited admin actions that
notify the existing signatories (so an impostor cannot be made a signatory quietly).

The crash-recovery side: once the PIN has opened the key, the signing transaction stores the
key re-encrypted under a server key that lives outside the database (a "signing session",
with an expiry). A sweep renders letters left without a PDF through their sessions and deletes
each session with the PDF; an expired session means the signatory types the PIN again.

Here: why a user cannot sign now, and the PIN opening their key (`unlock`, which counts
wrong PINs). Beside this module: `signing_errors` (the refusals), `signing_pkcs12` (reading a
container and its owner's name; `cryptography` reads containers there and seals sessions in
`signing_sessions`, signing PDFs is `documents.signing`'s business), `signatory_certificates`
(grant, add, revoke, the current one) and `signing_sessions` (the sealed key kept for the
crash-recovery sweep).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.orm import Session

from .errors import PermissionDenied
from .letter_data import CertificateData
from .models import SignerCertificate, User
from .signatory_certificates import current_certificate
from .signin import log_event
from .signing_errors import (
    PIN_LOCK,
    PIN_MAX_FAILURES,
    CertificateOwnerMismatch,
    NoCertificate,
    PinLocked,
    PinRequired,
    WrongPin,
)
from .signing_pkcs12 import OpenedPkcs12, certificate_owner, open_pkcs12, owner_matches, serial_hex
from .states import Role

if TYPE_CHECKING:
    from .signing_sessions import SessionSealer


def signing_refusal(session: Session, user: User, now: datetime, *,
                    acting: bool = False) -> str | None:
    """Why `user` cannot sign now, in Russian; None if they can (given the right PIN).
    `acting`: as the substitute of an absent signatory, with a certificate of their own (a
    substitute need not hold the signatory role, see `absences.substitute_refusal`)."""
    if not user.active or (user.role != Role.SIGNATORY and not acting):
        return "Подписать письмо может только подписант"
    cert = current_certificate(session, user, now)
    if cert is None:
        return NoCertificate().message
    if not owner_matches(cert.owner_name, user.full_name):
        return CertificateOwnerMismatch(cert.owner_name, user.full_name).message
    if cert.pin_locked_until is not None and cert.pin_locked_until > now:
        return PinLocked(cert.pin_locked_until, now).message
    return None


@dataclass
class UnlockedKey:
    """A key the PIN has just opened, for the length of one operation."""

    certificate: SignerCertificate
    opened: OpenedPkcs12
    # Sealed once per sealer: a batch opens one key and seals it for each of its letters.
    _sealed: dict = field(default_factory=dict, repr=False, compare=False)

    def sealed_with(self, sealer: SessionSealer) -> bytes:
        sealed = self._sealed.get(sealer)
        if sealed is None:
            sealed = self._sealed[sealer] = sealer.seal(self.opened)
        return sealed

    def summary(self) -> CertificateData:
        """What a letter records about the certificate it is signed with."""
        c = self.certificate
        return CertificateData(id=c.id, serial=c.serial, owner=c.owner_name, issuer=c.issuer,
                               valid_from=c.valid_from.date(), valid_to=c.valid_to.date())


def unlock(session: Session, user: User, pin: str, *, now: datetime,
           certificate: SignerCertificate | None = None, acting: bool = False) -> UnlockedKey:
    """Open `user`'s own key with `pin`, or refuse with the reason. A wrong PIN is counted
    atomically (UPDATE ... + 1) and, after PIN_MAX_FAILURES, locks the key for PIN_LOCK;
    the caller must commit the session for the count to stand (and change nothing else).
    `acting`: the user signs as the substitute of an absent signatory (checked by the
    caller), so their own certificate is enough without the signatory role."""
    if not user.active or (user.role != Role.SIGNATORY and not acting):
        raise PermissionDenied("Подписать письмо может только подписант")
    cert = certificate or current_certificate(session, user, now)
    if cert is None or cert.user_id != user.id:
        raise NoCertificate()
    if not owner_matches(cert.owner_name, user.full_name):
        raise CertificateOwnerMismatch(cert.owner_name, user.full_name)
    if cert.pin_locked_until is not None and cert.pin_locked_until > now:
        raise PinLocked(cert.pin_locked_until, now)
    if not pin:
        raise PinRequired()
    try:
        opened = open_pkcs12(cert.pkcs12, pin)
    except WrongPin:
        failures = session.execute(
            update(SignerCertificate).where(SignerCertificate.id == cert.id)
            .values(pin_failures=SignerCertificate.pin_failures + 1)
            .returning(SignerCertificate.pin_failures)
        ).scalar_one()
        if failures >= PIN_MAX_FAILURES:
            session.execute(update(SignerCertificate).where(SignerCertificate.id == cert.id)
                            .values(pin_failures=0, pin_locked_until=now + PIN_LOCK))
        log_event(session, "signing.pin.failed", now=now, user=user,
                  detail=f"certificate_id={cert.id} serial={cert.serial} failures={failures}")
        raise WrongPin(left=PIN_MAX_FAILURES - failures) from None
    # The stored columns are what the domain trusts; they must describe this very key.
    if serial_hex(opened.certificate) != cert.serial or not owner_matches(
            certificate_owner(opened.certificate), user.full_name):
        raise CertificateOwnerMismatch(certificate_owner(opened.certificate), user.full_name)
    if cert.pin_failures:
        session.execute(update(SignerCertificate).where(SignerCertificate.id == cert.id)
                        .values(pin_failures=0, pin_locked_until=None))
    return UnlockedKey(certificate=cert, opened=opened)
