"""Outgoing letters: drafting, editing, registration at signing, dispatch, cancellation.

Signing registers the letter: in one transaction it takes the next number from the
journal counter, fixes the date and freezes `final_data`, the exact values the PDF is
rendered from. Rendering and the cryptographic signature happen after commit
(`documents.issue`), so the counter is never held while a PDF renders.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import (
    acting,
    audit,
    campaigns,
    names,
    notifications,
    second_factor,
    signing_keys,
    substitution,
    timefmt,
)
from .access import ensure_active
from .errors import IllegalTransition, InvalidInput, LetterError, PermissionDenied, StaleVersion
from .letter_data import ActingFor, LetterData, OrganisationData
from .models import (
    Campaign,
    Letter,
    Municipality,
    OrganisationProfile,
    Programme,
    RegistrationCounter,
    Remark,
    Requirement,
    User,
)
from .organisation_profile import required_profile
from .states import (
    DECISION_LETTER_KINDS,
    LETTER_KIND_LABELS,
    LetterKind,
    LetterState,
    ProgrammeState,
    RemarkState,
    RemarkVisibility,
    Role,
)
from .text import check_text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_BODY = 50_000


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def format_date(value: date | None) -> str:
    return timefmt.ddmmyyyy(value)


# ------------------------------------------------------------------ words of the letters
#
# Texts are built from the organisation profile and the municipality reference data, never
# from names in code; municipality names come in the case the sentence needs (stored forms).

# The return letter is bounded whatever the reviewers wrote (150 remarks of 5,000 characters
# made a 750k-character letter and a 10 s render under the renderer's lock): each remark is
# quoted up to REMARK_TEXT_LIMIT characters, the first REMARKS_IN_FULL are listed, and the
# letter points to the full list in the system for the rest.
REMARK_TEXT_LIMIT = 600
REMARKS_IN_FULL = 20
# Requirements are quoted whole (every real one is shorter); a longer one is cut at the end of
# a phrase, never inside one.
REQUIREMENT_TEXT_LIMIT = 400

_PROGRAMME_NOUN = re.compile(r"^(?:муниципальная\s+)?программа(?:\s+|$)", re.IGNORECASE)
_PROGRAMMES_NOUN = re.compile(r"^(?:муниципальные\s+)?программы(?:\s+|$)", re.IGNORECASE)


def cut_at_word(text: str, limit: int) -> str:
    """`text` if it fits, else its longest start of whole words within `limit`, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    head = head.rsplit(" ", 1)[0] if " " in head[: limit] else text[:limit]
    return head.rstrip(" ,;:–—-") + "…"


