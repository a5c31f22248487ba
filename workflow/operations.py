"""Programme use cases: one function each, the actor and the clock passed in.

Every function runs inside the caller's transaction (see `db.unit_of_work`) and either
completes all of its writes or raises a typed `WorkflowError` having written nothing the
caller will commit: the caller rolls back on any exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit, campaigns, redline, search
from .access import ensure_active
from .errors import (
    ForeignMunicipality,
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    NotAssignedReviewer,
    PermissionDenied,
    StaleVersion,
)
from .facts import ProgrammeFacts
from .files import freeze_files
from .machine import TRANSITIONS_BY_TRIGGER, TransitionSpec, allowed_from, next_state
from .models import (
    Assessment,
    Campaign,
    Programme,
    ProgrammeSection,
    Revision,
    RevisionSection,
    User,
    WorkflowEvent,
)
from .states import PROGRAMME_STATE_LABELS, ROLE_LABELS, ProgrammeState, Role
from .substitution import principals
from .text import check_text

MAX_TITLE = 500
MAX_SECTION = 20_000
MAX_REASON = 2_000


# ---------------------------------------------------------------- access


def ensure_can_see(programme: Programme, actor: User) -> None:
    """A municipality sees only its own programmes; the ministry sees all."""
    ensure_active(actor)
    if actor.role == Role.MUNICIPAL_EDITOR and programme.municipality_id != actor.municipality_id:
        raise ForeignMunicipality()


def visible_programmes_filter(actor: User):
    """A WHERE clause for lists and counts: the same rule as `ensure_can_see`."""
    if actor.role == Role.MUNICIPAL_EDITOR:
        return Programme.municipality_id == actor.municipality_id
    return True


def _check_actor(spec: TransitionSpec, programme: Programme, actor: User,
                 principals: list[int] | None = None) -> int | None:
    """Refuse an actor who may not fire `spec`; return whom they act for ("за кого"): None
    for themselves, or the absent assigned reviewer they substitute (`principals`, see
    workflow.substitution; only the actor when not given)."""
    ensure_can_see(programme, actor)
    if spec.system:
        raise PermissionDenied(
            f"Действие «{spec.label}» выполняется системой по маршруту согласования")
    if actor.role not in spec.roles:
        allowed = ", ".join(ROLE_LABELS[r].lower() for r in sorted(spec.roles))
        raise PermissionDenied(f"Действие «{spec.label}» доступно только роли: {allowed}")
    if spec.assigned_reviewer_only:
        return acting_for_reviewer(programme, actor, principals, spec.label)
    return None


def acting_for_reviewer(programme: Programme, actor: User, principals: list[int] | None,
                        label: str | None = None) -> int | None:
    """None if `actor` is the assigned reviewer, the reviewer's id if the actor substitutes
    them now, else NotAssignedReviewer."""
    if programme.reviewer_id == actor.id:
        return None
    if programme.reviewer_id is not None and programme.reviewer_id in (principals or ()):
        return programme.reviewer_id
    if label is None:
        raise NotAssignedReviewer("Программа назначена другому эксперту")
    raise NotAssignedReviewer(
        f"Действие «{label}» может выполнить только эксперт, которому программа назначена"
    )


def principals_now(session: Session, actor: User, now: datetime | None) -> list[int]:
    """For whom `actor` may act at `now` (themselves only when there is no clock)."""
    if now is None:
        return [actor.id]
    return principals(session, actor, now)


def _last_event(session: Session, programme_id: int) -> WorkflowEvent | None:
    return session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.programme_id == programme_id)
        .order_by(WorkflowEvent.seq.desc())
        .limit(1)
    ).first()


def _stale(session: Session, programme: Programme) -> StaleVersion:
    """Name who made the latest change (a transition or a saved draft) and when."""
    session.refresh(programme, ["updated_at", "updated_by_id"])
    author = session.get(User, programme.updated_by_id) if programme.updated_by_id else None
    return StaleVersion(author.full_name if author else None, programme.updated_at)


def _lock(session: Session, programme: Programme) -> None:
    """Reload the row under a row lock (PostgreSQL; SQLite already holds the write lock).
    `of` limits the lock to this table: PostgreSQL refuses FOR UPDATE on the nullable side
    of the outer joins that eager-loaded relationships add."""
    session.refresh(programme, with_for_update={"of": Programme})


# ---------------------------------------------------------------- the engine


@dataclass(frozen=True)
class ActionOption:
    trigger: str
    label: str
    needs_reason: bool
    danger: bool
    # Unmet guards: the action is shown as unavailable with these reasons, not as a button.
    blocked_by: tuple[str, ...]

    @property
    def enabled(self) -> bool:
        return not self.blocked_by


def available_actions(session: Session, programme: Programme, actor: User,
                      now: datetime | None = None, *,
                      principals: list[int] | None = None) -> list[ActionOption]:
    """The transitions this user may fire on this programme now, in table order (with `now`,
    also those the user may fire as the substitute of the absent assigned reviewer).
    `principals`: `principals_now(session, actor, now)` when the caller has it already."""
    try:
        ensure_can_see(programme, actor)
    except (PermissionDenied, ForeignMunicipality):
        return []
    facts = ProgrammeFacts(session, programme)
    options = []
    acts_for = principals
    for spec in TRANSITIONS_BY_TRIGGER.values():
        if allowed_from(programme.state, spec.trigger) is None:
            continue
        if spec.assigned_reviewer_only and acts_for is None:
            acts_for = principals_now(session, actor, now)
        try:
            _check_actor(spec, programme, actor, acts_for)
        except PermissionDenied:
            continue
        blocked = tuple(
            reason for g in spec.guards if not g.on_input and (reason := g.check(facts))
        )
        options.append(ActionOption(spec.trigger, spec.label, spec.needs_reason, spec.danger, blocked))
    return options


def fire(
    session: Session,
    programme: Programme,
    trigger: str,
    actor: User,
    *,
    now: datetime,
    reason: str = "",
    expected_version: int | None = None,
    _system: bool = False,
) -> WorkflowEvent:
    """Fire one transition: check, compare-and-set, run effects, append history."""
    spec = TRANSITIONS_BY_TRIGGER.get(trigger)
    if spec is None:
        raise IllegalTransition(f"Неизвестное действие «{trigger}»")
    if spec.system != _system:
        if spec.system:
            ensure_can_see(programme, actor)
            _check_actor(spec, programme, actor)
        raise IllegalTransition(f"Действие «{spec.label}» не выполняется системой")
    reason = check_text(reason or "", "Причина", "reason").replace("\r\n", "\n").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Причина длиннее {MAX_REASON} символов", field="reason")
    seen_version = programme.version if expected_version is None else expected_version
    ensure_can_see(programme, actor)
    campaigns.ensure_programmes_editable(programme.campaign)
    _lock(session, programme)
    if spec.system:
        on_behalf_of = None
    else:
        on_behalf_of = _check_actor(spec, programme, actor, principals_now(session, actor, now))
    if programme.version != seen_version:
        raise _stale(session, programme)
    from_state = programme.state
    dest = next_state(from_state, trigger)
    if dest is None:
        raise IllegalTransition(
            f"Действие «{spec.label}» невозможно: программа в состоянии "
            f"«{PROGRAMME_STATE_LABELS[ProgrammeState(from_state)]}»"
        )
    facts = ProgrammeFacts(session, programme, reason)
    unmet = [r for g in spec.guards if (r := g.check(facts))]
    if unmet:
        raise GuardFailed(unmet)

    values: dict = {"state": dest, "version": seen_version + 1, "updated_at": now,
                    "updated_by_id": actor.id}
    if "assign_reviewer" in spec.effects:
        if programme.reviewer_id is None:
            values["reviewer_id"] = actor.id
        else:
            # Assigned beforehand (workflow.reassignment): only that reviewer, or their
            # substitute, takes it; the assignment stays.
            on_behalf_of = acting_for_reviewer(programme, actor,
                                               principals_now(session, actor, now), spec.label)
    if ("assign_reviewer" in spec.effects or "start_decision" in spec.effects) \
            and programme.route_version_id is None:
        # The route version is pinned once: a later edit of the route never moves it.
        from .routes_definition import route_version_for

        values["route_version_id"] = route_version_for(session, programme, now=now).id
    if "freeze_revision" in spec.effects:
        values["revision_number"] = programme.revision_number + 1
        values["submitted_at"] = now
    # Compare-and-set: of two people acting on the same version, exactly one wins.
    result = session.execute(
        update(Programme)
        .where(
            Programme.id == programme.id,
            Programme.state == from_state,
            Programme.version == seen_version,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _stale(session, programme)
    for key, value in values.items():
        set_committed_value(programme, key, value)

    if "freeze_revision" in spec.effects:
        revision = _freeze_revision(session, programme, actor, now)
        if "carry_over_assessments" in spec.effects:
            session.flush()
            _carry_over_assessments(session, programme, revision)
    if "notify_reviewer" in spec.effects and programme.reviewer is not None:
        from .notifications import notify

        notify(session, [programme.reviewer], kind="programme.resubmitted", now=now,
               link=f"/programmes/{programme.id}",
               text=(f"Программа «{programme.title}» направлена повторно (редакция "
                     f"{programme.revision_number}) и снова у вас на рассмотрении."))
    event = _append_history(session, programme, actor, trigger, from_state, dest, reason, now,
                            on_behalf_of=on_behalf_of)
    if "start_decision" in spec.effects:
        from .letter_drafting import draft_decision_letter
        from .route_engine import start_decision
        from .states import DecisionKind, LetterKind

        approve = "draft_approval_letter" in spec.effects
        letter = draft_decision_letter(
            session, programme, actor, now=now, reason=reason,
            kind=LetterKind.APPROVAL if approve else LetterKind.RETURN)
        start_decision(session, programme, letter, actor, now=now,
                       kind=DecisionKind.APPROVE if approve else DecisionKind.RETURN)
    # A resubmission goes back to its reviewer, who hears of it above; everyone hears of
    # a new programme, or of a resubmitted one nobody holds.
    if trigger == "submit" or (trigger == "resubmit" and programme.reviewer is None):
        _announce_submission(session, programme, trigger, now)
    session.flush()
    return event


def _announce_submission(session: Session, programme: Programme, trigger: str,
                         now: datetime) -> None:
    """Reviewers hear of a new programme; a resubmitted one goes to the reviewer who returned
    it (all reviewers if that one is gone)."""
    from . import notifications

    municipality = programme.municipality.name if programme.municipality else ""
    reviewers = notifications.active_with_role(session, Role.REVIEWER)
    if trigger == "resubmit":
        assigned = [r for r in reviewers if r.id == programme.reviewer_id]
        reviewers = assigned or reviewers
        text = (f"{municipality}: программа «{programme.title}» направлена повторно "
                f"(редакция {programme.revision_number}).")
        kind = "programme.resubmitted"
    else:
        text = f"{municipality}: поступила программа «{programme.title}»."
        kind = "programme.submitted"
    notifications.notify(session, reviewers, kind=kind, text=text, now=now,
                         link=f"/programmes/{programme.id}")


def _freeze_revision(session: Session, programme: Programme, actor: User, now: datetime) -> Revision:
    previous = _revision_texts(session, programme.id, programme.revision_number - 1)
    revision = Revision(
        programme_id=programme.id,
        number=programme.revision_number,
        created_at=now,
        created_by_id=actor.id,
        sections=[
            _frozen_section(s, previous) for s in programme.sections
        ],
    )
    # The revision's own file list (replacing a file later leaves this revision's file be),
    # given before the revision joins the session: once flushed, it may never change.
    freeze_files(revision, programme)
    session.add(revision)
    return revision


def _carry_over_assessments(session: Session, programme: Programme, revision: Revision) -> int:
    """Copy to `revision` the assessments of the previous revision for every section whose
    text did not change; a changed section waits for the reviewer. Each copy names the
    revision its verdict was first given on. Returns how many were carried."""
    previous = session.scalar(select(Revision).where(
        Revision.programme_id == programme.id, Revision.number == revision.number - 1))
    if previous is None:
        return 0
    before = {s.requirement_id: s.text for s in previous.sections}
    carried = 0
    for old in session.scalars(select(Assessment).where(Assessment.revision_id == previous.id)):
        section = next((s for s in revision.sections if s.requirement_id == old.requirement_id),
                       None)
        if section is None or before.get(old.requirement_id) != section.text:
            continue
        session.add(Assessment(
            programme_id=programme.id, revision_id=revision.id,
            requirement_id=old.requirement_id, verdict=old.verdict, comment=old.comment,
            assessor_id=old.assessor_id, assessed_at=old.assessed_at,
            on_behalf_of_id=old.on_behalf_of_id,
            carried_from_revision=old.carried_from_revision or previous.number,
        ))
        carried += 1
    return carried


def _revision_texts(session: Session, programme_id: int, number: int) -> dict[int, str]:
    """Section texts of one revision of a programme, by requirement (empty for number 0)."""
    return dict(session.execute(
        select(RevisionSection.requirement_id, RevisionSection.text)
        .join(Revision, Revision.id == RevisionSection.revision_id)
        .where(Revision.programme_id == programme_id, Revision.number == number)
    ).all())


def _frozen_section(section: ProgrammeSection, previous: dict[int, str]) -> RevisionSection:
    """The snapshot of a section with its redline against the previous revision, computed
    here once (bounded cost, see workflow.redline): pages only show what is stored."""
    frozen = RevisionSection(requirement_id=section.requirement_id, text=section.text)
    if section.requirement_id in previous:
        diff = redline.compute(previous[section.requirement_id], section.text)
        frozen.redline, frozen.redline_method = diff.segments, diff.method
    return frozen


def _refresh_working_redlines(session: Session, programme: Programme, edited: set[int]) -> None:
    """Redlines of the working copy against the last revision, for the sections just edited
    and for those still compared with an older revision; the others are current."""
    base = programme.revision_number
    if base < 1:
        return
    stale = [s for s in programme.sections
             if s.requirement_id in edited or s.redline_base != base]
    if not stale:
        return
    previous = _revision_texts(session, programme.id, base)
    for section in stale:
        diff = (redline.compute(previous[section.requirement_id], section.text)
                if section.requirement_id in previous else None)
        section.redline = diff.segments if diff else None
        section.redline_method = diff.method if diff else None
        section.redline_base = base


def _append_history(session, programme, actor, trigger, from_state, to_state, reason, now, *,
                    on_behalf_of: int | None = None):
    last = _last_event(session, programme.id)
    event = WorkflowEvent(
        programme_id=programme.id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor.id,
        on_behalf_of_id=on_behalf_of,
        at=now.replace(microsecond=0),
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        revision_number=programme.revision_number,
        prev_hash=last.hash if last else audit.GENESIS,
    )
    audit.seal_event(session, event)
    session.add(event)
    return event


# One function per use case, as the screens and the API call them.


def submit_programme(session, programme, actor, *, now, expected_version=None):
    return fire(session, programme, "submit", actor, now=now, expected_version=expected_version)


def withdraw_programme(session, programme, actor, *, now, reason, expected_version=None):
    return fire(session, programme, "withdraw", actor, now=now, reason=reason,
                expected_version=expected_version)


def start_review(session, programme, actor, *, now, expected_version=None):
    return fire(session, programme, "start_review", actor, now=now,
                expected_version=expected_version)


def return_for_revision(session, programme, actor, *, now, reason, expected_version=None):
    return fire(session, programme, "return_for_revision", actor, now=now, reason=reason,
                expected_version=expected_version)


def resubmit_programme(session, programme, actor, *, now, expected_version=None):
    return fire(session, programme, "resubmit", actor, now=now, expected_version=expected_version)


def approve_programme(session, programme, actor, *, now, expected_version=None):
    return fire(session, programme, "approve", actor, now=now, expected_version=expected_version)


def fire_system(session, programme, trigger, actor, *, now, reason=""):
    """A system transition (the route engine's): `actor` is who caused it (the signatory,
    the refusing participant) and is recorded in the history; no role check applies."""
    return fire(session, programme, trigger, actor, now=now, reason=reason, _system=True)


# ---------------------------------------------------------------- drafts


@dataclass
class DraftFields:
    title: str
    period_from: int
    period_to: int
    responsible_name: str = ""
    responsible_position: str = ""
    responsible_phone: str = ""
    outgoing_number: str | None = None
    outgoing_date: date | None = None


def _validate_fields(fields: DraftFields) -> DraftFields:
    title = check_text(fields.title or "", "Название программы", "title").strip()
    if not title:
        raise InvalidInput("Укажите название программы", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"Название длиннее {MAX_TITLE} символов", field="title")
    if not (2000 <= fields.period_from <= fields.period_to <= 2100):
        raise InvalidInput(
            "Период реализации указан неверно: год начала не позже года окончания, 2000–2100",
            field="period_from",
        )
    for name, label in FIELD_LABELS.items():
        value = getattr(fields, name)
        if value is not None:
            value = check_text(value, label, name)
            setattr(fields, name, value)
        # The column's own length, so no value can reach the database and fail there.
        limit = Programme.__table__.c[name].type.length
        if value is not None and len(value) > limit:
            raise InvalidInput(f"Поле «{label}» длиннее {limit} символов", field=name)
    fields.title = title
    return fields


FIELD_LABELS = {
    "responsible_name": "Ответственный",
    "responsible_position": "Должность ответственного",
    "responsible_phone": "Телефон ответственного",
    "outgoing_number": "Исходящий номер",
}


def _check_title_free(session: Session, campaign_id: int, municipality_id: int, title: str,
                      programme_id: int | None = None) -> None:
    clash = select(func.count(Programme.id)).where(
        Programme.campaign_id == campaign_id,
        Programme.municipality_id == municipality_id,
        Programme.title == title,
    )
    if programme_id is not None:
        clash = clash.where(Programme.id != programme_id)
    if session.scalar(clash):
        raise InvalidInput("Программа с таким названием уже есть в этой кампании", field="title")


def _check_editor(programme_or_municipality_id: int, actor: User) -> None:
    if actor.role != Role.MUNICIPAL_EDITOR:
        raise PermissionDenied("Программу составляет специалист муниципалитета")
    if actor.municipality_id != programme_or_municipality_id:
        raise ForeignMunicipality()


def create_programme(
    session: Session, campaign: Campaign, actor: User, fields: DraftFields, *, now: datetime,
    sections: dict[int, str] | None = None,
) -> Programme:
    ensure_active(actor)
    _check_editor(actor.municipality_id, actor)
    fields = _validate_fields(fields)
    campaigns.ensure_may_start_programme(session, campaign, actor.municipality_id)
    _check_title_free(session, campaign.id, actor.municipality_id, fields.title)
    programme = Programme(
        campaign_id=campaign.id,
        municipality_id=actor.municipality_id,
        state=ProgrammeState.DRAFT,
        version=1,
        revision_number=0,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        updated_by_id=actor.id,
        **vars(fields),
    )
    texts = _validate_sections(campaign, sections or {})
    programme.sections = [
        ProgrammeSection(requirement_id=r.id, text=texts.get(r.id, "")) for r in campaign.requirements
    ]
    session.add(programme)
    session.flush()
    campaigns.programme_started(session, campaign, actor.municipality_id, now=now)
    search.reindex_programme(session, programme)
    return programme


def _validate_sections(campaign: Campaign, sections: dict[int, str]) -> dict[int, str]:
    known = {r.id for r in campaign.requirements}
    cleaned = {}
    for rid, text in sections.items():
        if rid not in known:
            raise InvalidInput("Раздел не относится к требованиям этой кампании", field="sections")
        label = f"Раздел по требованию № {_position(campaign, rid)}"
        text = check_text(text or "", label, f"section_{rid}").replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            raise InvalidInput(f"Раздел длиннее {MAX_SECTION} символов", field=f"section_{rid}")
        cleaned[rid] = text
    return cleaned


def _position(campaign: Campaign, requirement_id: int) -> int:
    return next(r.position for r in campaign.requirements if r.id == requirement_id)


def update_draft(
    session: Session, programme: Programme, actor: User, *, now: datetime,
    expected_version: int | None = None, fields: DraftFields | None = None,
    sections: dict[int, str] | None = None,
) -> Programme:
    """Save the municipality's working copy. Bumps the version, so a stale form is caught."""
    seen_version = programme.version if expected_version is None else expected_version
    ensure_can_see(programme, actor)
    _check_editor(programme.municipality_id, actor)
    campaigns.ensure_programmes_editable(programme.campaign)
    _lock(session, programme)
    if programme.version != seen_version:
        raise _stale(session, programme)
    if not programme.editable:
        raise IllegalTransition(
            "Программу можно изменять только в состоянии «Черновик» или «Возвращена на доработку»"
        )
    values: dict = {"version": seen_version + 1, "updated_at": now, "updated_by_id": actor.id}
    if fields is not None:
        values.update(vars(_validate_fields(fields)))
        _check_title_free(session, programme.campaign_id, programme.municipality_id,
                          values["title"], programme.id)
    result = session.execute(
        update(Programme)
        .where(Programme.id == programme.id, Programme.version == seen_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _stale(session, programme)
    for key, value in values.items():
        set_committed_value(programme, key, value)
    if sections:
        texts = _validate_sections(programme.campaign, sections)
        by_requirement = {s.requirement_id: s for s in programme.sections}
        edited = {rid for rid, text in texts.items() if by_requirement[rid].text != text}
        for rid, text in texts.items():
            by_requirement[rid].text = text
        _refresh_working_redlines(session, programme, edited)
    session.flush()
    search.reindex_programme(session, programme)
    return programme

