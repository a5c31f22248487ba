"""Campaign use cases: set-up while a draft, the circular, opening, closing, and the rules a
municipality's programmes obey inside a campaign. Flask-free; each function runs in the
caller's transaction and raises a typed `WorkflowError` (Russian message) having written
nothing the caller will commit.

The lifecycle itself is the table in `campaign_machine.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from . import timefmt
from .access import ensure_active
from .campaign_machine import (
    CAMPAIGN_STATE_LABELS,
    CAMPAIGN_TRANSITIONS_BY_TRIGGER,
    CampaignState,
    TaskState,
    next_campaign_state,
    refusal,
)
from .errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from .models import (
    Campaign,
    CampaignParticipant,
    Letter,
    Municipality,
    OrganisationProfile,
    Programme,
    Requirement,
    User,
)
from .notifications import notify
from .states import LetterKind, LetterState, ProgrammeState, Role
from .text import check_text

MAX_REQUIREMENTS = 50
MAX_REQUIREMENT = 5000
MAX_TITLE = 300
MAX_LEGAL_BASIS = 5000
MAX_REASON = 2000
MAX_PROGRAMMES_LIMIT = 20
DEFAULT_REMINDER_DAYS = "7,1"
_REMINDER_RE = re.compile(r"^\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*$")

# A programme the municipality still counts against its allowance (withdrawn ones do not).
_COUNTED = Programme.state != ProgrammeState.WITHDRAWN
_DECIDED = (ProgrammeState.APPROVED, ProgrammeState.WITHDRAWN)


# ---------------------------------------------------------------- who

def may_manage(actor: User) -> bool:
    """An administrator, or a head of department (the flag comes with the routes work)."""
    return actor.active and (actor.role == Role.ADMIN or bool(getattr(actor, "heads_department",
                                                                       False)))


def _check_manager(actor: User) -> None:
    ensure_active(actor)
    if not may_manage(actor):
        raise PermissionDenied("Кампании ведут администратор и начальники отделов министерства")


def _local_today(session: Session, now: datetime) -> date:
    tz = session.scalar(select(OrganisationProfile.timezone).order_by(OrganisationProfile.id)
                        .limit(1))
    return timefmt.local_date(now, tz or "Asia/Vladivostok")


# ---------------------------------------------------------------- set-up

@dataclass
class CampaignSetup:
    """What the set-up form gives. `municipality_ids` None means every active municipality."""

    title: str
    deadline: date | None
    legal_basis: str = ""
    max_programmes: int | None = 1
    reminder_days: str = DEFAULT_REMINDER_DAYS
    municipality_ids: list[int] | None = None


def _clean(value: str | None, what: str, limit: int, field: str, *, required: bool = False) -> str:
    value = check_text(value or "", what, field).replace("\r\n", "\n").strip()
    if required and not value:
        raise InvalidInput(f"Заполните поле «{what}»", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Поле «{what}» длиннее {limit} символов", field=field)
    return value


def parse_reminder_days(text: str | None) -> str:
    """"7, 1" -> "7,1": distinct whole days before the deadline, largest first; "" for none."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _REMINDER_RE.match(text):
        raise InvalidInput("Напоминания: укажите дни до срока числами через запятую, "
                           "например «7,1»", field="reminder_days")
    days = sorted({int(d) for d in text.split(",")}, reverse=True)
    if any(d < 1 or d > 365 for d in days):
        raise InvalidInput("Напоминания: дни до срока — от 1 до 365", field="reminder_days")
    return ",".join(str(d) for d in days)


def reminder_days(campaign: Campaign) -> list[int]:
    """The days before the deadline on which reminders go out, largest first."""
    return [int(d) for d in (campaign.reminder_days or "").split(",") if d.strip()]


