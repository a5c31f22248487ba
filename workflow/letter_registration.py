"""Registration of outgoing letters at signing: in one transaction the journal counter gives
the numbers, the date is fixed and `final_data` frozen, the exact values the PDF is rendered
from. Rendering and the cryptographic signature happen after commit (`documents.issue`), so
the counter is never held while a PDF renders.

`register_letters` registers a whole selection with set-based statements (bulk signing,
`bulk_signing.sign_batch`); `sign_letter` is the one-letter use case and calls it with one
letter, so both paths freeze the same values.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import (
    acting,
    audit,
    audit_sealing,
    campaigns,
    notifications,
    second_factor,
    signing_keys,
    signing_sessions,
    substitution,
)
from .access import ensure_active
from .errors import IllegalTransition, PermissionDenied, StaleVersion
from .letter_data import ActingFor, LetterData, OrganisationData
from .letter_texts import format_date
from .models import Letter, OrganisationProfile, RegistrationCounter, User
from .organisation_profile import required_profile
from .states import DECISION_LETTER_KINDS, LetterKind, LetterState, Role


def take_numbers(session: Session, index: str, year: int, count: int = 1) -> int:
    """Gapless: the counter row is bumped by `count` inside the signing transaction and locked
    by it; returns the last number of the block (the block is `last - count + 1 .. last`)."""
    stmt = (
        update(RegistrationCounter)
        .where(RegistrationCounter.journal_index == index, RegistrationCounter.year == year)
        .values(last=RegistrationCounter.last + count)
        .returning(RegistrationCounter.last)
    )
    value = session.execute(stmt).scalar()
    if value is None:
        try:
            with session.begin_nested():
                session.add(RegistrationCounter(journal_index=index, year=year, last=0))
        except IntegrityError:
            pass  # another signer created it first; its row lock orders us after it
        value = session.execute(stmt).scalar()
    return value


def _set_counter(session: Session, index: str, year: int, seq: int) -> None:
    """A legacy letter's number becomes the counter's last: later numbers continue from it."""
    session.execute(
        update(RegistrationCounter)
        .where(RegistrationCounter.journal_index == index, RegistrationCounter.year == year)
        .values(last=seq)
    )
    if not session.scalar(select(RegistrationCounter.id).where(
            RegistrationCounter.journal_index == index, RegistrationCounter.year == year)):
        session.add(RegistrationCounter(journal_index=index, year=year, last=seq))


def final_data_for(letter: Letter, profile: OrganisationProfile, signatory: User, *,
                   acting_for: User | None = None) -> LetterData:
    """The frozen values of a registered letter. With `acting_for`, `signatory` signs for that
    absent official: the block reads "И.о. <their position in the genitive>" with the
    signatory's own name (ГОСТ Р 7.0.97-2025), and `acting_for` records whom they replaced."""
    if acting_for is not None:
        position_lines = acting.acting_position_lines(acting_for)
    else:
        position_lines = (signatory.position or "").splitlines()
    return LetterData(
        organisation=OrganisationData(
            name=profile.name,
            letterhead_lines=tuple(profile.letterhead.splitlines()),
            address=profile.address,
            phone=profile.phone,
            email=profile.email,
            emblem_svg=profile.emblem_svg,
        ),
        date=letter.registered_on,
        number=letter.number,
        reply_to_number=letter.reply_to_number,
        reply_to_date=letter.reply_to_date,
        addressee_lines=tuple(letter.addressee.splitlines()),
        heading=letter.heading,
        salutation=letter.salutation,
        body_paragraphs=tuple(p.strip() for p in letter.body.split("\n\n") if p.strip()),
        signatory_position_lines=tuple(position_lines),
        signatory_name=signatory.short_name(),
        executor_name=letter.executor_name,
        executor_phone=letter.executor_phone,
        verification_url=f"{profile.public_base_url.rstrip('/')}/verify/{letter.verification_code}",
        verification_code=letter.verification_code,
        title=f"{letter.heading}",
        author=profile.name,
        timezone=profile.timezone,
        acting_for=ActingFor(id=acting_for.id, name=acting_for.full_name,
                             position=acting_for.position) if acting_for is not None else None,
    )


