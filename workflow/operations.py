"""Programme transitions: one function each, the actor and the clock passed in.

Every function runs inside the caller's transaction (see `db.unit_of_work`) and either
completes all of its writes or raises a typed `WorkflowError` having written nothing the
caller will commit: the caller rolls back on any exception.

Beside this module: `programme_access` (who sees and acts, the row lock),
`programme_drafting` (create and save the working copy), `programme_revisions` (the frozen
snapshot, carried verdicts, redlines), `programme_history` (the chained history entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from . import campaigns, programme_access
from .errors import (
    ForeignMunicipality,
    GuardFailed,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
)
from .facts import KnownFacts, ProgrammeFacts
from .machine import TRANSITIONS_BY_TRIGGER, TransitionSpec, allowed_from, next_state
from .models import Programme, User, WorkflowEvent
from .programme_access import (
    acting_for_reviewer,
    compare_and_set,
    ensure_can_see,
    principals_now,
    stale_version,
)
from .programme_history import append_history
from .programme_revisions import carry_over_assessments, freeze_revision
from .states import PROGRAMME_STATE_LABELS, ROLE_LABELS, ProgrammeState, Role
from .text import check_text

MAX_REASON = 2_000


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
                      principals: list[int] | None = None,
                      known: KnownFacts | None = None) -> list[ActionOption]:
    """The transitions this user may fire on this programme now, in table order (with `now`,
    also those the user may fire as the substitute of the absent assigned reviewer).
    `principals`: `principals_now(session, actor, now)` when the caller has it already;
    `known`: what the caller has read of the programme in this transaction."""
    try:
        ensure_can_see(programme, actor)
    except (PermissionDenied, ForeignMunicipality):
        return []
    facts = ProgrammeFacts(session, programme, known=known)
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
    programme_access.lock_programme(session, programme)
    if spec.system:
        on_behalf_of = None
    else:
        on_behalf_of = _check_actor(spec, programme, actor, principals_now(session, actor, now))
    if programme.version != seen_version:
        raise stale_version(session, programme)
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
    compare_and_set(session, programme, values,
                    Programme.state == from_state, Programme.version == seen_version)

    if "freeze_revision" in spec.effects:
        revision = freeze_revision(session, programme, actor, now)
        if "carry_over_assessments" in spec.effects:
            session.flush()
            carry_over_assessments(session, programme, revision)
    if "notify_reviewer" in spec.effects and programme.reviewer is not None:
        from .notifications import notify

        notify(session, [programme.reviewer], kind="programme.resubmitted", now=now,
               link=f"/programmes/{programme.id}",
               text=(f"Программа «{programme.title}» направлена повторно (редакция "
                     f"{programme.revision_number}) и снова у вас на рассмотрении."))
    event = append_history(session, programme, actor, trigger, from_state, dest, reason, now,
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