def _check_setup(session: Session, setup: CampaignSetup, now: datetime) -> dict:
    values = {
        "title": _clean(setup.title, "Название кампании", MAX_TITLE, "title", required=True),
        "legal_basis": _clean(setup.legal_basis, "Правовое основание", MAX_LEGAL_BASIS,
                              "legal_basis"),
        "reminder_days": parse_reminder_days(setup.reminder_days),
    }
    if setup.deadline is None:
        raise InvalidInput("Укажите срок представления программ", field="deadline")
    if setup.deadline < _local_today(session, now):
        raise InvalidInput("Срок представления программ уже прошёл: укажите дату не раньше "
                           "сегодняшней", field="deadline")
    values["deadline"] = setup.deadline
    limit = setup.max_programmes
    if limit is not None and not (1 <= limit <= MAX_PROGRAMMES_LIMIT):
        raise InvalidInput(f"Число программ от муниципалитета — от 1 до {MAX_PROGRAMMES_LIMIT} "
                           "(или без ограничения)", field="max_programmes")
    values["max_programmes"] = limit
    return values


def _chosen_municipalities(session: Session, ids: list[int] | None) -> list[int]:
    active = select(Municipality.id).where(Municipality.active.is_(True))
    if ids is None:
        chosen = list(session.scalars(active.order_by(Municipality.id)))
    else:
        wanted = {int(i) for i in ids}
        chosen = list(session.scalars(active.where(Municipality.id.in_(wanted))
                                      .order_by(Municipality.id)))
        if len(chosen) != len(wanted):
            raise InvalidInput("Среди участников есть неизвестный или отключённый муниципалитет",
                               field="municipalities")
    if not chosen:
        raise InvalidInput("Выберите хотя бы один муниципалитет-участник", field="municipalities")
    return chosen


def _requirement_texts(texts: list[str]) -> list[str]:
    cleaned = [_clean(t, "Требование", MAX_REQUIREMENT, "requirements")
               for t in texts if t and t.strip()]
    if len(cleaned) > MAX_REQUIREMENTS:
        raise InvalidInput(f"Не больше {MAX_REQUIREMENTS} требований", field="requirements")
    return cleaned


def create_campaign(
    session: Session, actor: User, setup: CampaignSetup, *, now: datetime,
    requirements: list[str] = (),
) -> Campaign:
    """A new campaign, as a draft, with its participants (tasks pending until it opens)."""
    _check_manager(actor)
    values = _check_setup(session, setup, now)
    texts = _requirement_texts(list(requirements))
    chosen = _chosen_municipalities(session, setup.municipality_ids)
    campaign = Campaign(
        **values, state=CampaignState.DRAFT, created_at=now, created_by_id=actor.id,
        requirements=[Requirement(position=i, text=t) for i, t in enumerate(texts, start=1)],
    )
    session.add(campaign)
    session.flush()
    session.add_all([CampaignParticipant(campaign_id=campaign.id, municipality_id=m,
                                         task_state=TaskState.PENDING) for m in chosen])
    session.flush()
    return campaign


def _lock_in(session: Session, campaign: Campaign, action: str) -> Campaign:
    """Lock the campaign's row and check that `action` is allowed in its current state."""
    session.refresh(campaign, with_for_update={"of": Campaign})
    reason = refusal(action, campaign.state)
    if reason:
        raise IllegalTransition(reason)
    return campaign


def edit_campaign(session: Session, campaign: Campaign, actor: User, setup: CampaignSetup, *,
                  now: datetime) -> Campaign:
    """Change a draft's conditions and participants (the requirements have their own calls)."""
    _check_manager(actor)
    _lock_in(session, campaign, "edit")
    values = _check_setup(session, setup, now)
    chosen = set(_chosen_municipalities(session, setup.municipality_ids))
    for key, value in values.items():
        setattr(campaign, key, value)
    current = {p.municipality_id: p for p in participants(session, campaign)}
    for municipality_id, row in current.items():
        if municipality_id not in chosen:
            session.delete(row)
    session.add_all([CampaignParticipant(campaign_id=campaign.id, municipality_id=m,
                                         task_state=TaskState.PENDING)
                     for m in sorted(chosen - set(current))])
    session.flush()
    return campaign


# ---------------------------------------------------------------- requirements (draft only)

def _requirement(campaign: Campaign, requirement_id: int) -> Requirement:
    found = next((r for r in campaign.requirements if r.id == requirement_id), None)
    if found is None:
        raise NotFound("Требование не найдено в этой кампании")
    return found


