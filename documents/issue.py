"""From a registered letter row to a signed PDF, after the signing transaction commits.

`workflow.letter_registration.sign_letter` freezes `final_data` (every value printed on the letter) in
the registration transaction; here we render exactly that, sign it, and store the bytes with
their SHA-256 in a second, short transaction. A failure leaves the letter signed but
unrendered, with `render_error` set, and `issue_pending_letters` retries it. Nothing here
holds the journal counter.

Functions take an `app`-like object only for its `config` and `extensions` mappings; this
package does not import Flask.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from workflow import signing_errors, signing_keys, signing_sessions
from workflow.letter_data import LetterData
from workflow.letter_dispatch import store_pdf
from workflow.letter_registration import final_data_for
from workflow.models import Letter, SignerCertificate, SigningSession, User
from workflow.organisation_profile import required_profile
from workflow.signing_sessions import SessionSealer
from workflow.states import LetterState

from .context import LetterContext, context_from_data
from .demo_pki import CA_CERT_FILE, ensure_ca, issue_demo_pkcs12
from .filenames import letter_pdf as pdf_filename  # noqa: F401 -- its importers
from .pipeline import SignedPdf, render_and_sign
from .render import get_renderer
from .signing import Pkcs12Signer, Signer, SignerError

log = logging.getLogger(__name__)


def draft_context(session: Session, letter: Letter, signatory: User | None = None) -> LetterContext:
    """The context of a draft, for the HTML preview: the same template as the PDF."""
    if letter.final_data:
        return context_from_data(LetterData.from_json(letter.final_data), draft=False)
    if signatory is None:
        from workflow.states import Role

        signatory = session.scalars(
            select(User).where(User.role == Role.SIGNATORY, User.active.is_(True)).order_by(User.id)
        ).first()
    placeholder = signatory or User(full_name="", position="", login="", role="signatory")
    data = final_data_for(letter, required_profile(session), placeholder)
    return context_from_data(data, draft=True)


# ------------------------------------------------------------------ PKI and trust


class NeedsPin(SignerError):
    """No live signing session: only the signatory's PIN can produce this letter's PDF."""

    def __init__(self) -> None:
        super().__init__("Сеанс подписи истёк: чтобы сформировать PDF, подписант вводит "
                         "PIN-код ключа ещё раз (номер и дата письма не меняются)")


def _pki_passphrase(pki_dir: Path) -> str:
    path = pki_dir / "passphrase"
    if not path.exists():
        pki_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def trusted_ca_files(config) -> list[str]:
    """TRUSTED_CA_FILES: PEM paths separated by commas or colons (a list is accepted too)."""
    value = config.get("TRUSTED_CA_FILES") or ""
    if isinstance(value, (list, tuple)):
        return [str(p) for p in value if p]
    return [p.strip() for p in re.split(r"[,:]", value) if p.strip()]


def demo_pki_active(config) -> bool:
    """The demo CA issues and is trusted only while no real PKI is configured: DEMO_PKI
    "auto" (the default) means "as long as TRUSTED_CA_FILES is empty"; "0"/"1" force it."""
    setting = str(config.get("DEMO_PKI", "auto")).strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    return not trusted_ca_files(config)


def ensure_demo_ca(config, organisation: str) -> Path | None:
    """Create the demo CA (if the demo PKI is active); its certificate's path."""
    if not demo_pki_active(config):
        return None
    pki_dir = Path(config["PKI_DIR"])
    ensure_ca(pki_dir, organisation=organisation,
              secret=_pki_passphrase(pki_dir).encode("utf-8"), now=datetime.now(UTC))
    return pki_dir / CA_CERT_FILE


def issue_demo_certificate(config, *, owner_name: str, organisation: str, pin: str,
                           now: datetime | None = None) -> bytes:
    """A signatory's own PKCS#12 from the demo CA, encrypted with `pin`."""
    if not demo_pki_active(config):
        raise SignerError("Демонстрационный удостоверяющий центр отключён: настроена "
                          "инфраструктура ключей (TRUSTED_CA_FILES)")
    pki_dir = Path(config["PKI_DIR"])
    return issue_demo_pkcs12(pki_dir, owner_name=owner_name, organisation=organisation,
                             passphrase=_pki_passphrase(pki_dir), pin=pin, now=now)


def trust_roots(app) -> list:
    """The CAs whose signatures the verification page (and certificate upload) accepts."""
    paths = trusted_ca_files(app.config)
    demo_ca = Path(app.config["PKI_DIR"]) / CA_CERT_FILE
    if demo_pki_active(app.config) and demo_ca.exists():
        paths.append(str(demo_ca))
    from cryptography import x509

    return [x509.load_pem_x509_certificate(Path(p).read_bytes()) for p in paths]


