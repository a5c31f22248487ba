"""Outgoing letters: drafting, editing, registration at signing, dispatch, cancellation.

Signing registers the letter: in one transaction it takes the next number from the
journal counter, fixes the date and freezes `final_data`, the exact values the PDF is
rendered from. Rendering and the cryptographic signature happen after commit
(`documents.issue`), so the counter is never held while a PDF renders.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit, second_factor
from .errors import IllegalTransition, InvalidInput, LetterError, PermissionDenied, StaleVersion
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
from .states import LetterKind, LetterState, ProgrammeState, RemarkState, RemarkVisibility, Role

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_BODY = 50_000


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def get_profile(session: Session) -> OrganisationProfile:
    profile = session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))
    if profile is None:
        raise LetterError("Не заполнен профиль организации (реквизиты бланка)")
    return profile


def format_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def addressee_for(municipality: Municipality) -> str:
    lines = [municipality.authority_name or "Руководителю муниципального органа управления образованием"]
    if municipality.head_name:
        lines.append(municipality.head_name)
    return "\n".join(lines)


def salutation_for(municipality: Municipality | None) -> str:
    """"Уважаемая Ирина Петровна!" from the head's name; Russian patronymics tell the gender."""
    if municipality and municipality.head_name:
        parts = municipality.head_name.replace(".", " ").split()
        if len(parts) >= 3:
            name, patronymic = parts[1], parts[2]
            word = "Уважаемая" if patronymic.endswith(("вна", "чна", "кызы")) else "Уважаемый"
            return f"{word} {name} {patronymic}!"
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


def _programme_phrase(programme: Programme) -> str:
    return f"муниципальную программу «{programme.title}» на {programme.period_from}–{programme.period_to} годы"


def _reply_phrase(programme: Programme) -> str:
    if programme.outgoing_number and programme.outgoing_date:
        return f", направленную письмом от {format_date(programme.outgoing_date)} № {programme.outgoing_number},"
    return ""


def _circular_ref(campaign: Campaign) -> str:
    if campaign.circular_number and campaign.circular_date:
        return f"письмом министерства от {format_date(campaign.circular_date)} № {campaign.circular_number}"
    return "министерством"


def approval_body(programme: Programme) -> list[str]:
    campaign = programme.campaign
    return [
        f"Министерство образования Приморского края рассмотрело {_programme_phrase(programme)}"
        f"{_reply_phrase(programme)} и сообщает о её согласовании.",
        f"Программа соответствует всем требованиям, установленным {_circular_ref(campaign)}.",
        "Просим обеспечить реализацию программы и размещение её на официальном сайте "
        "органа управления образованием.",
    ]


def return_body(session: Session, programme: Programme, reason: str) -> list[str]:
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
    paragraphs = [
        f"Министерство образования Приморского края рассмотрело {_programme_phrase(programme)}"
        f"{_reply_phrase(programme)} и возвращает её на доработку.",
        f"Основание возврата: {reason.rstrip('.')}.",
        "Замечания по требованиям, установленным " + _circular_ref(programme.campaign) + ":",
    ]
    current = None
    for remark in remarks:
        if remark.requirement_id != current:
            current = remark.requirement_id
            req = requirements[current]
            paragraphs.append(f"По требованию № {req.position} ({_shorten(req.text)}):")
        paragraphs.append(f"– {remark.body}")
    paragraphs.append(
        "Просим устранить замечания, ответить на каждое из них в системе согласования "
        "и направить программу повторно."
    )
    return paragraphs


def _shorten(text: str, limit: int = 90) -> str:
    text = text.strip().rstrip(";.")
    if len(text) <= limit:
        return f"«{text}»"
    return "«" + text[:limit].rsplit(" ", 1)[0] + "…»"


def draft_decision_letter(
    session: Session, programme: Programme, actor: User, *, now: datetime, reason: str = ""
) -> Letter:
    """Called by the engine inside the approve / return transaction."""
    municipality = programme.municipality
    if programme.state == ProgrammeState.APPROVED:
        kind, heading = LetterKind.APPROVAL, "О согласовании муниципальной программы"
        body = approval_body(programme)
    elif programme.state == ProgrammeState.RETURNED:
        kind, heading = LetterKind.RETURN, "О возврате муниципальной программы на доработку"
        body = return_body(session, programme, reason)
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
    return letter


CIRCULAR_ADDRESSEE = "Руководителям муниципальных\nорганов управления\nобразования"


def draft_circular(
    session: Session, campaign: Campaign, actor: User, *, now: datetime, heading: str,
    body: str, salutation: str = "Уважаемые коллеги!",
) -> Letter:
    _check_drafter(actor)
    letter = _new_letter(
        LetterKind.CIRCULAR, actor, now, campaign_id=campaign.id, municipality_id=None,
        addressee=CIRCULAR_ADDRESSEE, heading=heading, salutation=salutation, body=body,
    )
    session.add(letter)
    session.flush()
    return letter