def add_requirement(session: Session, campaign: Campaign, actor: User, text: str) -> Requirement:
    _check_manager(actor)
    _lock_in(session, campaign, "edit_requirements")
    text = _clean(text, "Требование", MAX_REQUIREMENT, "text", required=True)
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
    _check_manager(actor)
    _lock_in(session, campaign, "edit_requirements")
    requirement = _requirement(campaign, requirement_id)
    requirement.text = _clean(text, "Требование", MAX_REQUIREMENT, "text", required=True)
    session.flush()
    return requirement


def move_requirement(session: Session, campaign: Campaign, actor: User, requirement_id: int,
                     step: int) -> Requirement:
    """Swap with the neighbour above (step -1) or below (+1); at an end, nothing moves."""
    _check_manager(actor)
    if step not in (-1, 1):
        raise InvalidInput("Требование перемещается на одну позицию вверх или вниз", field="step")
    _lock_in(session, campaign, "edit_requirements")
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
    _check_manager(actor)
    _lock_in(session, campaign, "edit_requirements")
    requirement = _requirement(campaign, requirement_id)
    gone = requirement.position
    campaign.requirements.remove(requirement)
    session.flush()
    for later in sorted((r for r in campaign.requirements if r.position > gone),
                        key=lambda r: r.position):
        later.position -= 1
        session.flush()
    session.refresh(campaign, attribute_names=["requirements"])


# ---------------------------------------------------------------- the circular

def _genitive_programmes(campaign: Campaign) -> str:
    from .letter_texts import campaign_programmes

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
    from . import letter_drafting, letter_texts

    _check_manager(actor)
    _lock_in(session, campaign, "prepare_circular")
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
    if campaign.deadline < _local_today(session, now):
        raise InvalidInput("Срок представления программ уже прошёл: измените срок",
                           field="deadline")
    profile = letter_texts.get_profile(session)
    return letter_drafting.draft_circular(
        session, campaign, actor, now=now, heading=circular_heading(campaign),
        body="\n\n".join(circular_body(campaign, profile)),
    )


# ---------------------------------------------------------------- lifecycle

def on_circular_signed(session: Session, letter: Letter, *, now: datetime) -> Campaign | None:
    """The hook `letter_registration.sign_letter` calls: a signed circular of a draft campaign opens it,
    in the signing transaction. Any other letter, or a campaign already open, is left alone."""
    if letter.kind != LetterKind.CIRCULAR or letter.campaign_id is None:
        return None
    campaign = session.get(Campaign, letter.campaign_id, with_for_update={"of": Campaign},
                           populate_existing=True)
    if campaign is None or campaign.state != CampaignState.DRAFT:
        return None
    return open_campaign(session, campaign, letter, now=now)


def open_campaign(session: Session, campaign: Campaign, letter: Letter, *,
                  now: datetime) -> Campaign:
    """draft -> open: the circular's registration becomes the campaign's, every participant
    gets its task («не начата») and its editors a notification."""
    dest = next_campaign_state(campaign.state, "open")
    if dest is None:
        raise IllegalTransition("Кампанию можно объявить только из подготовки")
    if campaign.deadline < _local_today(session, now):
        raise IllegalTransition("Срок представления программ уже прошёл: измените срок "
                                "кампании и подготовьте новое письмо")
    campaign.state = dest
    campaign.opened_at = now
    campaign.circular_number = letter.number
    campaign.circular_date = letter.registered_on
    session.execute(
        update(CampaignParticipant)
        .where(CampaignParticipant.campaign_id == campaign.id)
        .values(task_state=TaskState.NOT_STARTED, opened_at=now)
        .execution_options(synchronize_session=False)
    )
    editors = session.scalars(
        select(User).join(CampaignParticipant,
                          CampaignParticipant.municipality_id == User.municipality_id)
        .where(CampaignParticipant.campaign_id == campaign.id,
               User.role == Role.MUNICIPAL_EDITOR, User.active.is_(True))
        .order_by(User.id)
    ).all()
    notify(session, editors, kind="campaign_opened", now=now, link="/",
           text=(f"Объявлен приём программ: «{campaign.title}» (письмо № {letter.number}). "
                 f"Срок представления — до {timefmt.ddmmyyyy(campaign.deadline)}."))
    session.flush()
    return campaign


