"""Server-side records of signed-in browsers, and the user's view of them and of their API
tokens ("Мои сеансы"): see them, end one, end all others.

The browser's signed cookie carries a record's id; every request loads the record with the
user in one indexed lookup (`load_live`), so ending a record signs that browser out at its
next request. `last_seen_at` is refreshed at most once a minute (`touch`), so reading a
page does not write to the database each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Integer, bindparam, select, update
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import ApiToken, OrganisationProfile, SecondFactor, User, UserSession
from .nav_counts import TASKS, UNREAD, NavCounts
from .organisation_profile import profile_column
from .signin import log_event
from .substitution import SUBSTITUTED_COLUMN, principals_from

TOUCH_EVERY = timedelta(minutes=1)


def open_session(session: Session, user: User, *, now: datetime, address: str = "",
                 user_agent: str = "", method: str = "password") -> UserSession:
    record = UserSession(user_id=user.id, session_epoch=user.session_epoch, created_at=now,
                         last_seen_at=now, address=(address or "")[:64],
                         user_agent=(user_agent or "")[:300], method=method)
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class Live:
    user: User
    session_id: int
    last_seen_at: datetime
    enrolled: bool  # the user has a confirmed second factor
    # The organisation's profile, read in the same statement: every page shows its name and
    # dates in its time zone (None before the profile is filled in).
    organisation_name: str | None = None
    organisation_timezone: str | None = None
    # On the day the caller took for today: the navigation's badges (workflow.nav_counts),
    # which every page shows, and for whom the user acts (workflow.substitution.principals),
    # which the programme's actions ask. Here they cost no round trip of their own.
    badges: NavCounts | None = None
    principals: list[int] | None = None


# Every signed-in request runs it: built once, the ids and the day bound.
_LIVE = (
    select(User, UserSession.last_seen_at, SecondFactor.confirmed_at,
           profile_column(OrganisationProfile.name), profile_column(OrganisationProfile.timezone),
           UNREAD, TASKS, SUBSTITUTED_COLUMN)
    .join(UserSession, UserSession.user_id == User.id)
    .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
    .where(UserSession.id == bindparam("session_id", type_=Integer),
           User.id == bindparam("user_id", type_=Integer),
           UserSession.ended_at.is_(None), UserSession.session_epoch == User.session_epoch)
)


def load_live(session: Session, session_id: int, user_id: int, *, today: date) -> Live | None:
    """The user of a session record that is not ended, with what each request needs to
    know, in one statement (primary-key lookups; the user row lands in the identity map).
    `today`: the day the badges and the principals are read for (in the organisation's time
    zone, which this statement reads: the caller guesses it and checks the guess)."""
    row = session.execute(_LIVE, {"session_id": session_id, "user_id": user_id,
                                  "today": today}).first()
    if row is None:
        return None
    return Live(row[0], session_id, row[1], row[2] is not None, row[3], row[4],
                NavCounts(unread=row[5] or 0, tasks=row[6] or 0), principals_from(user_id, row[7]))


def touch(session: Session | Connection, session_id: int, *, now: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id,
                                              UserSession.ended_at.is_(None))
                    .values(last_seen_at=now))


def touch_token(session: Session | Connection, token_id: int, *, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_seen_at=now))


def due(last_seen_at: datetime | None, now: datetime) -> bool:
    return last_seen_at is None or now - last_seen_at >= TOUCH_EVERY


# ---------------------------------------------------------------- "Мои сеансы"


def active_sessions(session: Session, user: User, *, now: datetime,
                    idle: timedelta, absolute: timedelta) -> list[UserSession]:
    """Records that could still be used: not ended, of the current epoch, within the idle
    and absolute lifetimes. Newest first."""
    return list(session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None),
            UserSession.session_epoch == user.session_epoch,
            UserSession.last_seen_at > now - idle, UserSession.created_at > now - absolute,
        ).order_by(UserSession.created_at.desc(), UserSession.id.desc())))


def active_tokens(session: Session, user: User, *, now: datetime) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at > now,
                               ApiToken.session_epoch == user.session_epoch)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def end_session(session: Session, user: User, session_id: int, *, now: datetime,
                address: str = "") -> None:
    """End one of the user's own sessions; another user's does not exist."""
    ended = session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user.id,
               UserSession.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False)).rowcount
    if ended != 1:
        raise NotFound("Сеанс не найден или уже завершён")
    log_event(session, "auth.session.ended", now=now, user=user, address=address,
              detail=f"session {session_id}")


def end_token(session: Session, user: User, token_id: int, *, now: datetime,
              address: str = "") -> None:
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound("Токен не найден или уже отозван")
    session.delete(record)
    log_event(session, "api.token.revoked", now=now, user=user, address=address,
              detail=f"token {token_id}")
    session.flush()


def end_others(session: Session, user: User, keep_session_id: int | None, *, now: datetime,
               address: str = "") -> tuple[int, int]:
    """End every other session of the user and revoke every API token: (sessions, tokens)."""
    query = update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.ended_at.is_(None))
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
    sessions = session.execute(query.values(ended_at=now)
                               .execution_options(synchronize_session=False)).rowcount or 0
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))
    for token in tokens:
        session.delete(token)
    log_event(session, "auth.session.ended_others", now=now, user=user, address=address,
              detail=f"sessions {sessions}, tokens {len(tokens)}")
    session.flush()
    return sessions, len(tokens)


def end_current(session: Session, session_id: int | None, *, now: datetime) -> None:
    """Sign-out: this browser's record ends."""
    if session_id is None:
        return
    session.execute(update(UserSession).where(UserSession.id == session_id,
                                              UserSession.ended_at.is_(None))
                    .values(ended_at=now).execution_options(synchronize_session=False))


def sign_out(session: Session, user: User, session_id: int | None, *, now: datetime,
             address: str) -> None:
    """Signing out of the screens: this browser's record ends and the sign-out is logged."""
    end_current(session, session_id, now=now)
    log_event(session, "auth.logout", now=now, user=session.merge(user), address=address)
