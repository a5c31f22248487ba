"""The circular letter that announces a campaign: its heading and paragraphs from the
campaign's conditions, and the draft prepared for signature (signing it opens the campaign,
see `lifecycle.on_circular_signed`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import IllegalTransition, InvalidInput
from ..models import Campaign, CampaignParticipant, Letter, OrganisationProfile, User
from ..organisation_profile import required_profile
from ..states import LetterKind, LetterState
from .rules import check_manager, local_today, lock_in


def _genitive_programmes(campaign: Campaign) -> str:
    from ..letter_texts import campaign_programmes

    return campaign_programmes(campaign).replace("муниципальные программы",
                                                 "муниципальных программ", 1)


def circular_heading(campaign: Campaign) -> str:
    return f"О представлении {_genitive_programmes(campaign)}"[:500]


def circular_body(campaign: Campaign, profile: OrganisationProfile) -> list[str]:
    """The circular's paragraphs before the request (which `letter_drafting.draft_circular` appends
    with the deadline): the basis, the call, the requirements as a dash list."""
    paragraphs = []
    if campaign.legal_basis.strip():
        paragraphs.append(f"Основание: {campaign.legal_basis.strip().rstrip('.')}.")
    paragraphs.append(
        f"{profile.name.strip()} проводит приём {_genitive_programmes(campaign)} и обращает "
        "ваше внимание на требования к ним:")
    texts = [r.text.strip().rstrip(".;") for r in sorted(campaign.requirements,
                                                          key=lambda r: r.position)]
    last = len(texts) - 1
    paragraphs.extend(f"- {t[:1].lower()}{t[1:]}{'.' if i == last else ';'}"
                      for i, t in enumerate(texts))
    if campaign.max_programmes and campaign.max_programmes > 1:
        paragraphs.append(f"Муниципалитет может представить до {campaign.max_programmes} "
                          "программ с различными наименованиями.")
    return paragraphs


def draft_circular_of(session: Session, campaign: Campaign) -> Letter | None:
    return session.scalar(select(Letter).where(
        Letter.campaign_id == campaign.id, Letter.kind == LetterKind.CIRCULAR,
        Letter.state == LetterState.DRAFT).order_by(Letter.id.desc()).limit(1))


def prepare_circular(session: Session, campaign: Campaign, actor: User, *,
                     now: datetime) -> Letter:
    """«Подготовить циркулярное письмо»: the draft circular from the campaign. Signing it
    opens the campaign (`on_circular_signed`)."""
    from .. import letter_drafting

    check_manager(actor)
    lock_in(session, campaign, "prepare_circular")
    existing = draft_circular_of(session, campaign)
    if existing is not None:
        raise IllegalTransition("Проект циркулярного письма по этой кампании уже подготовлен: "
                                "измените его или аннулируйте, чтобы подготовить новый")
    if not campaign.requirements:
        raise InvalidInput("Добавьте хотя бы одно требование: без требований письмо не "
                           "подготовить", field="requirements")
    if not session.scalar(select(func.count(CampaignParticipant.id))
                          .where(CampaignParticipant.campaign_id == campaign.id)):
        raise InvalidInput("Выберите муниципалитеты-участники", field="municipalities")
    if campaign.deadline < local_today(session, now):
        raise InvalidInput("Срок представления программ уже прошёл: измените срок",
                           field="deadline")
    profile = required_profile(session)
    return letter_drafting.draft_circular(
        session, campaign, actor, now=now, heading=circular_heading(campaign),
        body="\n\n".join(circular_body(campaign, profile)),
    )