def sign_letter(
    session: Session, letter: Letter, actor: User, *, now: datetime, pin: str,
    sealer: signing_sessions.SessionSealer | None,
    session_ttl: timedelta = signing_sessions.DEFAULT_SESSION_TTL,
    expected_version: int | None = None, legacy_number: int | None = None,
    legacy_date: date | None = None, acting_for: User | None = None,
    key: signing_keys.UnlockedKey | None = None,
) -> Letter:
    """Register and sign: number, date and final data, atomically with the state change.

    The signatory signs with their own key, opened by `pin`: without a valid certificate of
    their own, with a certificate naming someone else, or with a wrong PIN nothing is
    registered (a wrong PIN is counted in the session; the caller commits just that). The
    certificate is recorded in `final_data`. With a `sealer`, the opened key is kept in a
    signing session (see `signing_keys`) so the PDF can be produced after the commit, even
    by a sweep after a crash; without one, only the signatory's PIN can produce it later.

    `legacy_number`/`legacy_date` enter a letter signed before the system existed (the
    demo journal starts from the real circular № 23/6666); later numbers continue from it.
    `key`: the actor's key already opened with `pin` in this transaction.
    """
    check_signer(session, actor, now=now, acting_for=acting_for)
    seen = letter.version if expected_version is None else expected_version
    _lock_drafts(session, [letter], {letter.id: seen})
    if key is None or key.certificate.user_id != actor.id:
        key = signing_keys.unlock(session, actor, pin, now=now, acting=acting_for is not None)
    register_letters(session, [letter], actor, now=now, key=key, sealer=sealer,
                     session_ttl=session_ttl, acting_for=acting_for, locked=True,
                     legacy_number=legacy_number, legacy_date=legacy_date)
    return letter


def check_signer(session: Session, actor: User, *, now: datetime,
                 acting_for: User | None = None) -> None:
    """`actor` may sign (as "И.о." of `acting_for` when given) and has passed the second
    factor: before any letter is locked or registered."""
    if acting_for is not None:
        _check_acting(session, actor, acting_for, now)
    elif not actor.active or actor.role != Role.SIGNATORY:
        raise PermissionDenied("Подписать письмо может только подписант")
    second_factor.ensure_may_act(session, actor)  # no signature before the second factor


# Rows locked per statement: far below every driver's limit of bound parameters.
LOCK_CHUNK = 1000


def _lock_drafts(session: Session, chosen: list[Letter], seen: dict[int, int]) -> None:
    """Lock the letters' rows (in id order, as every signer does: no deadlock between two
    batches), reload them and check each is still the draft at the version it was read at."""
    ids = sorted(row.id for row in chosen)
    for start in range(0, len(ids), LOCK_CHUNK):
        session.scalars(select(Letter).where(Letter.id.in_(ids[start:start + LOCK_CHUNK]))
                        .order_by(Letter.id).with_for_update(of=Letter)
                        .execution_options(populate_existing=True)).all()
    for letter in chosen:
        if letter.version != seen[letter.id]:
            raise StaleVersion()
        if letter.state == LetterState.CANCELLED and letter.kind in DECISION_LETTER_KINDS:
            raise IllegalTransition(
                "Проект письма аннулирован: решение по программе заменено более новым или не "
                "согласовано по маршруту, и подписать этот проект нельзя")
        if letter.state != LetterState.DRAFT:
            raise IllegalTransition("Письмо уже подписано или аннулировано")