def all_decided(session: Session, campaign: Campaign) -> bool:
    """Every participant has an approved programme and nothing is still in work."""
    rows = participants(session, campaign)
    if not rows:
        return False
    in_work = session.scalar(select(func.count(Programme.id)).where(
        Programme.campaign_id == campaign.id, Programme.state.notin_(_DECIDED)))
    if in_work:
        return False
    approved = set(session.scalars(select(Programme.municipality_id).where(
        Programme.campaign_id == campaign.id, Programme.state == ProgrammeState.APPROVED)))
    return all(p.municipality_id in approved for p in rows)


def close_campaign(session: Session, campaign: Campaign, actor: User, *, now: datetime,
                   reason: str = "") -> Campaign:
    """open -> closed: without a reason only when every participant's programme is decided;
    the administrator closes earlier giving the reason. Afterwards the campaign is read-only."""
    _check_manager(actor)
    reason = _clean(reason, "Причина завершения", MAX_REASON, "reason")
    session.refresh(campaign, with_for_update={"of": Campaign})
    dest = next_campaign_state(campaign.state, "close")
    if dest is None:
        raise IllegalTransition(f"Завершить можно только кампанию, по которой идёт приём "
                                f"программ; сейчас: «{CAMPAIGN_STATE_LABELS[campaign.state]}»")
    if not reason and not all_decided(session, campaign):
        raise InvalidInput("Не все программы рассмотрены: укажите причину досрочного "
                           "завершения", field="reason")
    campaign.state = dest
    campaign.closed_at = now
    campaign.closed_by_id = actor.id
    campaign.closed_reason = reason or "Все программы рассмотрены"
    session.flush()
    return campaign