def cut_at_phrase(text: str, limit: int) -> str:
    """Like :func:`cut_at_word`, but ending where a phrase ends (",", ";", ":") when one does
    in the last two thirds of the limit."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    stop = max(head.rfind(mark) for mark in (",", ";", ":", ")"))
    if stop >= limit // 3:
        return head[: stop + (1 if head[stop] == ")" else 0)].rstrip(" ,;:") + "…"
    return cut_at_word(text, limit)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def organisation_in_text(profile: OrganisationProfile) -> str:
    """The organisation's name inside a sentence, as the reference letter writes it
    ("министерство образования Приморского края обращает ...")."""
    return _lower_first(profile.name.strip())


def municipality_genitive(municipality: Municipality) -> str:
    """"Хасанского муниципального округа"; without the stored form, a phrase that needs no
    declension: "муниципального образования «Хасанский муниципальный округ»"."""
    return municipality.name_genitive.strip() or f"муниципального образования «{municipality.name}»"


def addressee_for(municipality: Municipality) -> str:
    """ГОСТ Р 7.0.97: a letter to an official gives the position (which contains the
    authority's name) and the initials with the surname in the dative: "Начальнику управления
    образования администрации Хасанского муниципального округа" / "Е.А. Васильевой"; a letter to
    the authority itself gives its name in the nominative."""
    m = municipality
    position = m.head_position_dative.strip()
    if position and m.head_surname.strip():
        return "\n".join([
            position,
            names.dative_initials_surname(m.head_surname.strip(), m.head_first_name.strip(),
                                          m.head_patronymic.strip()),
        ])
    if position:
        return position
    if m.authority_name.strip():
        return m.authority_name.strip()
    return ("Руководителю муниципального органа, осуществляющего управление в сфере "
            f"образования, {municipality_genitive(m)}")


def salutation_for(municipality: Municipality | None) -> str:
    """"Уважаемая Елена Александровна!" from the head's name; the patronymic tells the gender."""
    if municipality is not None:
        found = names.salutation(municipality.head_first_name.strip(),
                                 municipality.head_patronymic.strip(),
                                 municipality.head_surname.strip())
        if found:
            return found
    return "Уважаемые коллеги!"


def _executor(actor: User) -> tuple[str, str]:
    return actor.full_name, actor.phone


def _new_letter(kind: LetterKind, actor: User, now: datetime, **fields) -> Letter:
    name, phone = _executor(actor)
    return Letter(
        kind=kind, state=LetterState.DRAFT, version=1, drafted_by_id=actor.id,
        executor_name=name, executor_phone=phone, created_at=now, updated_at=now,
        verification_code=new_verification_code(), **fields,
    )


def programme_phrase(programme: Programme) -> str:
    """The programme in the nominative: "муниципальная программа профориентационной работы
    в Хасанском муниципальном округе на 2022–2025 годы". A title that itself begins with
    "Программа" is not quoted after "муниципальная программа" (no "программа «Программа …»")."""
    title = " ".join(programme.title.split())
    match = _PROGRAMME_NOUN.match(title)
    if match:
        rest = title[match.end():]
        phrase = "муниципальная программа" + (f" {rest}" if rest else "")
    else:
        phrase = f"муниципальная программа «{title}»"
    if str(programme.period_from) not in title:
        phrase += f" на {programme.period_from}–{programme.period_to} годы"
    return phrase


def _reply_phrase(programme: Programme) -> str:
    if programme.outgoing_number and programme.outgoing_date:
        return f", направленная письмом от {format_date(programme.outgoing_date)} № {programme.outgoing_number},"
    return ""


def _circular_ref(campaign: Campaign) -> str | None:
    if campaign.circular_number and campaign.circular_date:
        return f"письмом от {format_date(campaign.circular_date)} № {campaign.circular_number}"
    return None


def campaign_programmes(campaign: Campaign) -> str:
    """The programmes a campaign asks for, in the accusative plural ("муниципальные программы
    профориентационной работы"), or the campaign's title in quotes after them."""
    title = " ".join(campaign.title.split())
    match = _PROGRAMMES_NOUN.match(title)
    if match:
        rest = title[match.end():]
        return "муниципальные программы" + (f" {rest}" if rest else "")
    return f"муниципальные программы «{title}»"


def _requirements_ref(campaign: Campaign) -> str:
    ref = _circular_ref(campaign)
    return f"требованиям, установленным {ref}" if ref else "установленным требованиям"


def approval_body(programme: Programme, profile: OrganisationProfile) -> list[str]:
    return [
        f"{profile.name.strip()} сообщает, что {programme_phrase(programme)}"
        f"{_reply_phrase(programme)} рассмотрена и согласована.",
        f"Программа соответствует всем {_requirements_ref(programme.campaign)}.",
        "Просим обеспечить реализацию программы и размещение её на официальном сайте "
        "органа управления образованием.",
    ]


def programme_url(programme: Programme, profile: OrganisationProfile) -> str:
    return f"{profile.public_base_url.rstrip('/')}/programmes/{programme.id}"


def return_body(
    session: Session, programme: Programme, reason: str, profile: OrganisationProfile
) -> list[str]:
    remarks = session.scalars(
        select(Remark).where(
            Remark.programme_id == programme.id,
            Remark.visibility == RemarkVisibility.EXTERNAL,
            Remark.state == RemarkState.OPEN,
        ).order_by(Remark.requirement_id, Remark.id)
    ).all()
    requirements = {
        r.id: r for r in session.scalars(
            select(Requirement).where(Requirement.campaign_id == programme.campaign_id)
        )
    }
    ref = _circular_ref(programme.campaign)
    paragraphs = [
        f"{profile.name.strip()} сообщает, что {programme_phrase(programme)}"
        f"{_reply_phrase(programme)} рассмотрена и возвращается на доработку.",
        f"Основание возврата: {cut_at_word(reason, REMARK_TEXT_LIMIT).rstrip('.')}.",
        (f"Замечания по требованиям, установленным {ref}:" if ref
         else "Замечания по установленным требованиям:"),
    ]
    current = None
    for remark in remarks[:REMARKS_IN_FULL]:
        if remark.requirement_id != current:
            current = remark.requirement_id
            req = requirements[current]
            quoted = cut_at_phrase(req.text.strip().rstrip(";."), REQUIREMENT_TEXT_LIMIT)
            paragraphs.append(f"По требованию № {req.position} («{quoted}»):")
        paragraphs.append(f"– {cut_at_word(remark.body, REMARK_TEXT_LIMIT)}")
    rest = len(remarks) - REMARKS_IN_FULL
    if rest > 0:
        word = names.plural_ru(rest, "замечание", "замечания", "замечаний")
        paragraphs.append(
            f"И ещё {rest} {word} — полный перечень в системе согласования: "
            f"{programme_url(programme, profile)}"
        )
    paragraphs.append(
        "Просим устранить замечания, ответить на каждое из них в системе согласования "
        "и направить программу повторно."
    )
    return paragraphs


def draft_decision_letter(
    session: Session, programme: Programme, actor: User, *, now: datetime, reason: str = "",
    kind: LetterKind | None = None,
) -> Letter:
    """Called by the engine inside the approve / return transaction (the proposal: the
    programme is then `decision_pending`, so the kind is given)."""
    municipality = programme.municipality
    profile = required_profile(session)
    if kind is None:
        kind = {ProgrammeState.APPROVED: LetterKind.APPROVAL,
                ProgrammeState.RETURNED: LetterKind.RETURN}.get(programme.state)
    if kind == LetterKind.APPROVAL:
        heading = "О согласовании муниципальной программы"
        body = approval_body(programme, profile)
    elif kind == LetterKind.RETURN:
        kind, heading = LetterKind.RETURN, "О возврате муниципальной программы на доработку"
        body = return_body(session, programme, reason, profile)
    else:
        raise LetterError(f"Письмо по решению не предусмотрено для состояния {programme.state}")
    letter = _new_letter(
        kind, actor, now,
        programme_id=programme.id, campaign_id=programme.campaign_id,
        municipality_id=programme.municipality_id,
        addressee=addressee_for(municipality), heading=heading,
        salutation=salutation_for(municipality), body="\n\n".join(body),
        reply_to_number=programme.outgoing_number, reply_to_date=programme.outgoing_date,
    )
    session.add(letter)
    session.flush()
    announce_drafts(session, [letter], now=now)
    return letter


def announce_drafts(session: Session, drafted: list[Letter], *, now: datetime) -> None:
    """Tell the signatories that letters await their signature: one notification per
    drafting, never one per letter, and mailed only in their batch digest."""
    if not drafted:
        return
    count = len(drafted)
    if count == 1:
        letter = drafted[0]
        label = LETTER_KIND_LABELS.get(LetterKind(letter.kind), letter.kind)
        text = f"Проект письма «{letter.heading}» ({label.lower()}) ожидает подписи."
        link = f"/letters/{letter.id}"
    else:
        word = names.plural_ru(count, "проект письма", "проекта писем", "проектов писем")
        text = f"{count} {word} ({drafted[0].heading}) ожидают подписи."
        link = "/letters/?state=draft"
    notifications.notify(session, notifications.active_with_role(session, Role.SIGNATORY),
                         kind="letters.awaiting_signature", text=text, now=now, link=link)


CIRCULAR_ADDRESSEE = "Руководителям муниципальных\nорганов управления\nобразования"


def circular_request(campaign: Campaign, profile: OrganisationProfile) -> str:
    """The circular's actual request: what to send, where, and by when (the campaign's)."""
    return (
        f"Просим в срок до {format_date(campaign.deadline)} направить в "
        f"{organisation_in_text(profile)} {campaign_programmes(campaign)}, разработанные "
        "(скорректированные) с учётом указанных требований, через систему согласования "
        f"муниципальных программ ({profile.public_base_url.rstrip('/')})."
    )


def draft_circular(
    session: Session, campaign: Campaign, actor: User, *, now: datetime, heading: str,
    body: str, salutation: str = "Уважаемые коллеги!",
) -> Letter:
    """A circular to every municipality. Its last paragraph is the request with the
    campaign's deadline, from the campaign itself, so that it cannot be left out or mistyped.
    A circular answers nothing: it has no "На № ... от ..." reference."""
    _check_drafter(actor)
    heading = _clean(heading, "Заголовок", 500)
    salutation = _clean(salutation, "Обращение", 200)
    body = _clean(body, "Текст письма", MAX_BODY)
    profile = required_profile(session)
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    paragraphs.append(circular_request(campaign, profile))
    letter = _new_letter(
        LetterKind.CIRCULAR, actor, now, campaign_id=campaign.id, municipality_id=None,
        addressee=CIRCULAR_ADDRESSEE, heading=heading, salutation=salutation,
        body="\n\n".join(paragraphs),
    )
    session.add(letter)
    session.flush()
    announce_drafts(session, [letter], now=now)
    return letter


def draft_reminders(session: Session, campaign: Campaign, actor: User, *, now: datetime,
                    only: set[int] | None = None) -> list[Letter]:
    """One reminder per municipality with nothing submitted for the campaign yet (of the
    municipalities `only`, when given: the daily deadline job's choice)."""
    _check_drafter(actor)
    submitted = set(
        session.scalars(
            select(Programme.municipality_id).where(
                Programme.campaign_id == campaign.id,
                Programme.state.notin_([ProgrammeState.DRAFT, ProgrammeState.WITHDRAWN]),
            )
        )
    )
    already = set(
        session.scalars(
            select(Letter.municipality_id).where(
                Letter.campaign_id == campaign.id, Letter.kind == LetterKind.REMINDER,
                Letter.state == LetterState.DRAFT,
            )
        )
    )
    letters = []
    profile = required_profile(session)
    ref = _circular_ref(campaign)
    municipalities = session.scalars(
        select(Municipality).where(Municipality.active.is_(True)).order_by(Municipality.name)
    )
    for municipality in municipalities:
        if municipality.id in submitted or municipality.id in already:
            continue
        if only is not None and municipality.id not in only:
            continue
        programmes = campaign_programmes(campaign).replace(
            "муниципальные программы", "муниципальных программ", 1)
        body = [
            f"Напоминаем, что {ref + ' ' if ref else ''}установлен срок направления "
            f"{programmes} — до {format_date(campaign.deadline)}.",
            # "По состоянию на" the organisation's date, not the UTC one.
            f"По состоянию на {timefmt.ddmmyyyy(now, profile.timezone)} программа "
            f"{municipality_genitive(municipality)} в {organisation_in_text(profile)} "
            "не поступила.",
            "Просим направить программу через систему согласования в кратчайший срок.",
        ]
        letter = _new_letter(
            LetterKind.REMINDER, actor, now, campaign_id=campaign.id,
            municipality_id=municipality.id, addressee=addressee_for(municipality),
            heading="О сроке направления муниципальной программы",
            salutation=salutation_for(municipality), body="\n\n".join(body),
        )
        session.add(letter)
        letters.append(letter)
    session.flush()
    announce_drafts(session, letters, now=now)
    return letters


def _check_drafter(actor: User) -> None:
    ensure_active(actor)
    if actor.role not in (Role.REVIEWER, Role.SIGNATORY, Role.ADMIN):
        raise PermissionDenied("Проекты писем готовят сотрудники министерства")


@dataclass
class LetterEdit:
    addressee: str
    heading: str
    salutation: str
    body: str


def edit_letter(
    session: Session, letter: Letter, actor: User, edit: LetterEdit, *, now: datetime,
    expected_version: int | None = None,
) -> Letter:
    _check_drafter(actor)
    seen = letter.version if expected_version is None else expected_version
    values = {
        "addressee": _clean(edit.addressee, "Адресат", 1000),
        "heading": _clean(edit.heading, "Заголовок", 500),
        "salutation": _clean(edit.salutation, "Обращение", 200),
        "body": _clean(edit.body, "Текст письма", MAX_BODY),
        "version": seen + 1,
        "updated_at": now,
    }
    _cas_letter(session, letter, seen, LetterState.DRAFT, values,
                "Изменять можно только проект письма; подписанное письмо не меняется")
    return letter


def _clean(value: str, what: str, limit: int) -> str:
    value = check_text(value or "", what, what).replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInput(f"Заполните поле «{what}»", field=what)
    if len(value) > limit:
        raise InvalidInput(f"Поле «{what}» длиннее {limit} символов", field=what)
    return value


def _cas_letter(session, letter, seen_version, from_state, values, illegal_message) -> None:
    session.refresh(letter, with_for_update={"of": Letter})
    if letter.version != seen_version:
        raise StaleVersion()
    if letter.state != from_state:
        raise IllegalTransition(illegal_message)
    result = session.execute(
        update(Letter)
        .where(Letter.id == letter.id, Letter.version == seen_version, Letter.state == from_state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion()
    for key, value in values.items():
        set_committed_value(letter, key, value)


def _next_number(session: Session, index: str, year: int) -> int:
    """Gapless: the counter row is bumped inside the signing transaction and locked by it."""
    stmt = (
        update(RegistrationCounter)
        .where(RegistrationCounter.journal_index == index, RegistrationCounter.year == year)
        .values(last=RegistrationCounter.last + 1)
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
    sealer: signing_keys.SessionSealer | None,
    session_ttl: timedelta = signing_keys.DEFAULT_SESSION_TTL,
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
    `key`: the actor's key already opened with `pin` in this transaction (bulk signing opens
    it once for the whole batch, `workflow.bulk_signing`).
    """
    if acting_for is not None:
        _check_acting(session, actor, acting_for, now)
    elif not actor.active or actor.role != Role.SIGNATORY:
        raise PermissionDenied("Подписать письмо может только подписант")
    second_factor.ensure_may_act(session, actor)  # no signature before the second factor
    seen = letter.version if expected_version is None else expected_version
    session.refresh(letter, with_for_update={"of": Letter})
    if letter.version != seen:
        raise StaleVersion()
    if letter.state == LetterState.CANCELLED and letter.kind in DECISION_LETTER_KINDS:
        raise IllegalTransition(
            "Проект письма аннулирован: решение по программе заменено более новым или не "
            "согласовано по маршруту, и подписать этот проект нельзя")
    if letter.state != LetterState.DRAFT:
        raise IllegalTransition("Письмо уже подписано или аннулировано")
    if key is None or key.certificate.user_id != actor.id:
        key = signing_keys.unlock(session, actor, pin, now=now, acting=acting_for is not None)
    # A decision letter applies its decision now, or refuses to be signed (superseded, not
    # at its route's signing stage, the actor not its signatory): same transaction.
    from .route_engine import on_letter_signing

    on_letter_signing(session, letter, actor, now=now)
    profile = required_profile(session)
    registered_on = legacy_date or now.astimezone(ZoneInfo(profile.timezone)).date()
    year = registered_on.year if profile.numbering == "yearly" else 0
    index = profile.journal_index
    if legacy_number is not None:
        seq = legacy_number
        session.execute(
            update(RegistrationCounter)
            .where(RegistrationCounter.journal_index == index, RegistrationCounter.year == year)
            .values(last=seq)
        )
        if not session.scalar(select(RegistrationCounter.id).where(
                RegistrationCounter.journal_index == index, RegistrationCounter.year == year)):
            session.add(RegistrationCounter(journal_index=index, year=year, last=seq))
    else:
        seq = _next_number(session, index, year)
    previous = session.scalar(
        select(Letter).where(
            Letter.journal_index == index, Letter.journal_year == year, Letter.seq == seq - 1
        )
    )
    letter.journal_index = index
    letter.journal_year = year
    letter.seq = seq
    letter.number = f"{index}/{seq}"
    letter.registered_on = registered_on
    letter.signatory_id = actor.id
    letter.signed_at = now.replace(microsecond=0)
    letter.state = LetterState.SIGNED
    letter.version = seen + 1
    letter.updated_at = now
    data = replace(final_data_for(letter, profile, actor, acting_for=acting_for),
                   certificate=key.summary())
    letter.final_data = data.to_json()
    letter.prev_hash = previous.hash if previous and previous.hash else audit.GENESIS
    audit.seal_letter(session, letter)
    session.flush()
    campaigns.on_circular_signed(session, letter, now=now)
    if sealer is not None:
        signing_keys.open_signing_session(session, letter, key, sealer=sealer, now=now,
                                          ttl=session_ttl)
        session.flush()
    _announce_signed(session, letter, now=now)
    return letter


def _announce_signed(session: Session, letter: Letter, *, now: datetime) -> None:
    """The municipality's editors learn of a signed decision letter; their mail carries its
    PDF once the PDF exists (the mail job waits for it)."""
    if letter.kind not in (LetterKind.RETURN, LetterKind.APPROVAL) or letter.municipality_id is None:
        return
    text = (f"Министерство подписало письмо от {format_date(letter.registered_on)} "
            f"№ {letter.number} «{letter.heading}».")
    notifications.notify(session, notifications.editors_of(session, letter.municipality_id),
                         kind="letter.signed", text=text, now=now, link=f"/letters/{letter.id}",
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


def dispatch_letter(session: Session, letter: Letter, actor: User, *, now: datetime) -> Letter:
    ensure_active(actor)
    if actor.role not in (Role.SIGNATORY, Role.ADMIN, Role.REVIEWER):
        raise PermissionDenied("Отметить отправку может сотрудник министерства")
    if letter.pdf_sha256 is None:
        raise IllegalTransition("Письмо ещё не сформировано в PDF; повторите формирование")
    values = {"state": LetterState.DISPATCHED, "dispatched_at": now, "version": letter.version + 1}
    # A legitimate change after registration: re-sealed under the audit key (audit.py).
    _cas_letter(session, letter, letter.version, LetterState.SIGNED,
                audit.reseal_values(session, letter, values),
                "Отправить можно только подписанное письмо")
    return letter


def cancel_letter(session: Session, letter: Letter, actor: User, *, now: datetime) -> Letter:
    _check_drafter(actor)
    _cas_letter(session, letter, letter.version, LetterState.DRAFT,
                {"state": LetterState.CANCELLED, "version": letter.version + 1, "updated_at": now},
                "Аннулировать можно только проект письма")
    return letter


def store_pdf(session: Session, letter_id: int, pdf: bytes, sha256: str) -> bool:
    """Store a registered letter's rendered PDF, unless another render stored one first;
    re-seals the letter (its `pdf_sha256` is under the audit seal). True if stored."""
    letter = session.get(Letter, letter_id, with_for_update={"of": Letter},
                         populate_existing=True)
    if letter is None or letter.pdf_sha256 is not None or letter.hash is None:
        return False
    values = audit.reseal_values(session, letter,
                                 {"pdf": pdf, "pdf_sha256": sha256, "render_error": None})
    stored = session.execute(
        update(Letter).where(Letter.id == letter_id, Letter.pdf_sha256.is_(None))
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    return stored == 1


def visible_letters_filter(actor: User):
    """A municipality sees signed letters addressed to it and circulars; the ministry sees all."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return (Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED])) & (
            (Letter.municipality_id == actor.municipality_id) | (Letter.municipality_id.is_(None))
        )
    return True