def session_sealer(app) -> SessionSealer:
    sealer = app.extensions.get("signing_session_sealer")
    if sealer is None:
        sealer = SessionSealer(app.config["SIGNING_SESSION_KEY"])
        app.extensions["signing_session_sealer"] = sealer
    return sealer


def session_ttl(app) -> timedelta:
    return timedelta(minutes=float(app.config.get("SIGNING_SESSION_MINUTES") or 60))


def _signer_from_opened(opened) -> Pkcs12Signer:
    data = pkcs12.serialize_key_and_certificates(
        name=None, key=opened.key, cert=opened.certificate, cas=opened.chain or None,
        encryption_algorithm=serialization.NoEncryption())
    return Pkcs12Signer.from_bytes(data, None)


# Signers opened from signing sessions, by the digest of the opened container: a batch's
# letters share one key, and a signer learns its signature size at its first use
# (`Pkcs12Signer`). Bounded: a worker keeps a few keys, not every key it ever opened.
_SIGNER_CACHE_LIMIT = 8
_signers: dict[bytes, Pkcs12Signer] = {}
_signers_lock = threading.Lock()


def _signer_for(container: bytes) -> Pkcs12Signer:
    digest = hashlib.sha256(container).digest()
    with _signers_lock:
        signer = _signers.get(digest)
    if signer is None:
        signer = Pkcs12Signer.from_bytes(container, None)
        with _signers_lock:
            if len(_signers) >= _SIGNER_CACHE_LIMIT:
                _signers.clear()
            _signers[digest] = signer
    return signer


def _open_sealed(sealer: SessionSealer, sealed: bytes | None) -> Signer:
    if sealed is None:
        raise NeedsPin()
    try:
        return _signer_for(sealer.open(sealed))
    except signing_errors.SessionUnavailable as error:
        raise NeedsPin() from error


def _signer_from_session(factory, letter_id: int, sealer: SessionSealer, now: datetime) -> Signer:
    with factory() as session:
        row = signing_sessions.live_session(session, letter_id, now)
        sealed = bytes(row.sealed_key) if row is not None else None
        session.rollback()
    return _open_sealed(sealer, sealed)


# ------------------------------------------------------------------ render and store


def render_letter(factory: sessionmaker[Session], letter_id: int, signer: Signer) -> bool:
    """Render and sign one registered letter; True if this call stored its PDF."""
    with factory() as session:
        letter = session.get(Letter, letter_id)
        if letter is None or letter.state not in (LetterState.SIGNED, LetterState.DISPATCHED):
            return False
        if letter.pdf_sha256 is not None:
            return False
        data, signed_at = LetterData.from_json(letter.final_data), letter.signed_at
        session.rollback()  # release SQLite's write lock while we render
    recorded = data.certificate.serial if data.certificate else None
    if recorded and format(signer.certificate.serial_number, "X") != recorded:
        message = "Письмо зарегистрировано с другим сертификатом подписи; PDF не сформирован"
        _record_failure(factory, letter_id, message)
        raise SignerError(message)
    try:
        signed = render_and_sign(context_from_data(data), signer, signed_at, renderer=get_renderer())
    except (SignerError, OSError, ValueError) as error:
        log.exception("letter %s: rendering or signing failed", letter_id)
        _record_failure(factory, letter_id, str(error))
        raise
    with factory() as session, session.begin():
        # Only the first of two concurrent renders stores its bytes (and re-seals the
        # letter); the signing session goes with it, in the same transaction.
        stored = store_pdf(session, letter_id, signed.pdf, signed.sha256)
        signing_sessions.close_signing_session(session, letter_id)
    return stored


def _record_failure(factory, letter_id: int, message: str) -> None:
    with factory() as session, session.begin():
        session.execute(update(Letter).where(Letter.id == letter_id).values(render_error=message[:2000]))


def _now(app) -> datetime:
    clock = app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def render_and_store(app, letter_id: int) -> bool:
    """Render a just-registered letter through its signing session (no PIN needed)."""
    factory = app.extensions["session_factory"]
    signer = _signer_from_session(factory, letter_id, session_sealer(app), _now(app))
    return render_letter(factory, letter_id, signer)


# ------------------------------------------------------------------ many letters at once


@dataclass
class Outcome:
    """What rendering did for one letter of a chunk: `signed` to store; `error` (retried);
    `needs_pin` (final: no live signing session); none of them: stored already."""

    letter_id: int
    signed: SignedPdf | None = None
    error: str | None = None
    needs_pin: bool = False


