"""From a registered letter row to a signed PDF, after the signing transaction commits.

`workflow.letters.sign_letter` freezes `final_data` (every value printed on the letter) in
the registration transaction; here we render exactly that, sign it, and store the bytes with
their SHA-256 in a second, short transaction. A failure leaves the letter signed but
unrendered, with `render_error` set, and `issue_pending_letters` retries it. Nothing here
holds the journal counter.

Functions take an `app`-like object only for its `config` and `extensions` mappings; this
package does not import Flask.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from workflow.letters import final_data_for, get_profile, store_pdf
from workflow.models import Letter, User
from workflow.states import LetterState

from .context import LetterContext, Organisation
from .demo_pki import CA_CERT_FILE, ensure_demo_pki
from .pipeline import render_and_sign
from .render import get_renderer
from .signing import Pkcs12Signer, Signer, SignerError

log = logging.getLogger(__name__)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def context_from_data(data: dict, *, draft: bool = False) -> LetterContext:
    org = data["organisation"]
    return LetterContext(
        organisation=Organisation(
            name=org["name"], address=org["address"], phone=org["phone"], email=org["email"],
            emblem_svg=org.get("emblem_svg"), letterhead_lines=tuple(org.get("letterhead_lines") or ()),
        ),
        date=_date(data.get("date")),
        number=data.get("number"),
        reply_to_number=data.get("reply_to_number"),
        reply_to_date=_date(data.get("reply_to_date")),
        addressee_lines=tuple(data["addressee_lines"]),
        heading=data["heading"],
        salutation=data["salutation"],
        body_paragraphs=tuple(data["body_paragraphs"]),
        signatory_position_lines=tuple(data["signatory_position_lines"]),
        signatory_name=data["signatory_name"],
        executor_name=data["executor_name"],
        executor_phone=data["executor_phone"],
        verification_url=data.get("verification_url"),
        verification_code=data.get("verification_code"),
        title=data["title"],
        author=data["author"],
        draft=draft,
    )


def draft_context(session: Session, letter: Letter, signatory: User | None = None) -> LetterContext:
    """The context of a draft, for the HTML preview: the same template as the PDF."""
    if letter.final_data:
        return context_from_data(json.loads(letter.final_data), draft=False)
    if signatory is None:
        from workflow.states import Role

        signatory = session.scalars(
            select(User).where(User.role == Role.SIGNATORY, User.active.is_(True)).order_by(User.id)
        ).first()
    placeholder = signatory or User(full_name="", position="", login="", role="signatory")
    data = final_data_for(letter, get_profile(session), placeholder)
    return context_from_data(data, draft=True)


# ------------------------------------------------------------------ signer and trust


def _pki_passphrase(pki_dir: Path) -> str:
    path = pki_dir / "passphrase"
    if not path.exists():
        pki_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_demo_signer(config, owner_name: str, organisation: str) -> None:
    """Create the demo CA and signatory certificate unless a real one is configured."""
    if config.get("SIGNER_P12"):
        return
    pki_dir = Path(config["PKI_DIR"])
    ensure_demo_pki(pki_dir, owner_name=owner_name, organisation=organisation,
                    passphrase=_pki_passphrase(pki_dir))


def get_signer(app) -> Signer:
    """One signer per process: loading a PKCS#12 costs more than signing with it."""
    signer = app.extensions.get("letter_signer")
    if signer is None:
        config = app.config
        if config.get("SIGNER_P12"):
            signer = Pkcs12Signer(config["SIGNER_P12"], config.get("SIGNER_P12_PASSWORD"))
        else:
            pki_dir = Path(config["PKI_DIR"])
            signer = Pkcs12Signer(pki_dir / "signatory.p12", _pki_passphrase(pki_dir))
        app.extensions["letter_signer"] = signer
    return signer


def trust_roots(app) -> list:
    """The CAs whose signatures the verification page accepts."""
    paths = [p for p in (app.config.get("TRUSTED_CA_FILES") or "").split(":") if p]
    demo_ca = Path(app.config["PKI_DIR"]) / CA_CERT_FILE
    if demo_ca.exists():
        paths.append(str(demo_ca))
    from cryptography import x509

    return [x509.load_pem_x509_certificate(Path(p).read_bytes()) for p in paths]


# ------------------------------------------------------------------ render and store


def render_letter(factory: sessionmaker[Session], letter_id: int, signer: Signer) -> bool:
    """Render and sign one registered letter; True if this call stored its PDF."""
    with factory() as session:
        letter = session.get(Letter, letter_id)
        if letter is None or letter.state not in (LetterState.SIGNED, LetterState.DISPATCHED):
            return False
        if letter.pdf_sha256 is not None:
            return False
        data, signed_at = json.loads(letter.final_data), letter.signed_at
        session.rollback()  # release SQLite's write lock while we render
    try:
        signed = render_and_sign(context_from_data(data), signer, signed_at, renderer=get_renderer())
    except (SignerError, OSError, ValueError) as error:
        log.exception("letter %s: rendering or signing failed", letter_id)
        _record_failure(factory, letter_id, str(error))
        raise
    with factory() as session, session.begin():
        # Only the first of two concurrent renders stores its bytes.
        stored = store_pdf(session, letter_id, signed.pdf, signed.sha256)
    return stored


def _record_failure(factory, letter_id: int, message: str) -> None:
    with factory() as session, session.begin():
        session.execute(update(Letter).where(Letter.id == letter_id).values(render_error=message[:2000]))


def render_and_store(app, letter_id: int) -> bool:
    return render_letter(app.extensions["session_factory"], letter_id, get_signer(app))


def issue_pending_letters(app) -> int:
    """Render every registered letter that has no PDF yet. Returns how many were stored."""
    factory = app.extensions["session_factory"]
    with factory() as session:
        signatory = session.scalars(select(User).where(User.role == "signatory").order_by(User.id)).first()
        profile = get_profile(session)
        pending = list(session.scalars(
            select(Letter.id).where(
                Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]),
                Letter.pdf_sha256.is_(None),
            ).order_by(Letter.id)
        ))
        owner, organisation = (signatory.full_name if signatory else "Подписант"), profile.name
    ensure_demo_signer(app.config, owner, organisation)
    signer = get_signer(app)
    done = 0
    for letter_id in pending:
        try:
            done += render_letter(factory, letter_id, signer)
        except (SignerError, OSError, ValueError):
            continue
    return done


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
