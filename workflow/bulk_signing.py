"""Bulk signing: the signatory's drafts, registered in the order shown in one transaction,
and the progress of their PDFs.

`sign_batch` checks the whole selection first (every letter a draft, the signatory's to sign,
in no other batch) and the PIN once, then registers the whole selection set-based through
`letter_registration.register_letters` (THE registering function, which `sign_letter` calls
with one letter: numbers, date, journal entry, signing sessions) and writes a `sign_batch`
row with one item per letter. Either every letter is
registered, with gapless numbers in the order given, or none is. The PDFs are produced
after the commit by jobs; each job settles its item (`settle_item`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from . import (
    letter_registration,
    second_factor,
    signing_errors,
    signing_keys,
    signing_sessions,
    substitution,
)
from .access import ensure_active
from .errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from .models import (
    Absence,
    Campaign,
    Decision,
    Letter,
    RouteStage,
    SignBatch,
    SignBatchItem,
    SigningSession,
    StageTask,
    User,
)
from .states import LetterKind, LetterState, Role, RouteStageKind, TaskState

MAX_BATCH = 5000
RUNNING, FINISHED = "running", "finished"
PENDING, DONE, FAILED = "pending", "done", "failed"


class BatchRefused(InvalidInput):
    """The selection cannot be signed as a whole (empty, too large)."""

    code = "invalid_selection"


class AlreadyInBatch(IllegalTransition):
    """Letters of the selection belong to another batch already."""

    code = "already_in_batch"


def _names(letters_: list[Letter], limit: int = 10) -> str:
    shown = [f"«{(row.heading or '')[:60]}» (проект № {row.id})" for row in letters_[:limit]]
    more = len(letters_) - limit
    return ", ".join(shown) + (f" и ещё {more}" if more > 0 else "")


def awaiting_signature(actor: User, *, kind: str | None = None, campaign_id: int | None = None):
    """The statement listing the drafts `actor` may sign, in the order they are shown."""
    stmt = select(Letter).where(Letter.state == LetterState.DRAFT,
                                (Letter.signatory_id.is_(None)) | (Letter.signatory_id == actor.id),
                                Letter.id.not_in(_decisions_not_at_my_signature(actor)))
    if kind:
        stmt = stmt.where(Letter.kind == kind)
    if campaign_id:
        stmt = stmt.where(Letter.campaign_id == campaign_id)
    return stmt.order_by(Letter.id)


def _decisions_not_at_my_signature(actor: User):
    """Decision letters `actor` cannot sign yet: the route is still at the visas (or its sign
    stage is someone else's). Listing them made "Подписать все" refuse the whole selection."""
    my_open_sign_task = (
        select(StageTask.id)
        .join(RouteStage, (RouteStage.version_id == Decision.route_version_id)
              & (RouteStage.position == StageTask.stage_position))
        .where(StageTask.decision_id == Decision.id, StageTask.state == TaskState.OPEN,
               StageTask.stage_position == Decision.current_stage,
               StageTask.assignee_id == actor.id, RouteStage.kind == RouteStageKind.SIGN)
        .correlate(Decision))
    return select(Decision.letter_id).where(~my_open_sign_task.exists())


def campaigns_with_drafts(session: Session) -> list[Campaign]:
    ids = select(Letter.campaign_id).where(Letter.state == LetterState.DRAFT)
    return list(session.scalars(select(Campaign).where(Campaign.id.in_(ids)).order_by(Campaign.id)))


def kinds() -> list[str]:
    return [k.value if hasattr(k, "value") else k for k in LetterKind]


def acting_refusal(session: Session, actor: User, absent: User, now: datetime) -> str | None:
    """Why `actor` cannot sign as "И.о." of `absent` today, in Russian; None if they can.
    Names the absence's dates when there is one that is not current (not begun, over,
    cancelled), so the substitute knows why the same screen worked yesterday."""
    if absent.id == actor.id:
        return "Подписант не может исполнять обязанности самого себя"
    if absent.role != Role.SIGNATORY:
        return f"«{absent.full_name}» не подписант: подписать за него нельзя"
    if absent.id in substitution.principals(session, actor, now):
        return None
    today = substitution.local_today(session, now)
    latest = session.scalar(
        select(Absence).where(Absence.user_id == absent.id, Absence.substitute_id == actor.id)
        # A live absence before a cancelled one; the latest first (a coming one before
        # one that is over).
        .order_by(Absence.cancelled_at.is_not(None), Absence.starts_on.desc()).limit(1))
    who = absent.full_name
    tail = "подписать письма как исполняющий обязанности нельзя"
    if latest is None:
        return f"Вы не замещаете {who}: {tail}"
    period = f"{latest.starts_on:%d.%m.%Y}–{latest.ends_on:%d.%m.%Y}"
    if latest.cancelled_at is not None:
        return f"Отсутствие {who} ({period}) отменено: {tail}"
    if latest.starts_on > today:
        return f"Замещение {who} ещё не началось ({period}): {tail}"
    return f"Замещение {who} закончилось ({period}): {tail}"


def sign_batch(
    session: Session, letter_ids: list[int], actor: User, *, now: datetime, pin: str,
    sealer: signing_sessions.SessionSealer, session_ttl: timedelta = signing_sessions.DEFAULT_SESSION_TTL,
    acting_for: User | None = None,
) -> SignBatch:
    """Register every letter of `letter_ids`, in that order, and record the batch.

    Refuses the whole selection (nothing registered) if a letter is unknown, not a draft,
    someone else's to sign, or already in a batch. A wrong PIN raises `WrongPin` before
    anything is written except the counted attempt (the caller commits just that).

    `acting_for`: the actor substitutes that absent signatory today and signs every letter
    as "И.о." with their own key, exactly as `letter_registration.sign_letter(acting_for=)`
    does one; the batch records whom they replaced (`acting_for_id`)."""
    if acting_for is not None:
        ensure_active(actor)
        refusal = acting_refusal(session, actor, acting_for, now)
        if refusal:
            raise PermissionDenied(refusal)
    elif not actor.active or actor.role != Role.SIGNATORY:
        raise PermissionDenied("Подписать письма может только подписант")
    ids = list(dict.fromkeys(int(i) for i in letter_ids))
    if not ids:
        raise BatchRefused("Выберите хотя бы одно письмо", field="letters")
    if len(ids) > MAX_BATCH:
        raise BatchRefused(f"За один раз можно подписать не больше {MAX_BATCH} писем",
                           field="letters")
    rows = {row.id: row for row in session.scalars(select(Letter).where(Letter.id.in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound("Письма не найдены: " + ", ".join(f"№ {i}" for i in missing[:10]))
    chosen = [rows[i] for i in ids]
    batched = set(session.scalars(select(SignBatchItem.letter_id).where(
        SignBatchItem.letter_id.in_(ids))))
    in_batch = [row for row in chosen if row.id in batched]
    if in_batch:
        raise AlreadyInBatch("Письма уже в другом пакете подписания: " + _names(in_batch))
    not_drafts = [row for row in chosen if row.state != LetterState.DRAFT]
    if not_drafts:
        raise IllegalTransition("Подписать можно только проекты писем; уже подписаны или "
                                "аннулированы: " + _names(not_drafts))
    signer = acting_for or actor
    foreign = [row for row in chosen if row.signatory_id not in (None, signer.id)]
    if foreign:
        raise PermissionDenied("Эти письма подписывает другой подписант: " + _names(foreign))
    # The PIN once, before anything is written (a wrong one is counted; lockout applies).
    # Always the actor's own key: a substitute never holds the absent signatory's.
    try:
        key = signing_keys.unlock(session, actor, pin, now=now, acting=acting_for is not None)
    except signing_errors.WrongPin as wrong:
        raise signing_errors.WrongPin(wrong.left, letters=len(chosen)) from None
    second_factor.ensure_may_act(session, actor)  # no signature before the second factor
    batch = SignBatch(user_id=actor.id, created_at=now, total=len(chosen), done=0, failed=0,
                      state=RUNNING, acting_for_id=acting_for.id if acting_for else None)
    session.add(batch)
    session.flush()  # the batch's id for its items
    letter_registration.register_letters(session, chosen, actor, now=now, key=key,
                                         sealer=sealer, session_ttl=session_ttl,
                                         acting_for=acting_for)
    session.execute(insert(SignBatchItem), [
        {"batch_id": batch.id, "letter_id": letter.id, "position": position, "state": PENDING}
        for position, letter in enumerate(chosen)])
    return batch


def settle_item(session: Session, letter_id: int, *, error: str | None, now: datetime) -> None:
    """A job finished with a letter: `done` when its PDF is stored (whoever stored it), else
    `failed` with `error`. A letter in no batch is left alone; a failed item whose PDF
    appears later (a sweep, a manual render) becomes done."""
    stored = session.scalar(select(Letter.pdf_sha256.is_not(None)).where(Letter.id == letter_id))
    if stored:
        batch_id = session.execute(
            update(SignBatchItem).where(SignBatchItem.letter_id == letter_id,
                                        SignBatchItem.state != DONE)
            .values(state=DONE, error=None).returning(SignBatchItem.batch_id)).scalar()
        # Counters are recounted from the items: exact even after a reconciled failure.
    elif error is not None:
        batch_id = session.execute(
            update(SignBatchItem).where(SignBatchItem.letter_id == letter_id,
                                        SignBatchItem.state == PENDING)
            .values(state=FAILED, error=error[:2000]).returning(SignBatchItem.batch_id)).scalar()
    else:
        return
    if batch_id is not None:
        _recount(session, batch_id, now)


def settle_items(session: Session, letter_ids: list[int], *, errors: dict[int, str],
                 now: datetime) -> None:
    """`settle_item` for a chunk of letters at once (a render job's chunk): every letter with
    its PDF stored becomes done, those in `errors` without one failed; one recount a batch."""
    if not letter_ids:
        return
    stored = set(session.scalars(select(Letter.id).where(Letter.id.in_(letter_ids),
                                                         Letter.pdf_sha256.is_not(None))))
    batch_ids = set()
    if stored:
        batch_ids.update(session.execute(
            update(SignBatchItem).where(SignBatchItem.letter_id.in_(stored),
                                        SignBatchItem.state != DONE)
            .values(state=DONE, error=None).returning(SignBatchItem.batch_id)).scalars())
    for letter_id, error in errors.items():
        if letter_id not in stored:
            batch_ids.update(session.execute(
                update(SignBatchItem).where(SignBatchItem.letter_id == letter_id,
                                            SignBatchItem.state == PENDING)
                .values(state=FAILED, error=error[:2000]).returning(SignBatchItem.batch_id))
                .scalars())
    for batch_id in sorted(batch_ids):
        _recount(session, batch_id, now)


def _recount(session: Session, batch_id: int, now: datetime) -> None:
    counts = dict(session.execute(
        select(SignBatchItem.state, func.count()).where(SignBatchItem.batch_id == batch_id)
        .group_by(SignBatchItem.state)).all())
    done, failed, pending = counts.get(DONE, 0), counts.get(FAILED, 0), counts.get(PENDING, 0)
    values = {"done": done, "failed": failed,
              "state": RUNNING if pending else FINISHED}
    if not pending:
        values["finished_at"] = now
    session.execute(update(SignBatch).where(SignBatch.id == batch_id).values(**values))


@dataclass
class Failure:
    letter_id: int
    number: str | None
    heading: str
    error: str


@dataclass
class Progress:
    id: int
    user_id: int
    state: str
    total: int
    done: int
    failed: int
    created_at: datetime
    finished_at: datetime | None
    estimate_seconds: int | None
    failures: list[Failure] = field(default_factory=list)
    # Signed as «И.о.» of this absent signatory (id, full name), else None.
    acting_for: tuple[int, str] | None = None
    # The journal numbers the batch took, first and last in the order signed.
    first_number: str | None = None
    last_number: str | None = None

    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed


def progress(session: Session, batch_id: int, *, now: datetime) -> Progress | None:
    batch = session.get(SignBatch, batch_id)
    if batch is None:
        return None
    failures = [Failure(letter_id=i, number=n, heading=h, error=e or "") for i, n, h, e in
                session.execute(
                    select(Letter.id, Letter.number, Letter.heading, SignBatchItem.error)
                    .join(SignBatchItem, SignBatchItem.letter_id == Letter.id)
                    .where(SignBatchItem.batch_id == batch_id, SignBatchItem.state == FAILED)
                    .order_by(SignBatchItem.position))]
    estimate = None
    remaining = batch.total - batch.done - batch.failed
    finished = batch.done + batch.failed
    if remaining and finished:
        elapsed = max((now - batch.created_at).total_seconds(), 0.0)
        estimate = int(round(elapsed / finished * remaining))
    return Progress(id=batch.id, user_id=batch.user_id, state=batch.state, total=batch.total,
                    done=batch.done, failed=batch.failed, created_at=batch.created_at,
                    finished_at=batch.finished_at, estimate_seconds=estimate,
                    failures=failures, acting_for=_acting_for(session, batch),
                    first_number=_number_at(session, batch_id, SignBatchItem.position),
                    last_number=_number_at(session, batch_id, SignBatchItem.position.desc()))


def _number_at(session: Session, batch_id: int, order) -> str | None:
    return session.scalar(
        select(Letter.number).join(SignBatchItem, SignBatchItem.letter_id == Letter.id)
        .where(SignBatchItem.batch_id == batch_id).order_by(order).limit(1))


def _acting_for(session: Session, batch: SignBatch) -> tuple[int, str] | None:
    if batch.acting_for_id is None:
        return None
    absent = session.get(User, batch.acting_for_id)
    return (absent.id, absent.full_name) if absent is not None else None


def reconcile(session: Session, *, now: datetime) -> int:
    """Items still pending or failed whose letter has its PDF now: settle them (a job killed
    after storing, before settling). Returns how many were settled."""
    ids = list(session.scalars(
        select(SignBatchItem.letter_id).join(Letter, Letter.id == SignBatchItem.letter_id)
        .where(SignBatchItem.state != DONE, Letter.pdf_sha256.is_not(None))))
    for letter_id in ids:
        settle_item(session, letter_id, error=None, now=now)
    return len(ids)


def fail_expired(session: Session, *, now: datetime, message: str) -> int:
    """Pending items whose letter has no PDF and no live signing session any more: the PIN is
    needed again; say so on the item."""
    live = select(SigningSession.letter_id).where(
        SigningSession.expires_at > now)
    ids = list(session.scalars(
        select(SignBatchItem.letter_id).join(Letter, Letter.id == SignBatchItem.letter_id)
        .where(SignBatchItem.state == PENDING, Letter.pdf_sha256.is_(None),
               SignBatchItem.letter_id.not_in(live))))
    for letter_id in ids:
        settle_item(session, letter_id, error=message, now=now)
    return len(ids)