def cancel_campaign(session: Session, campaign: Campaign, actor: User, *, now: datetime,
                    reason: str) -> Campaign:
    """draft -> cancelled; its draft circular, if any, is cancelled with it."""
    _check_manager(actor)
    spec = CAMPAIGN_TRANSITIONS_BY_TRIGGER["cancel"]
    reason = _clean(reason, "Причина отмены", MAX_REASON, "reason", required=spec.needs_reason)
    session.refresh(campaign, with_for_update={"of": Campaign})
    dest = next_campaign_state(campaign.state, "cancel")
    if dest is None:
        raise IllegalTransition("Отменить можно только кампанию в подготовке")
    campaign.state = dest
    campaign.closed_at = now
    campaign.closed_by_id = actor.id
    campaign.closed_reason = reason
    session.execute(
        update(Letter).where(Letter.campaign_id == campaign.id,
                             Letter.kind == LetterKind.CIRCULAR,
                             Letter.state == LetterState.DRAFT)
        .values(state=LetterState.CANCELLED, version=Letter.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return campaign


# ---------------------------------------------------------------- participants

def participants_select(campaign_id: int) -> Select:
    """(CampaignParticipant, Municipality) rows of a campaign, by municipality name: the
    query the campaign page builds its table on (one statement, whatever the count)."""
    return (select(CampaignParticipant, Municipality)
            .join(Municipality, Municipality.id == CampaignParticipant.municipality_id)
            .where(CampaignParticipant.campaign_id == campaign_id)
            .order_by(Municipality.name, Municipality.id))


def participants(session: Session, campaign: Campaign) -> list[CampaignParticipant]:
    """The campaign's participants (their municipality loaded), by municipality name."""
    return list(session.scalars(
        select(CampaignParticipant)
        .join(Municipality, Municipality.id == CampaignParticipant.municipality_id)
        .options(joinedload(CampaignParticipant.municipality))
        .where(CampaignParticipant.campaign_id == campaign.id)
        .order_by(Municipality.name, Municipality.id)
    ))


def participant_count(session: Session, campaign_id: int) -> int:
    return session.scalar(select(func.count(CampaignParticipant.id))
                          .where(CampaignParticipant.campaign_id == campaign_id)) or 0


def _no_participant_rows():
    return ~exists().where(CampaignParticipant.campaign_id == Campaign.id)


def takes_part_filter(municipality_id: int):
    """A WHERE clause on Campaign: the municipality takes part (a campaign with no
    participant rows, from before they existed, calls on everyone)."""
    return or_(
        exists().where(CampaignParticipant.campaign_id == Campaign.id,
                       CampaignParticipant.municipality_id == municipality_id),
        _no_participant_rows(),
    )


def visible_campaigns_filter(actor: User):
    """The ministry sees every campaign; a municipality those it takes part in, once open."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return and_(Campaign.state.in_([CampaignState.OPEN, CampaignState.CLOSED]),
                    takes_part_filter(actor.municipality_id))
    return Campaign.id.is_not(None)


def get_visible(session: Session, campaign_id: int, actor: User) -> Campaign:
    ensure_active(actor)
    campaign = session.scalar(select(Campaign).where(Campaign.id == campaign_id,
                                                     visible_campaigns_filter(actor)))
    if campaign is None:
        raise NotFound("Кампания не найдена")
    return campaign


# ---------------------------------------------------------------- programmes inside

def ensure_may_start_programme(session: Session, campaign: Campaign,
                               municipality_id: int) -> None:
    """Called by `operations.create_programme` before anything is written: the campaign is
    open, the municipality takes part, and it is within its allowance of programmes."""
    reason = refusal("start_programme", campaign.state)
    if reason:
        raise IllegalTransition(reason)
    participant = session.scalar(
        select(CampaignParticipant).where(CampaignParticipant.campaign_id == campaign.id,
                                          CampaignParticipant.municipality_id == municipality_id)
        .with_for_update())  # two tabs starting at once are counted one after the other
    if participant is None and participant_count(session, campaign.id):
        raise PermissionDenied("Ваш муниципалитет не участвует в этой кампании")
    limit = campaign.max_programmes
    if limit is None:
        return
    existing = session.execute(
        select(Programme.title, Programme.state)
        .where(Programme.campaign_id == campaign.id, Programme.municipality_id == municipality_id,
               _COUNTED).order_by(Programme.id)
    ).all()
    if len(existing) < limit:
        return
    if limit == 1:
        title, state = existing[0]
        if state == ProgrammeState.APPROVED:
            raise IllegalTransition(
                f"Программа муниципалитета по этой кампании уже согласована («{title}»): "
                "кампания предусматривает одну программу, вторая не принимается")
        raise IllegalTransition(
            f"Кампания предусматривает одну программу от муниципалитета: продолжите работу "
            f"над программой «{title}»")
    raise IllegalTransition(f"Кампания допускает не больше {limit} программ от муниципалитета: "
                            "это число уже достигнуто")


def programme_started(session: Session, campaign: Campaign, municipality_id: int, *,
                      now: datetime) -> None:
    """The participant's task moves from «не начата» to started with its first programme."""
    session.execute(
        update(CampaignParticipant)
        .where(CampaignParticipant.campaign_id == campaign.id,
               CampaignParticipant.municipality_id == municipality_id,
               CampaignParticipant.task_state != TaskState.STARTED)
        .values(task_state=TaskState.STARTED, started_at=now)
        .execution_options(synchronize_session=False)
    )


def programme_removed(session: Session, campaign: Campaign, municipality_id: int) -> None:
    """A deleted draft was the municipality's only programme: its task is «не начата» again."""
    left = session.scalar(select(func.count(Programme.id)).where(
        Programme.campaign_id == campaign.id, Programme.municipality_id == municipality_id))
    if left:
        return
    session.execute(
        update(CampaignParticipant)
        .where(CampaignParticipant.campaign_id == campaign.id,
               CampaignParticipant.municipality_id == municipality_id)
        .values(task_state=TaskState.NOT_STARTED, started_at=None)
        .execution_options(synchronize_session=False)
    )


def ensure_programmes_editable(campaign: Campaign) -> None:
    """A closed (or not yet open) campaign's programmes are read-only."""
    reason = refusal("edit_programme", campaign.state)
    if reason:
        raise IllegalTransition(reason)
