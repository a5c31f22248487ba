"""Absences and substitutes: declaring a period when a user is away, and cancelling it.

While an absence covers today (organisation's calendar, dates inclusive), the substitute acts
for the absent user (`workflow.substitution.principals`). An absence is refused, with nothing
written, when it overlaps another of the same user, when the substitute is away in that
period, or when the substitute cannot do the absent user's work (the other side - ministry
versus municipality -, another role, an inactive account; a signatory's substitute must be
able to sign: a signatory, or a ministry user with a signing certificate of their own).
"""

from __future__ import annotations

from datetime import date, datetime

from petrovich.enums import Case
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import names, notifications, signatory_certificates
from .access import ensure_active
from .errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from .models import Absence, User
from .signin import log_event
from .states import Role
from .substitution import local_today
from .text import check_text

MAX_REASON = 1_000
MAX_DAYS = 366


def may_manage(actor: User, user: User) -> bool:
    """The user themselves, an administrator, or (for ministry staff) a head of department."""
    if not actor.active:
        return False
    if actor.id == user.id or actor.role == Role.ADMIN:
        return True
    return bool(actor.heads_department) and actor.is_ministry and user.is_ministry


def substitute_refusal(session: Session, user: User, substitute: User, now: datetime) -> str | None:
    """Why `substitute` cannot act for `user`, in Russian; None if they can."""
    if substitute.id == user.id:
        return "Нельзя назначить замещающим самого себя"
    if not substitute.active:
        return f"Учётная запись «{substitute.full_name}» отключена: замещать она не может"
    if user.is_ministry != substitute.is_ministry:
        return ("Замещающий должен быть с той же стороны, что и отсутствующий: сотрудника "
                "министерства замещает сотрудник министерства, специалиста муниципалитета — "
                "специалист того же муниципалитета")
    if not user.is_ministry and substitute.municipality_id != user.municipality_id:
        return "Специалиста муниципалитета замещает специалист того же муниципалитета"
    if user.role == Role.SIGNATORY:
        if substitute.role == Role.SIGNATORY:
            return None
        if signatory_certificates.current_certificate(session, substitute, now) is None:
            return (f"«{substitute.full_name}» не может подписывать письма: подписанта замещает "
                    "подписант или сотрудник с действующим сертификатом подписи")
        return None
    if substitute.role != user.role:
        return (f"«{substitute.full_name}» не может выполнять работу отсутствующего: "
                "замещающий должен иметь ту же роль")
    return None


def _overlapping(session: Session, user_id: int, starts_on: date, ends_on: date):
    return session.scalar(
        select(Absence).where(
            Absence.user_id == user_id, Absence.cancelled_at.is_(None),
            Absence.starts_on <= ends_on, Absence.ends_on >= starts_on,
        ).order_by(Absence.starts_on).limit(1)
    )


