"""The words of outgoing letters: addressees, salutations, the bodies of decision letters
and circulars, built from the organisation profile and the municipality reference data,
never from names in code (municipality names in the case the sentence needs)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import names, timefmt
from .models import Campaign, Municipality, OrganisationProfile, Programme, Remark, Requirement
from .states import RemarkState, RemarkVisibility


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


def circular_ref(campaign: Campaign) -> str | None:
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
    ref = circular_ref(campaign)
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
    ref = circular_ref(programme.campaign)
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


CIRCULAR_ADDRESSEE = "Руководителям муниципальных\nорганов управления\nобразования"


def circular_request(campaign: Campaign, profile: OrganisationProfile) -> str:
    """The circular's actual request: what to send, where, and by when (the campaign's)."""
    return (
        f"Просим в срок до {format_date(campaign.deadline)} направить в "
        f"{organisation_in_text(profile)} {campaign_programmes(campaign)}, разработанные "
        "(скорректированные) с учётом указанных требований, через систему согласования "
        f"муниципальных программ ({profile.public_base_url.rstrip('/')})."
    )
