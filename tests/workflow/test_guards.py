"""Each guard refuses with its Russian reason, writes nothing, then allows once satisfied."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import (
    add_external_remark,
    assess_all,
    new_programme,
    programme_in,
    sign_decision,
)
from tests.workflow.support import snapshot
from workflow import operations, programme_drafting, review
from workflow.errors import GuardFailed
from workflow.models import Remark
from workflow.states import ProgrammeState, RemarkState, RemarkVisibility, Verdict

NO_OPEN_EXTERNAL = "Для возврата на доработку нужно хотя бы одно открытое замечание для муниципалитета"
NO_RETURN_REASON = "Укажите причину возврата на доработку"


def refused(world, programme, call) -> list[str]:
    """Run `call`, expect GuardFailed, check nothing was written, return the reasons."""
    before = snapshot(world.session, programme.id)
    with pytest.raises(GuardFailed) as caught:
        call()
    assert snapshot(world.session, programme.id) == before
    assert caught.value.code == "guard_failed"
    assert caught.value.message == "; ".join(caught.value.reasons)
    return caught.value.reasons


def section_ids(world):
    return [r.id for r in world.campaign.requirements]


def test_submit_with_an_empty_section_is_refused_naming_the_requirement(world):
    p = new_programme(world, filled=False)
    r1, r2, r3 = section_ids(world)
    programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(),
                                    sections={r1: "Есть текст", r3: "   \r\n  "})

    reasons = refused(world, p, lambda: operations.submit_programme(
        world.session, p, world.editor, now=world.clock.tick()))
    assert reasons == ["Не заполнены разделы программы по требованиям № 2, 3"]

    programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(),
                                    sections={r2: "Второй", r3: "Третий"})
    operations.submit_programme(world.session, p, world.editor, now=world.clock.tick())
    assert p.state == ProgrammeState.SUBMITTED


@pytest.mark.parametrize("state", [ProgrammeState.DRAFT, ProgrammeState.SUBMITTED])
@pytest.mark.parametrize("blank", ["", "   \n "])
def test_withdraw_without_a_reason_is_refused(world, state, blank):
    p = programme_in(world, state)
    reasons = refused(world, p, lambda: operations.withdraw_programme(
        world.session, p, world.editor, now=world.clock.tick(), reason=blank))
    assert reasons == ["Укажите причину отзыва"]

    event = operations.withdraw_programme(world.session, p, world.editor, now=world.clock.tick(),
                                          reason="  Программа объединена с другой  ")
    assert p.state == ProgrammeState.WITHDRAWN
    assert event.reason == "Программа объединена с другой"


def test_return_without_a_reason_is_refused(world):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    add_external_remark(world, p)
    reasons = refused(world, p, lambda: operations.return_for_revision(
        world.session, p, world.reviewer, now=world.clock.tick(), reason=" "))
    assert reasons == [NO_RETURN_REASON]

    operations.return_for_revision(world.session, p, world.reviewer, now=world.clock.tick(),
                                   reason="Показатели не обоснованы")
    sign_decision(world, p)
    assert p.state == ProgrammeState.RETURNED


def test_return_needs_an_open_external_remark_an_internal_one_does_not_count(world):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    r1 = world.campaign.requirements[0].id

    assert refused(world, p, lambda: operations.return_for_revision(
        world.session, p, world.reviewer, now=world.clock.tick(), reason="")) == [
        NO_OPEN_EXTERNAL, NO_RETURN_REASON]

    review.add_remark(world.session, p, world.reviewer, requirement_id=r1, body="Только для своих",
                      visibility=RemarkVisibility.INTERNAL, now=world.clock.tick())
    assert refused(world, p, lambda: operations.return_for_revision(
        world.session, p, world.reviewer, now=world.clock.tick(), reason="Доработать")) == [
        NO_OPEN_EXTERNAL]

    # A resolved external remark is not open either.
    resolved = add_external_remark(world, p)
    review.resolve_remark(world.session, p, resolved, world.reviewer, now=world.clock.tick())
    assert refused(world, p, lambda: operations.return_for_revision(
        world.session, p, world.reviewer, now=world.clock.tick(), reason="Доработать")) == [
        NO_OPEN_EXTERNAL]

    add_external_remark(world, p, "Уточните сроки")
    operations.return_for_revision(world.session, p, world.reviewer, now=world.clock.tick(),
                                   reason="Доработать")
    sign_decision(world, p)
    assert p.state == ProgrammeState.RETURNED


def test_resubmit_with_an_unanswered_external_remark_is_refused(world):
    p = programme_in(world, ProgrammeState.RETURNED)  # has one open external remark
    (first,) = _remarks(world, p)
    reasons = refused(world, p, lambda: operations.resubmit_programme(
        world.session, p, world.editor, now=world.clock.tick()))
    assert reasons == ["Ответьте на все замечания министерства: без ответа осталось 1"]

    review.answer_remark(world.session, p, first, world.editor, body="Показатели уточнены",
                         now=world.clock.tick())
    assert first.state == RemarkState.ANSWERED
    operations.resubmit_programme(world.session, p, world.editor, now=world.clock.tick())
    assert (p.state, p.revision_number) == (ProgrammeState.IN_REVIEW, 2)


def test_resubmit_counts_every_unanswered_remark_and_ignores_internal_ones(world):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    r1, r2, _ = section_ids(world)
    for rid in (r1, r2):
        review.add_remark(world.session, p, world.reviewer, requirement_id=rid, body=f"Замечание {rid}",
                          visibility=RemarkVisibility.EXTERNAL, now=world.clock.tick())
    review.add_remark(world.session, p, world.reviewer, requirement_id=r1, body="Внутреннее",
                      visibility=RemarkVisibility.INTERNAL, now=world.clock.tick())
    operations.return_for_revision(world.session, p, world.reviewer, now=world.clock.tick(),
                                   reason="Доработать")
    sign_decision(world, p)
    assert refused(world, p, lambda: operations.resubmit_programme(
        world.session, p, world.editor, now=world.clock.tick())) == [
        "Ответьте на все замечания министерства: без ответа осталось 2"]
    for remark in _remarks(world, p):
        if remark.visibility == RemarkVisibility.EXTERNAL:
            review.answer_remark(world.session, p, remark, world.editor, body="Готово",
                                 now=world.clock.tick())
    operations.resubmit_programme(world.session, p, world.editor, now=world.clock.tick())
    assert p.state == ProgrammeState.IN_REVIEW


def test_approve_with_a_requirement_assessed_partly_is_refused(world):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    assess_all(world, p)
    r2 = world.campaign.requirements[1].id
    review.assess_requirement(world.session, p, world.reviewer, requirement_id=r2,
                              verdict=Verdict.PARTLY, now=world.clock.tick())
    assert refused(world, p, lambda: operations.approve_programme(
        world.session, p, world.reviewer, now=world.clock.tick())) == [
        "Не все требования оценены как «Выполнено»: требования № 2"]

    review.assess_requirement(world.session, p, world.reviewer, requirement_id=r2,
                              verdict=Verdict.MET, now=world.clock.tick())
    operations.approve_programme(world.session, p, world.reviewer, now=world.clock.tick())
    sign_decision(world, p)
    assert p.state == ProgrammeState.APPROVED


def test_approve_with_an_unassessed_requirement_is_refused(world):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    assert refused(world, p, lambda: operations.approve_programme(
        world.session, p, world.reviewer, now=world.clock.tick())) == [
        "Не все требования оценены как «Выполнено»: требования № 1, 2, 3"]


@pytest.mark.parametrize("visibility", [RemarkVisibility.EXTERNAL, RemarkVisibility.INTERNAL])
def test_approve_with_an_unresolved_remark_is_refused(world, visibility):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    assess_all(world, p)
    remark = review.add_remark(world.session, p, world.reviewer,
                               requirement_id=world.campaign.requirements[2].id,
                               body="Проверить", visibility=visibility, now=world.clock.tick())
    assert refused(world, p, lambda: operations.approve_programme(
        world.session, p, world.reviewer, now=world.clock.tick())) == [
        "Есть неснятые замечания (1): снимите их перед согласованием"]

    review.resolve_remark(world.session, p, remark, world.reviewer, now=world.clock.tick())
    operations.approve_programme(world.session, p, world.reviewer, now=world.clock.tick())
    sign_decision(world, p)
    assert p.state == ProgrammeState.APPROVED


def test_approve_after_resubmission_needs_the_new_revision_assessed(world):
    """Assessments belong to a revision: the verdicts on revision 1 do not approve the changed
    sections of revision 2 (unchanged ones carry their verdict over, see test_carry_over)."""
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    assess_all(world, p)
    remark = add_external_remark(world, p)
    operations.return_for_revision(world.session, p, world.reviewer, now=world.clock.tick(),
                                   reason="Доработать")
    sign_decision(world, p)
    review.answer_remark(world.session, p, remark, world.editor, body="Исправлено",
                         now=world.clock.tick())
    programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(), sections={
        r.id: f"Переработанный раздел {r.position}" for r in world.campaign.requirements})
    operations.resubmit_programme(world.session, p, world.editor, now=world.clock.tick())
    review.resolve_remark(world.session, p, remark, world.reviewer, now=world.clock.tick())

    assert refused(world, p, lambda: operations.approve_programme(
        world.session, p, world.reviewer, now=world.clock.tick())) == [
        "Не все требования оценены как «Выполнено»: требования № 1, 2, 3"]
    assess_all(world, p)
    operations.approve_programme(world.session, p, world.reviewer, now=world.clock.tick())
    sign_decision(world, p)
    assert p.state == ProgrammeState.APPROVED


def test_blocked_actions_list_the_guard_reasons(world):
    p = new_programme(world, filled=False)
    options = {o.trigger: o for o in operations.available_actions(world.session, p, world.editor)}
    assert options["submit"].blocked_by == (
        "Не заполнены разделы программы по требованиям № 1, 2, 3",)
    assert not options["submit"].enabled
    assert options["withdraw"].blocked_by == ()

    q = programme_in(world, ProgrammeState.RETURNED, title="Вторая")
    options = {o.trigger: o for o in operations.available_actions(world.session, q, world.editor)}
    assert list(options) == ["resubmit"]
    assert options["resubmit"].blocked_by == (
        "Ответьте на все замечания министерства: без ответа осталось 1",)


def _remarks(world, programme):
    return list(world.session.scalars(
        select(Remark).where(Remark.programme_id == programme.id).order_by(Remark.id)))