def _dd(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def declare_absence(
    session: Session, user: User, actor: User, *, substitute: User | None, starts_on: date | None,
    ends_on: date | None, now: datetime, reason: str = "",
) -> Absence:
    ensure_active(actor)
    if not may_manage(actor, user):
        raise PermissionDenied("Отсутствие сотрудника отмечает он сам, руководитель отдела "
                               "или администратор")
    if starts_on is None or ends_on is None:
        raise InvalidInput("Укажите даты начала и окончания отсутствия", field="starts_on")
    if ends_on < starts_on:
        raise InvalidInput("Дата окончания отсутствия раньше даты начала", field="ends_on")
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise InvalidInput(f"Отсутствие длиннее {MAX_DAYS} дней: разбейте его на периоды",
                           field="ends_on")
    if ends_on < local_today(session, now):
        raise InvalidInput("Период отсутствия уже прошёл", field="ends_on")
    if substitute is None:
        raise InvalidInput("Укажите замещающего", field="substitute")
    reason = check_text(reason or "", "Основание", "reason").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Основание длиннее {MAX_REASON} символов", field="reason")
    # Both accounts locked in a fixed order: two declarations at once are serialised, so the
    # overlap checks below see each other.
    for locked in sorted({user.id, substitute.id}):
        session.execute(select(User.id).where(User.id == locked).with_for_update())
    refusal = substitute_refusal(session, user, substitute, now)
    if refusal:
        raise InvalidInput(refusal, field="substitute")
    clash = _overlapping(session, user.id, starts_on, ends_on)
    if clash is not None:
        raise InvalidInput(
            "Период пересекается с другим отсутствием этого сотрудника: "
            f"{_dd(clash.starts_on)}–{_dd(clash.ends_on)}", field="starts_on")
    away = _overlapping(session, substitute.id, starts_on, ends_on)
    if away is not None:
        raise InvalidInput(
            f"Замещающий {substitute.full_name} сам отсутствует "
            f"{_dd(away.starts_on)}–{_dd(away.ends_on)}", field="substitute")
    substituting = session.scalar(
        select(Absence).where(
            Absence.substitute_id == user.id, Absence.cancelled_at.is_(None),
            Absence.starts_on <= ends_on, Absence.ends_on >= starts_on,
        ).limit(1))
    if substituting is not None:
        raise InvalidInput(
            f"{user.full_name} в этот период замещает другого сотрудника "
            f"({_dd(substituting.starts_on)}–{_dd(substituting.ends_on)}): сначала назначьте "
            "тому другого замещающего", field="starts_on")
    absence = Absence(user_id=user.id, substitute_id=substitute.id, starts_on=starts_on,
                      ends_on=ends_on, reason=reason, created_by_id=actor.id, created_at=now)
    session.add(absence)
    session.flush()
    log_event(session, "absence.declared", now=now, user=actor,
              detail=f"absence_id={absence.id} user_id={user.id} substitute_id={substitute.id} "
                     f"from={starts_on} to={ends_on}")
    # A signatory's substitute signs their letters as «И.о.»: the link opens that inbox.
    signs = user.role == Role.SIGNATORY
    notifications.notify(
        session, [substitute], kind="absence.substitute", now=now,
        link=f"/signing/?acting_for={user.id}" if signs else "/account/absences",
        text=(f"Вы замещаете {_accusative(user.full_name)} с {_dd(starts_on)} по {_dd(ends_on)}: "
              + ("на это время вы подписываете письма за него (неё) как исполняющий "
                 "обязанности." if signs else "на это время вам доступны его (её) задачи.")))
    return absence


def _accusative(full_name: str) -> str:
    # "Вы замещаете Лебедеву Анну Сергеевну" (the full name is stored "Фамилия Имя Отчество").
    parts = full_name.split()
    if len(parts) != 3:
        return full_name
    return names.full_name_in(Case.ACCUSATIVE, *parts)


def cancel_absence(session: Session, absence: Absence, actor: User, *, now: datetime) -> Absence:
    ensure_active(actor)
    if not may_manage(actor, absence.user):
        raise PermissionDenied("Отменить отсутствие может сам сотрудник, руководитель отдела "
                               "или администратор")
    done = session.execute(
        update(Absence).where(Absence.id == absence.id, Absence.cancelled_at.is_(None))
        .values(cancelled_at=now, cancelled_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise IllegalTransition("Отсутствие уже отменено")
    session.refresh(absence)
    log_event(session, "absence.cancelled", now=now, user=actor,
              detail=f"absence_id={absence.id} user_id={absence.user_id}")
    notifications.notify(
        session, [absence.substitute], kind="absence.cancelled", now=now,
        text=(f"Отсутствие {absence.user.full_name} ({_dd(absence.starts_on)}–"
              f"{_dd(absence.ends_on)}) отменено: замещение больше не действует."))
    return absence


def get_absence(session: Session, absence_id: int, actor: User) -> Absence:
    absence = session.get(Absence, absence_id)
    if absence is None or not may_manage(actor, absence.user):
        raise NotFound("Отсутствие не найдено")
    return absence


def absences_of(session: Session, user: User) -> list[Absence]:
    """The user's absences and those where they substitute, newest first."""
    return list(session.scalars(
        select(Absence).where((Absence.user_id == user.id) | (Absence.substitute_id == user.id))
        .order_by(Absence.starts_on.desc(), Absence.id.desc())
    ))


def all_absences(session: Session, *, limit: int = 200) -> list[Absence]:
    return list(session.scalars(
        select(Absence).order_by(Absence.starts_on.desc(), Absence.id.desc()).limit(limit)))


def candidate_substitutes(session: Session, user: User, now: datetime) -> list[User]:
    """Users who could substitute `user` (for the form's choice list)."""
    rows = session.scalars(select(User).where(User.active.is_(True), User.id != user.id)
                           .order_by(User.full_name))
    return [u for u in rows if substitute_refusal(session, user, u, now) is None]