def render_many(app, letter_ids: list[int]) -> list[Outcome]:
    """Render and sign a chunk of registered letters with no transaction open: one read for
    the letters and their signing sessions, then CPU work only. Store with `store_rendered`
    (one transaction for the chunk). Same checks as `render_letter`, letter by letter."""
    factory = app.extensions["session_factory"]
    sealer, now = session_sealer(app), _now(app)
    with factory() as session:
        rows = {r.id: r for r in session.execute(
            select(Letter.id, Letter.state, Letter.pdf_sha256, Letter.final_data,
                   Letter.signed_at).where(Letter.id.in_(letter_ids)))}
        sealed = {letter_id: bytes(key) for letter_id, key in session.execute(
            select(SigningSession.letter_id, SigningSession.sealed_key).where(
                SigningSession.letter_id.in_(letter_ids), SigningSession.expires_at > now))}
        session.rollback()
    outcomes = []
    for letter_id in letter_ids:
        outcome = Outcome(letter_id)
        outcomes.append(outcome)
        row = rows.get(letter_id)
        if row is not None and row.pdf_sha256 is not None:
            continue
        try:
            signer = _open_sealed(sealer, sealed.get(letter_id))
        except NeedsPin:
            outcome.needs_pin = True
            continue
        if row is None or row.state not in (LetterState.SIGNED, LetterState.DISPATCHED):
            outcome.error = "PDF не сохранён"
            continue
        data = LetterData.from_json(row.final_data)
        recorded = data.certificate.serial if data.certificate else None
        if recorded and format(signer.certificate.serial_number, "X") != recorded:
            outcome.error = ("Письмо зарегистрировано с другим сертификатом подписи; PDF не "
                             "сформирован")
            continue
        try:
            outcome.signed = render_and_sign(context_from_data(data), signer, row.signed_at,
                                             renderer=get_renderer())
        except Exception as error:  # noqa: BLE001 -- recorded on the letter; retried
            log.exception("letter %s: rendering or signing failed", letter_id)
            outcome.error = str(error) or type(error).__name__
    return outcomes


def store_rendered(session: Session, outcomes: list[Outcome]) -> None:
    """Store the chunk's PDFs (each a compare-and-set, see `store_pdf`), close their signing
    sessions and record the failures, in the caller's transaction."""
    for outcome in outcomes:
        if outcome.signed is not None:
            store_pdf(session, outcome.letter_id, outcome.signed.pdf, outcome.signed.sha256)
            signing_sessions.close_signing_session(session, outcome.letter_id)
        elif outcome.error is not None:
            session.execute(update(Letter).where(Letter.id == outcome.letter_id)
                            .values(render_error=outcome.error[:2000]))


def render_with_pin(app, letter_id: int, user_id: int, pin: str) -> bool:
    """The signing session expired: the signatory who signed opens the same key again with
    the PIN, and the PDF is produced (number and date unchanged). A wrong PIN is counted and
    committed like at signing."""
    factory = app.extensions["session_factory"]
    now = _now(app)
    with factory() as session:
        letter = session.get(Letter, letter_id)
        if letter is None or letter.state not in (LetterState.SIGNED, LetterState.DISPATCHED):
            raise SignerError("PDF формируется только для подписанного письма")
        if letter.signatory_id != user_id:
            raise SignerError("PDF с подписью формирует подписант, подписавший письмо")
        certificate = LetterData.from_json(letter.final_data).certificate
        recorded = certificate.id if certificate else None
        certificate = session.get(SignerCertificate, recorded) if recorded else None
        signer_user = session.get(User, user_id)
        try:
            key = signing_keys.unlock(session, signer_user, pin, now=now, certificate=certificate)
        except signing_errors.WrongPin:
            session.commit()
            raise
        session.commit()
        signer = _signer_from_opened(key.opened)
    return render_letter(factory, letter_id, signer)


def issue_pending_letters(app) -> int:
    """Render every registered letter without a PDF that still has a live signing session,
    and drop expired sessions. Idempotent and safe in several processes at once (the PDF is
    stored by the first). Letters whose session expired wait for the signatory's PIN.
    Returns how many PDFs this call stored."""
    factory = app.extensions["session_factory"]
    now = _now(app)
    with factory() as session, session.begin():
        signing_sessions.purge_expired_sessions(session, now)
    with factory() as session:
        pending = list(session.scalars(
            select(Letter.id).join(SigningSession, SigningSession.letter_id == Letter.id).where(
                Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]),
                Letter.pdf_sha256.is_(None),
                SigningSession.expires_at > now,
            ).order_by(Letter.id)
        ))
        session.rollback()
    sealer = session_sealer(app)
    done = 0
    for letter_id in pending:
        try:
            done += render_letter(factory, letter_id, _signer_from_session(factory, letter_id,
                                                                           sealer, now))
        except (SignerError, OSError, ValueError):
            continue
    return done


def letters_awaiting_pin(app) -> int:
    """Registered letters without a PDF and without a live session: they need a PIN."""
    factory = app.extensions["session_factory"]
    now = _now(app)
    with factory() as session:
        live = select(SigningSession.letter_id).where(SigningSession.expires_at > now)
        count = session.scalar(select(func.count(Letter.id)).where(
            Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]),
            Letter.pdf_sha256.is_(None), Letter.id.not_in(live)))
        session.rollback()
    return count or 0
