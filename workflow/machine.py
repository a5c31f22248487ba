"""The programme state machine, declared as data and run on `transitions`.

The table below is the single source of truth: operations enforce it, `available_actions`
shows it to the screens, and the tests enumerate it. A `Machine` is never attached to an ORM
row (SQLAlchemy does not call `__init__` on load, and `add_model` keeps references); a
throw-away adapter wraps the row's state for the length of one operation instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from transitions import Machine, MachineError

from .i18n import N_
from .states import ProgrammeState as S
from .states import Role


@dataclass(frozen=True)
class Guard:
    name: str
    # Returns None when the condition holds, or the Russian reason why it does not. The screens
    # show it translated (`web.i18n_labels.tr`: a fixed reason is marked `N_`, one with
    # numbers in it is matched there by a pattern).
    check: Callable[[object], str | None]
    # Guards on the caller's input (a reason) are not evaluated when listing actions.
    on_input: bool = False


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    sources: tuple[S, ...]
    dest: S
    roles: frozenset[Role]
    label: str
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False
    # Only the reviewer assigned to the programme may fire it.
    assigned_reviewer_only: bool = False
    # The actor must belong to the programme's municipality.
    own_municipality_only: bool = False
    danger: bool = False
    effects: tuple[str, ...] = field(default=())
    # Fired by the system (the route engine, when a decision's letter is signed or a route
    # refusal sends the programme back), never by a person: no role may fire it.
    system: bool = False


def _reason_given(label: str) -> Guard:
    return Guard("reason_given", lambda f: None if f.reason else label, on_input=True)


def _all_sections_filled(f) -> str | None:
    missing = f.unfilled_requirement_positions
    if missing:
        listed = ", ".join(str(p) for p in missing)
        return f"Не заполнены разделы программы по требованиям № {listed}"
    return None


def _has_open_external_remark(f) -> str | None:
    if f.open_external_remarks == 0:
        return N_("Для возврата на доработку нужно хотя бы одно открытое замечание для "
                  "муниципалитета")
    return None


def _every_external_remark_answered(f) -> str | None:
    if f.open_external_remarks:
        return f"Ответьте на все замечания министерства: без ответа осталось {f.open_external_remarks}"
    return None


def _every_requirement_met(f) -> str | None:
    pending = f.requirements_not_met_positions
    if pending:
        listed = ", ".join(str(p) for p in pending)
        return f"Не все требования оценены как «Выполнено»: требования № {listed}"
    return None


def _no_unresolved_remark(f) -> str | None:
    if f.unresolved_remarks:
        return f"Есть неснятые замечания ({f.unresolved_remarks}): снимите их перед согласованием"
    return None


EDITOR = frozenset({Role.MUNICIPAL_EDITOR})
REVIEWER = frozenset({Role.REVIEWER})
SYSTEM = frozenset()

PROGRAMME_TRANSITIONS: tuple[TransitionSpec, ...] = (
    TransitionSpec(
        "submit", (S.DRAFT,), S.SUBMITTED, EDITOR, N_("Направить в министерство"),
        guards=(Guard("all_sections_filled", _all_sections_filled),),
        own_municipality_only=True, effects=("freeze_revision",),
    ),
    TransitionSpec(
        "withdraw", (S.DRAFT, S.SUBMITTED), S.WITHDRAWN, EDITOR, N_("Отозвать программу"),
        guards=(_reason_given("Укажите причину отзыва"),),
        needs_reason=True, own_municipality_only=True, danger=True,
    ),
    TransitionSpec(
        "start_review", (S.SUBMITTED,), S.IN_REVIEW, REVIEWER, N_("Взять на рассмотрение"),
        effects=("assign_reviewer",),
    ),
    TransitionSpec(
        "return_for_revision", (S.IN_REVIEW,), S.DECISION_PENDING, REVIEWER,
        N_("Вернуть на доработку"),
        guards=(
            Guard("open_external_remark", _has_open_external_remark),
            _reason_given("Укажите причину возврата на доработку"),
        ),
        needs_reason=True, assigned_reviewer_only=True, danger=True,
        effects=("draft_return_letter", "start_decision"),
    ),
    # A returned programme goes straight back to the reviewer who returned it (or to whom it
    # was reassigned meanwhile): a returned programme always has one (it got there from
    # in_review), so no second "Взять на рассмотрение" is needed. Unchanged sections keep
    # their assessment (effect "carry_over_assessments", see programme_revisions.freeze_revision).
    TransitionSpec(
        "resubmit", (S.RETURNED,), S.IN_REVIEW, EDITOR, N_("Направить повторно"),
        guards=(
            Guard("every_remark_answered", _every_external_remark_answered),
            Guard("all_sections_filled", _all_sections_filled),
        ),
        own_municipality_only=True,
        effects=("freeze_revision", "carry_over_assessments", "notify_reviewer"),
    ),
    TransitionSpec(
        "approve", (S.IN_REVIEW,), S.DECISION_PENDING, REVIEWER, N_("Согласовать"),
        guards=(
            Guard("every_requirement_met", _every_requirement_met),
            Guard("no_unresolved_remark", _no_unresolved_remark),
        ),
        assigned_reviewer_only=True, effects=("draft_approval_letter", "start_decision"),
    ),
    # The second level: the route engine (workflow.route_engine) runs the decision's stages
    # while the programme is `decision_pending` and fires these when the route ends.
    TransitionSpec(
        "decision_signed_approval", (S.DECISION_PENDING,), S.APPROVED, SYSTEM,
        N_("Решение о согласовании подписано"), system=True,
    ),
    TransitionSpec(
        "decision_signed_return", (S.DECISION_PENDING,), S.RETURNED, SYSTEM,
        N_("Решение о возврате подписано"), system=True,
    ),
    TransitionSpec(
        "decision_refused", (S.DECISION_PENDING,), S.IN_REVIEW, SYSTEM,
        N_("Решение не согласовано: программа возвращена эксперту"), system=True,
    ),
)

TRANSITIONS_BY_TRIGGER = {t.trigger: t for t in PROGRAMME_TRANSITIONS}
TRIGGERS = tuple(TRANSITIONS_BY_TRIGGER)


class _StateHolder:
    """What `transitions` drives: a plain object holding one state string."""

    def __init__(self, state: str):
        self.state = state


def _build_machine(model: _StateHolder) -> Machine:
    return Machine(
        model=model,
        states=[s.value for s in S],
        transitions=[
            {"trigger": t.trigger, "source": [s.value for s in t.sources], "dest": t.dest.value}
            for t in PROGRAMME_TRANSITIONS
        ],
        initial=model.state,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


def _reachable() -> dict[tuple[str, str], str]:
    """(state, trigger) -> destination for every legal pair, found by running each trigger
    from each state on the machine once, at import."""
    table = {}
    for state in S:
        for spec in PROGRAMME_TRANSITIONS:
            dest = fire_on_machine(state.value, spec.trigger)
            if dest is not None:
                table[(state.value, spec.trigger)] = dest
    return table


def allowed_from(current: str, trigger: str) -> str | None:
    """The destination of `trigger` from `current`, or None; a lookup for listing actions
    (the screens ask for every trigger of every row), equal to what the machine does."""
    return _REACHABLE.get((getattr(current, "value", current), trigger))


def next_state(current: str, trigger: str) -> str | None:
    """Run `trigger` on a throw-away machine; the destination, or None if illegal here."""
    return fire_on_machine(current, trigger)


def fire_on_machine(current: str, trigger: str) -> str | None:
    # A `ProgrammeState` member (what a freshly created row holds until it is reloaded) must
    # become its plain value: `transitions` treats an Enum initial state as the member's
    # *name* ("DRAFT"), which matches no state, and every trigger then looked illegal.
    holder = _StateHolder(getattr(current, "value", current))
    _build_machine(holder)
    try:
        getattr(holder, trigger)()
    except (MachineError, AttributeError):
        return None
    return holder.state


_REACHABLE = _reachable()


def _before_first_submission() -> frozenset[str]:
    """The states a programme can be in without ever having been submitted: those reachable
    from a new draft by transitions that freeze no revision. Only these can have no
    `submitted_at` (the effect sets it); the queue leaves the never-submitted half out of
    a tab whose state is not among them (workflow.queue.page_ids)."""
    seen, frontier = {S.DRAFT.value}, [S.DRAFT.value]
    while frontier:
        state = frontier.pop()
        for spec in PROGRAMME_TRANSITIONS:
            dest = _REACHABLE.get((state, spec.trigger))
            if dest is not None and "freeze_revision" not in spec.effects and dest not in seen:
                seen.add(dest)
                frontier.append(dest)
    return frozenset(seen)


STATES_POSSIBLY_UNSUBMITTED = _before_first_submission()
