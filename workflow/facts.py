"""The facts guards look at, computed lazily with one small query each, or from what the
caller has read already in the same transaction (`KnownFacts`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, and_, bindparam, case, func, inspect, literal, select, union_all
from sqlalchemy.orm import Session

from .models import Assessment, Programme, ProgrammeSection, Remark, Requirement, Revision
from .states import RemarkState, RemarkVisibility, Verdict


def _memo(method):
    """Compute once per instance. Not `functools.cached_property`: on Python 3.11 it takes a
    lock shared by every instance of the class, so two request threads computing facts for
    different programmes serialise on it, and a thread that holds it while waiting for the
    database lock deadlocks with one that holds the database lock and waits for it."""
    name = method.__name__

    def getter(self):
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = method(self)
        return cache[name]

    return property(getter, doc=method.__doc__)


@dataclass(frozen=True)
class KnownFacts:
    """What a page has read already in this transaction: the guards count from it instead of
    asking again (the programme page listed the actions with two more queries).

    `remarks`: the programme's remarks, all of them if `all_remarks`, else the external ones
    (what a municipality sees). `met_requirement_ids`: the requirements assessed «Выполнено»
    in the programme's current revision, when the caller has read that revision's
    assessments."""

    remarks: Sequence[Remark] | None = None
    all_remarks: bool = False
    met_requirement_ids: frozenset[int] | None = None


_ID = bindparam("programme_id", type_=Integer)
_OPEN_EXTERNAL = and_(Remark.visibility == RemarkVisibility.EXTERNAL,
                      Remark.state == RemarkState.OPEN)
# The remark counts (one row, no requirement) and the requirements assessed «Выполнено» in the
# current revision (a row each), in one round trip: listing a reviewer's actions asked both.
_REVIEW_FACTS = union_all(
    select(literal(None, Integer).label("requirement_id"),
           func.coalesce(func.sum(case((_OPEN_EXTERNAL, 1), else_=0)), 0).label("open_external"),
           func.coalesce(func.sum(case((Remark.state != RemarkState.RESOLVED, 1), else_=0)),
                         0).label("unresolved"))
    .where(Remark.programme_id == _ID),
    select(Assessment.requirement_id, literal(0), literal(0))
    .join(Revision, Revision.id == Assessment.revision_id)
    .where(Revision.programme_id == _ID,
           Revision.number == bindparam("revision_number", type_=Integer),
           Assessment.verdict == Verdict.MET),
)


def _open_external(remarks: Sequence[Remark]) -> int:
    return sum(1 for r in remarks
               if r.visibility == RemarkVisibility.EXTERNAL and r.state == RemarkState.OPEN)


class ProgrammeFacts:
    def __init__(self, session: Session, programme: Programme, reason: str = "",
                 known: KnownFacts | None = None):
        self.session = session
        self.programme = programme
        self.reason = (reason or "").strip()
        self.known = known or KnownFacts()

    @_memo
    def _requirements(self) -> list[tuple[int, int]]:
        # The programme page has loaded them already, in this same transaction.
        campaign = inspect(self.programme).dict.get("campaign")
        if campaign is not None and "requirements" in inspect(campaign).dict:
            return sorted(((r.id, r.position) for r in campaign.requirements),
                          key=lambda pair: pair[1])
        return list(
            self.session.execute(
                select(Requirement.id, Requirement.position)
                .where(Requirement.campaign_id == self.programme.campaign_id)
                .order_by(Requirement.position)
            ).all()
        )

    @_memo
    def unfilled_requirement_positions(self) -> list[int]:
        filled = set(
            self.session.scalars(
                select(ProgrammeSection.requirement_id).where(
                    ProgrammeSection.programme_id == self.programme.id,
                    func.length(func.trim(ProgrammeSection.text)) > 0,
                )
            )
        )
        return [pos for rid, pos in self._requirements if rid not in filled]

    @_memo
    def _review_facts(self) -> tuple[tuple[int, int], frozenset[int]]:
        """((open external remarks, unresolved remarks of any kind), the requirements assessed
        «Выполнено» in the current revision): one statement for what the review guards ask."""
        rows = self.session.execute(_REVIEW_FACTS, {
            "programme_id": self.programme.id,
            "revision_number": self.programme.revision_number}).all()
        counts = next(r for r in rows if r.requirement_id is None)
        return ((int(counts.open_external), int(counts.unresolved)),
                frozenset(r.requirement_id for r in rows if r.requirement_id is not None))

    @property
    def _remark_counts(self) -> tuple[int, int]:
        """(open external, unresolved of any kind)."""
        known = self.known
        if known.remarks is not None and known.all_remarks:
            return (_open_external(known.remarks),
                    sum(1 for r in known.remarks if r.state != RemarkState.RESOLVED))
        return self._review_facts[0]

    @property
    def open_external_remarks(self) -> int:
        known = self.known
        if known.remarks is not None and not known.all_remarks:  # a municipality's page
            return _open_external(known.remarks)
        return self._remark_counts[0]

    @property
    def unresolved_remarks(self) -> int:
        return self._remark_counts[1]

    @_memo
    def requirements_not_met_positions(self) -> list[int]:
        met = self.known.met_requirement_ids
        if met is None:
            met = self._review_facts[1]
        return [pos for rid, pos in self._requirements if rid not in met]