def register_letters(
    session: Session, chosen: list[Letter], actor: User, *, now: datetime,
    key: signing_keys.UnlockedKey, sealer: signing_sessions.SessionSealer | None,
    session_ttl: timedelta = signing_sessions.DEFAULT_SESSION_TTL,
    acting_for: User | None = None, locked: bool = False,
    legacy_number: int | None = None, legacy_date: date | None = None,
) -> list[Letter]:
    """Register `chosen`, in that order, with gapless consecutive numbers: one transaction,
    set-based (the rows locked and loaded in a few statements, the block of numbers taken at
    once, the letters updated and the signing sessions inserted in one flush each).

    The caller has checked the signer (`check_signer`) and opened `key` with their PIN;
    `locked`: the rows are locked and checked already (`sign_letter`), else they are locked
    here and each must still be a draft at the version it was loaded at. Every value frozen
    is the same as registering the letters one after another: `final_data`, the journal's
    hash chain (computed in order here), the signing sessions, the notifications."""
    if not chosen:
        return []
    if legacy_number is not None and len(chosen) != 1:
        raise ValueError("a legacy number registers one letter")
    if not locked:
        _lock_drafts(session, chosen, {row.id: row.version for row in chosen})
    # A decision letter applies its decision now, or refuses to be signed (superseded, not
    # at its route's signing stage, the actor not its signatory): same transaction. Any
    # other letter returns at once, without a statement.
    from .route_engine import on_letter_signing

    for letter in chosen:
        on_letter_signing(session, letter, actor, now=now)
    profile = required_profile(session)
    registered_on = legacy_date or now.astimezone(ZoneInfo(profile.timezone)).date()
    year = registered_on.year if profile.numbering == "yearly" else 0
    index = profile.journal_index
    if legacy_number is not None:
        first = legacy_number
        _set_counter(session, index, year, first)
    else:
        first = take_numbers(session, index, year, len(chosen)) - len(chosen) + 1
    previous = session.scalar(select(Letter.hash).where(
        Letter.journal_index == index, Letter.journal_year == year, Letter.seq == first - 1))
    prev_hash = previous or audit.GENESIS
    certificate = key.summary()
    signed_at = now.replace(microsecond=0)
    for seq, letter in enumerate(chosen, start=first):
        letter.journal_index = index
        letter.journal_year = year
        letter.seq = seq
        letter.number = f"{index}/{seq}"
        letter.registered_on = registered_on
        letter.signatory_id = actor.id
        letter.signed_at = signed_at
        letter.state = LetterState.SIGNED
        letter.version = letter.version + 1
        letter.updated_at = now
        data = replace(final_data_for(letter, profile, actor, acting_for=acting_for),
                       certificate=certificate)
        letter.final_data = data.to_json()
        # The journal's chain, in the order of the numbers (HMAC under the audit key).
        letter.prev_hash = prev_hash
        audit_sealing.seal_letter(session, letter)
        prev_hash = letter.hash
    session.flush()  # one executemany UPDATE of the letters
    for letter in chosen:
        campaigns.on_circular_signed(session, letter, now=now)  # circulars only
    if sealer is not None:
        for letter in chosen:
            signing_sessions.open_signing_session(session, letter, key, sealer=sealer, now=now,
                                                  ttl=session_ttl)
        session.flush()  # one INSERT of the signing sessions
    _announce_signed(session, chosen, now=now)
    return chosen


def _announce_signed(session: Session, signed: list[Letter], *, now: datetime) -> None:
    """The municipality's editors learn of each signed decision letter; their mail carries
    its PDF once the PDF exists (the mail job waits for it)."""
    editors: dict[int, list[User]] = {}
    for letter in signed:
        if (letter.kind not in (LetterKind.RETURN, LetterKind.APPROVAL)
                or letter.municipality_id is None):
            continue
        if letter.municipality_id not in editors:
            editors[letter.municipality_id] = notifications.editors_of(
                session, letter.municipality_id)
        text = (f"Министерство подписало письмо от {format_date(letter.registered_on)} "
                f"№ {letter.number} «{letter.heading}».")
        notifications.notify(session, editors[letter.municipality_id], kind="letter.signed",
                             text=text, now=now, link=f"/letters/{letter.id}",
                             letter_id=letter.id)


def _check_acting(session: Session, actor: User, absent: User, now: datetime) -> None:
    """`actor` may sign as "И.о." of `absent` only while substituting them: `absent` is a
    signatory, away today, and named `actor` as substitute."""
    ensure_active(actor)
    if absent.id == actor.id:
        raise PermissionDenied("Подписант не может исполнять обязанности самого себя")
    if absent.role != Role.SIGNATORY:
        raise PermissionDenied(f"«{absent.full_name}» не подписант: подписать за него нельзя")
    if absent.id not in substitution.principals(session, actor, now):
        raise PermissionDenied(
            f"Вы не замещаете {absent.full_name} сегодня: подписать письмо как исполняющий "
            "обязанности нельзя")


def acting_signatories(session: Session, actor: User, now: datetime) -> list[User]:
    """The absent signatories `actor` substitutes now (for the signatory screen)."""
    ids = [i for i in substitution.principals(session, actor, now) if i != actor.id]
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids),
                                                   User.role == Role.SIGNATORY)
                                .order_by(User.full_name)))