def draft_reminders(session: Session, campaign: Campaign, actor: User, *, now: datetime) -> list[Letter]:
    """One reminder per municipality with nothing submitted for the campaign yet."""
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
    municipalities = session.scalars(
        select(Municipality).where(Municipality.active.is_(True)).order_by(Municipality.name)
    )
    for municipality in municipalities:
        if municipality.id in submitted or municipality.id in already:
            continue
        body = [
            f"Напоминаем, что {_circular_ref(campaign)} установлен срок направления муниципальных "
            f"программ «{campaign.title}» — до {format_date(campaign.deadline)}.",
            f"По состоянию на {format_date(now.date())} программа {municipality.name} "
            "в министерство не поступила.",
            "Просим направить программу в системе согласования в кратчайший срок.",
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
    return letters


def _check_drafter(actor: User) -> None:
    if not actor.active or actor.role not in (Role.REVIEWER, Role.SIGNATORY, Role.ADMIN):
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
    value = (value or "").replace("\r\n", "\n").strip()
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


def final_data_for(letter: Letter, profile: OrganisationProfile, signatory: User) -> dict:
    return {
        "organisation": {
            "name": profile.name,
            "letterhead_lines": profile.letterhead.splitlines(),
            "address": profile.address,
            "phone": profile.phone,
            "email": profile.email,
            "emblem_svg": profile.emblem_svg,
        },
        "date": letter.registered_on.isoformat() if letter.registered_on else None,
        "number": letter.number,
        "reply_to_number": letter.reply_to_number,
        "reply_to_date": letter.reply_to_date.isoformat() if letter.reply_to_date else None,
        "addressee_lines": letter.addressee.splitlines(),
        "heading": letter.heading,
        "salutation": letter.salutation,
        "body_paragraphs": [p.strip() for p in letter.body.split("\n\n") if p.strip()],
        "signatory_position_lines": (signatory.position or "").splitlines(),
        "signatory_name": signatory.short_name(),
        "executor_name": letter.executor_name,
        "executor_phone": letter.executor_phone,
        "verification_url": f"{profile.public_base_url.rstrip('/')}/verify/{letter.verification_code}",
        "verification_code": letter.verification_code,
        "title": f"{letter.heading}",
        "author": profile.name,
    }


def sign_letter(
    session: Session, letter: Letter, actor: User, *, now: datetime,
    expected_version: int | None = None, legacy_number: int | None = None,
    legacy_date: date | None = None,
) -> Letter:
    """Register and sign: number, date and final data, atomically with the state change.

    `legacy_number`/`legacy_date` enter a letter signed before the system existed (the
    demo journal starts from the real circular № 23/6666); later numbers continue from it.
    """
    if not actor.active or actor.role != Role.SIGNATORY:
        raise PermissionDenied("Подписать письмо может только подписант")
    second_factor.ensure_may_act(session, actor)  # no signature before the second factor
    seen = letter.version if expected_version is None else expected_version
    session.refresh(letter, with_for_update={"of": Letter})
    if letter.version != seen:
        raise StaleVersion()
    if letter.state != LetterState.DRAFT:
        raise IllegalTransition("Письмо уже подписано или аннулировано")
    profile = get_profile(session)
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
    letter.final_data = json.dumps(final_data_for(letter, profile, actor), ensure_ascii=False)
    letter.prev_hash = previous.hash if previous and previous.hash else audit.GENESIS
    letter.hash = audit.chain_hash(letter.prev_hash, audit.letter_fields(letter))
    session.flush()
    return letter


def dispatch_letter(session: Session, letter: Letter, actor: User, *, now: datetime) -> Letter:
    if actor.role not in (Role.SIGNATORY, Role.ADMIN, Role.REVIEWER):
        raise PermissionDenied("Отметить отправку может сотрудник министерства")
    if letter.pdf_sha256 is None:
        raise IllegalTransition("Письмо ещё не сформировано в PDF; повторите формирование")
    _cas_letter(session, letter, letter.version, LetterState.SIGNED,
                {"state": LetterState.DISPATCHED, "dispatched_at": now, "version": letter.version + 1},
                "Отправить можно только подписанное письмо")
    return letter


def cancel_letter(session: Session, letter: Letter, actor: User, *, now: datetime) -> Letter:
    _check_drafter(actor)
    _cas_letter(session, letter, letter.version, LetterState.DRAFT,
                {"state": LetterState.CANCELLED, "version": letter.version + 1, "updated_at": now},
                "Аннулировать можно только проект письма")
    return letter


def visible_letters_filter(actor: User):
    """A municipality sees signed letters addressed to it and circulars; the ministry sees all."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return (Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED])) & (
            (Letter.municipality_id == actor.municipality_id) | (Letter.municipality_id.is_(None))
        )
    return True
