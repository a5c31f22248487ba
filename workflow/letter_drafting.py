"""Drafting outgoing letters: decision letters (inside the approve / return transaction),
circulars, reminders; editing and cancelling a draft. A draft is announced to the
signatories; its registration is `letter_registration`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import names, notifications, timefmt
from .access import ensure_active
from .errors import IllegalTransition, InvalidInput, LetterError, PermissionDenied, StaleVersion
from .letter_texts import (
    CIRCULAR_ADDRESSEE,
    addressee_for,
    approval_body,
    campaign_programmes,
    circular_ref,
    circular_request,
    format_date,
    municipality_genitive,
    organisation_in_text,
    return_body,
    salutation_for,
)
from .models import Campaign, Letter, Municipality, Programme, User
from .organisation_profile import required_profile
from .states import LETTER_KIND_LABELS, LetterKind, LetterState, ProgrammeState, Role
from .text import check_text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_BODY = 50_000


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _executor(actor: User) -> tuple[str, str]:
    return actor.full_name, actor.phone


def _new_letter(kind: LetterKind, actor: User, now: datetime, **fields) -> Letter:
    name, phone = _executor(actor)
    return Letter(
        kind=kind, state=LetterState.DRAFT, version=1, drafted_by_id=actor.id,
        executor_name=name, executor_phone=phone, created_at=now, updated_at=now,
        verification_code=new_verification_code(), **fields,
    )


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


def draft_circular(
    session: Session, campaign: Campaign, actor: User, *, now: datetime, heading: str,
    body: str, salutation: str = "Уважаемые коллеги!",
) -> Letter:
    """A circular to every municipality. Its last paragraph is the request with the
    campaign's deadline, from the campaign itself, so that it cannot be left out or mistyped.
    A circular answers nothing: it has no "На № ... от ..." reference."""
    check_drafter(actor)
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
    check_drafter(actor)
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
    ref = circular_ref(campaign)
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


def check_drafter(actor: User) -> None:
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
    check_drafter(actor)
    seen = letter.version if expected_version is None else expected_version
    values = {
        "addressee": _clean(edit.addressee, "Адресат", 1000),
        "heading": _clean(edit.heading, "Заголовок", 500),
        "salutation": _clean(edit.salutation, "Обращение", 200),
        "body": _clean(edit.body, "Текст письма", MAX_BODY),
        "version": seen + 1,
        "updated_at": now,
    }
    cas_letter(session, letter, seen, LetterState.DRAFT, values,
               "Изменять можно только проект письма; подписанное письмо не меняется")
    return letter


def _clean(value: str, what: str, limit: int) -> str:
    value = check_text(value or "", what, what).replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInput(f"Заполните поле «{what}»", field=what)
    if len(value) > limit:
        raise InvalidInput(f"Поле «{what}» длиннее {limit} символов", field=what)
    return value


def cas_letter(session, letter, seen_version, from_state, values, illegal_message) -> None:
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


def cancel_letter(session: Session, letter: Letter, actor: User, *, now: datetime) -> Letter:
    check_drafter(actor)
    cas_letter(session, letter, letter.version, LetterState.DRAFT,
               {"state": LetterState.CANCELLED, "version": letter.version + 1, "updated_at": now},
               "Аннулировать можно только проект письма")
    return letter
