"""A draft campaign's requirements: added, edited, moved and deleted one at a time, kept
numbered 1..n without gaps."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..errors import InvalidInput, NotFound
from ..models import Campaign, Requirement, User
from .rules import check_manager, clean_text, lock_in

MAX_REQUIREMENTS = 50
MAX_REQUIREMENT = 5000


def requirement_texts(texts: list[str]) -> list[str]:
    cleaned = [clean_text(t, "Требование", MAX_REQUIREMENT, "requirements")
               for t in texts if t and t.strip()]
    if len(cleaned) > MAX_REQUIREMENTS:
        raise InvalidInput(f"Не больше {MAX_REQUIREMENTS} требований", field="requirements")
    return cleaned


def _requirement(campaign: Campaign, requirement_id: int) -> Requirement:
    found = next((r for r in campaign.requirements if r.id == requirement_id), None)
    if found is None:
        raise NotFound("Требование не найдено в этой кампании")
    return found


def add_requirement(session: Session, campaign: Campaign, actor: User, text: str) -> Requirement:
    check_manager(actor)
    lock_in(session, campaign, "edit_requirements")
    text = clean_text(text, "Требование", MAX_REQUIREMENT, "text", required=True)
    if len(campaign.requirements) >= MAX_REQUIREMENTS:
        raise InvalidInput(f"Не больше {MAX_REQUIREMENTS} требований", field="text")
    position = max((r.position for r in campaign.requirements), default=0) + 1
    requirement = Requirement(campaign_id=campaign.id, position=position, text=text)
    session.add(requirement)
    session.flush()
    session.refresh(campaign, attribute_names=["requirements"])
    return requirement


def edit_requirement(session: Session, campaign: Campaign, actor: User, requirement_id: int,
                     text: str) -> Requirement:
    check_manager(actor)
    lock_in(session, campaign, "edit_requirements")
    requirement = _requirement(campaign, requirement_id)
    requirement.text = clean_text(text, "Требование", MAX_REQUIREMENT, "text", required=True)
    session.flush()
    return requirement


def move_requirement(session: Session, campaign: Campaign, actor: User, requirement_id: int,
                     step: int) -> Requirement:
    """Swap with the neighbour above (step -1) or below (+1); at an end, nothing moves."""
    check_manager(actor)
    if step not in (-1, 1):
        raise InvalidInput("Требование перемещается на одну позицию вверх или вниз", field="step")
    lock_in(session, campaign, "edit_requirements")
    ordered = sorted(campaign.requirements, key=lambda r: r.position)
    requirement = _requirement(campaign, requirement_id)
    index = ordered.index(requirement)
    other_index = index + step
    if not 0 <= other_index < len(ordered):
        return requirement
    other = ordered[other_index]
    mine, theirs = requirement.position, other.position
    # (campaign, position) is unique: park one row out of the way while they swap.
    requirement.position = 0
    session.flush()
    other.position = mine
    session.flush()
    requirement.position = theirs
    session.flush()
    session.refresh(campaign, attribute_names=["requirements"])
    return requirement


def delete_requirement(session: Session, campaign: Campaign, actor: User,
                       requirement_id: int) -> None:
    check_manager(actor)
    lock_in(session, campaign, "edit_requirements")
    requirement = _requirement(campaign, requirement_id)
    gone = requirement.position
    campaign.requirements.remove(requirement)
    session.flush()
    for later in sorted((r for r in campaign.requirements if r.position > gone),
                        key=lambda r: r.position):
        later.position -= 1
        session.flush()
    session.refresh(campaign, attribute_names=["requirements"])
