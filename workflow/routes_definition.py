"""Approval routes as data: validation, creation, editing (a new version each time), the
standard route, and which version a programme runs on.

A route is an ordered list of stages: an optional first `review` stage (the programme's
expert assesses and proposes), any `endorse` stages (визы), and one final `sign` stage. A
version never changes once created; a programme pins the version it started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .access import ensure_active
from .errors import InvalidInput, NotFound, PermissionDenied, RouteInvalid
from .models import Campaign, Programme, Route, RouteStage, RouteVersion, User
from .states import (
    ROLE_LABELS,
    ParticipantType,
    RefusalTarget,
    Role,
    RouteStageKind,
    StageMode,
)
from .text import check_text

STANDARD_CODE = "standard"
STANDARD_TITLE = "Стандартный маршрут: экспертиза и подпись"
MAX_STAGES = 20
MAX_LIMIT_DAYS = 250


@dataclass
class StageSpec:
    """One stage as an admin (or the seed) describes it; validated by `validate_route`."""

    name: str
    kind: str  # RouteStageKind
    participant_type: str  # ParticipantType
    role: str | None = None  # for participant_type "role"
    user_ids: list[int] = field(default_factory=list)  # for participant_type "users"
    mode: str = StageMode.ANY
    quorum: int | None = None  # for mode "quorum"
    limit_days: int = 3
    on_refusal: str = RefusalTarget.REVIEWER

    @classmethod
    def of(cls, stage: RouteStage) -> StageSpec:
        return cls(stage.name, stage.kind, stage.participant_type, stage.participant_role,
                   stage.user_ids, stage.mode, stage.quorum, stage.limit_days, stage.on_refusal)


STANDARD_STAGES = (
    StageSpec("Экспертиза", RouteStageKind.REVIEW, ParticipantType.PROGRAMME_REVIEWER,
              mode=StageMode.ANY, limit_days=10, on_refusal=RefusalTarget.MUNICIPALITY),
    StageSpec("Подписание", RouteStageKind.SIGN, ParticipantType.ROLE, role=Role.SIGNATORY,
              mode=StageMode.ANY, limit_days=3, on_refusal=RefusalTarget.REVIEWER),
)


def _active_users(session: Session, role: str) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)))


def participant_count(session: Session, stage: StageSpec | RouteStage) -> int:
    """How many people can act on the stage now (the programme's reviewer counts as one)."""
    spec = stage if isinstance(stage, StageSpec) else StageSpec.of(stage)
    if spec.participant_type == ParticipantType.PROGRAMME_REVIEWER:
        return 1
    if spec.participant_type == ParticipantType.ROLE:
        return len(_active_users(session, spec.role))
    return sum(1 for uid in spec.user_ids if (u := session.get(User, uid)) is not None and u.active)


def validate_route(session: Session, stages: list[StageSpec]) -> list[StageSpec]:
    """The stages, cleaned, or `RouteInvalid` listing every reason the route cannot run."""
    reasons: list[str] = []
    if not stages:
        raise RouteInvalid(["В маршруте нет ни одного этапа"])
    if len(stages) > MAX_STAGES:
        raise RouteInvalid([f"В маршруте больше {MAX_STAGES} этапов"])
    cleaned = []
    for number, raw in enumerate(stages, start=1):
        where = f"Этап {number}"
        name = check_text(raw.name or "", "Название этапа", "stages").strip()
        spec = StageSpec(name, raw.kind, raw.participant_type, raw.role or None,
                         [int(u) for u in (raw.user_ids or [])], raw.mode, raw.quorum,
                         raw.limit_days, raw.on_refusal)
        cleaned.append(spec)
        if not name:
            reasons.append(f"{where}: укажите название")
        elif len(name) > 300:
            reasons.append(f"{where}: название длиннее 300 символов")
        where = f"Этап {number} «{name}»" if name else where
        problems = _enum_problems(spec)
        if problems:
            reasons.extend(f"{where}: {p}" for p in problems)
            continue
        reasons.extend(f"{where}: {p}" for p in _stage_problems(session, spec, number, len(stages)))
    if cleaned and not reasons and cleaned[-1].kind != RouteStageKind.SIGN:
        reasons.append("Маршрут должен заканчиваться этапом подписания")
    if reasons:
        raise RouteInvalid(reasons)
    return cleaned


def _enum_problems(spec: StageSpec) -> list[str]:
    problems = []
    checks = ((spec.kind, RouteStageKind, "вид этапа"),
              (spec.participant_type, ParticipantType, "участники"),
              (spec.mode, StageMode, "режим"),
              (spec.on_refusal, RefusalTarget, "куда ведёт отказ"))
    for value, enum, what in checks:
        if value not in {e.value for e in enum}:
            problems.append(f"неизвестное значение поля «{what}»: {value!r}")
    if not isinstance(spec.limit_days, int) or not 0 <= spec.limit_days <= MAX_LIMIT_DAYS:
        problems.append(f"срок — целое число рабочих дней от 0 до {MAX_LIMIT_DAYS}")
    return problems


def _stage_problems(session: Session, spec: StageSpec, number: int, total: int) -> list[str]:
    problems = []
    if spec.kind == RouteStageKind.REVIEW and number != 1:
        problems.append("этап экспертизы может быть только первым")
    if spec.kind == RouteStageKind.SIGN and number != total:
        problems.append("этап подписания может быть только последним")
    if spec.kind == RouteStageKind.SIGN and spec.mode != StageMode.ANY:
        problems.append("письмо подписывает один человек: для этапа подписания выберите режим "
                        "«любой из участников»")
    if spec.on_refusal == RefusalTarget.PREVIOUS and number == 1:
        problems.append("отказ на первом этапе не может вести «на предыдущий этап»: его нет")
    if spec.kind == RouteStageKind.REVIEW and spec.on_refusal == RefusalTarget.REVIEWER:
        problems.append("отказ на этапе экспертизы не может вести к самому эксперту")
    # Who can act.
    if spec.participant_type == ParticipantType.ROLE:
        if spec.role not in {r.value for r in Role} or spec.role == Role.MUNICIPAL_EDITOR:
            problems.append("участниками этапа могут быть только сотрудники министерства")
        elif spec.kind == RouteStageKind.SIGN and spec.role != Role.SIGNATORY:
            problems.append("подписывает только подписант: выберите роль «Подписант»")
        elif not _active_users(session, spec.role):
            problems.append(f"нет ни одного активного пользователя с ролью "
                            f"«{ROLE_LABELS[Role(spec.role)]}»: действовать некому")
    elif spec.participant_type == ParticipantType.USERS:
        if not spec.user_ids:
            problems.append("не выбран ни один участник")
        if len(set(spec.user_ids)) != len(spec.user_ids):
            problems.append("участник указан дважды")
        for uid in dict.fromkeys(spec.user_ids):
            user = session.get(User, uid)
            if user is None:
                problems.append(f"пользователь № {uid} не найден")
            elif not user.active:
                problems.append(f"пользователь {user.full_name} отключён: действовать он не может")
            elif user.role == Role.MUNICIPAL_EDITOR:
                problems.append(f"{user.full_name} — специалист муниципалитета, а не министерства")
            elif spec.kind == RouteStageKind.SIGN and user.role != Role.SIGNATORY:
                problems.append(f"{user.full_name} не подписант: подписывать он не может")
    elif spec.kind == RouteStageKind.SIGN:
        problems.append("эксперт программы не подписывает письма: выберите подписантов")
    # How many must decide.
    if spec.mode == StageMode.QUORUM:
        if not isinstance(spec.quorum, int) or spec.quorum < 1:
            problems.append("кворум — целое число не меньше 1")
        else:
            available = participant_count(session, spec)
            if spec.quorum > available:
                problems.append(f"кворум {spec.quorum} больше числа участников ({available})")
    elif spec.quorum is not None:
        problems.append("кворум задаётся только для режима «Кворум»")
    return problems


def _check_admin(actor: User) -> None:
    ensure_active(actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Маршруты согласования настраивает администратор")


def _add_version(session: Session, route: Route, stages: list[StageSpec], actor: User | None,
                 now: datetime) -> RouteVersion:
    last = session.scalar(select(func.max(RouteVersion.number)).where(
        RouteVersion.route_id == route.id)) or 0
    version = RouteVersion(
        route_id=route.id, number=last + 1, created_at=now,
        created_by_id=actor.id if actor else None,
        stages=[RouteStage(
            position=i, name=s.name, kind=s.kind, participant_type=s.participant_type,
            participant_role=s.role if s.participant_type == ParticipantType.ROLE else None,
            participant_user_ids=(list(s.user_ids)
                                  if s.participant_type == ParticipantType.USERS else None),
            mode=s.mode, quorum=s.quorum if s.mode == StageMode.QUORUM else None,
            limit_days=s.limit_days, on_refusal=s.on_refusal,
        ) for i, s in enumerate(stages, start=1)],
    )
    session.add(version)
    session.flush()
    return version


def _clean_title(title: str) -> str:
    title = check_text(title or "", "Название маршрута", "title").strip()
    if not title:
        raise InvalidInput("Укажите название маршрута", field="title")
    if len(title) > 300:
        raise InvalidInput("Название маршрута длиннее 300 символов", field="title")
    return title


def create_route(session: Session, actor: User, *, code: str, title: str,
                 stages: list[StageSpec], now: datetime) -> Route:
    """A new route with its version 1; `code` is a short unique Latin identifier."""
    _check_admin(actor)
    code = (code or "").strip()
    if not code or len(code) > 50 or not all(c.isascii() and (c.isalnum() or c in "-_")
                                             for c in code):
        raise InvalidInput("Код маршрута: латинские буквы, цифры, «-» и «_», до 50 знаков",
                           field="code")
    if code == STANDARD_CODE or session.scalar(select(Route.id).where(Route.code == code)):
        raise InvalidInput(f"Маршрут с кодом «{code}» уже есть", field="code")
    title = _clean_title(title)
    stages = validate_route(session, stages)
    route = Route(code=code, title=title, created_at=now)
    session.add(route)
    session.flush()
    _add_version(session, route, stages, actor, now)
    return route


def edit_route(session: Session, route: Route, actor: User, *, stages: list[StageSpec],
               now: datetime, title: str | None = None) -> RouteVersion:
    """A new version of the route; programmes already on their way keep theirs."""
    _check_admin(actor)
    if title is not None:
        route.title = _clean_title(title)
    stages = validate_route(session, stages)
    return _add_version(session, route, stages, actor, now)


def set_campaign_route(session: Session, campaign: Campaign, route: Route | None, actor: User) -> None:
    """The route the campaign's programmes take from now on (None: the standard route)."""
    _check_admin(actor)
    campaign.route_id = route.id if route is not None else None
    session.flush()


def latest_version(session: Session, route: Route) -> RouteVersion:
    version = session.scalars(select(RouteVersion).where(RouteVersion.route_id == route.id)
                              .order_by(RouteVersion.number.desc()).limit(1)).first()
    if version is None:
        raise NotFound("У маршрута нет ни одной версии")
    return version


def standard_route(session: Session, *, now: datetime) -> Route:
    """The route of campaigns that name none: review by the programme's expert, signature by
    any signatory. Created on first need (two first needs at once: one creates it)."""
    route = session.scalar(select(Route).where(Route.code == STANDARD_CODE))
    if route is not None:
        return route
    try:
        with session.begin_nested():
            route = Route(code=STANDARD_CODE, title=STANDARD_TITLE, created_at=now)
            session.add(route)
            session.flush()
            _add_version(session, route, list(STANDARD_STAGES), None, now)
    except IntegrityError:
        route = session.scalar(select(Route).where(Route.code == STANDARD_CODE))
    return route


def route_version_for(session: Session, programme: Programme, *, now: datetime) -> RouteVersion:
    """The version the programme runs on: its pinned one, else the latest of its campaign's
    route (the standard route when the campaign names none). Does not pin."""
    if programme.route_version_id is not None:
        return session.get(RouteVersion, programme.route_version_id)
    campaign = session.get(Campaign, programme.campaign_id)
    route = (session.get(Route, campaign.route_id) if campaign.route_id is not None
             else standard_route(session, now=now))
    return latest_version(session, route)
