"""Each submission freezes an immutable revision of every section."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import add_external_remark, new_programme, programme_in, sign_decision
from workflow import operations, programme_drafting, review
from workflow.errors import IllegalTransition
from workflow.models import ImmutableRowError, Programme, Revision
from workflow.states import ProgrammeState


def _revisions(session, programme_id):
    return {r.number: r for r in session.scalars(
        select(Revision).where(Revision.programme_id == programme_id))}


def _texts(revision):
    return [s.text for s in revision.sections]


def test_submit_freezes_revision_1_with_the_section_texts(world):
    p = new_programme(world)
    assert _revisions(world.session, p.id) == {}
    operations.submit_programme(world.session, p, world.editor, now=world.clock.tick())
    world.session.commit()
    world.session.expire_all()

    revs = _revisions(world.session, p.id)
    assert list(revs) == [1]
    assert p.revision_number == 1
    assert _texts(revs[1]) == ["Текст раздела 1", "Текст раздела 2", "Текст раздела 3"]
    assert revs[1].created_by_id == world.editor.id
    assert [s.requirement_id for s in revs[1].sections] == [r.id for r in world.campaign.requirements]


def test_editing_after_return_keeps_revision_1_and_resubmit_freezes_revision_2(world, session_factory):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    remark = add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Доработать")
    sign_decision(w, p)
    r1, r2, _ = (r.id for r in w.campaign.requirements)
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={r1: "Исправленный раздел 1", r2: "Исправленный раздел 2"})
    w.session.commit()

    with session_factory() as other:  # what a fresh reader sees
        revs = _revisions(other, p.id)
        assert list(revs) == [1]
        assert _texts(revs[1]) == ["Текст раздела 1", "Текст раздела 2", "Текст раздела 3"]
        assert [s.text for s in other.get(Programme, p.id).sections] == [
            "Исправленный раздел 1", "Исправленный раздел 2", "Текст раздела 3"]

    review.answer_remark(w.session, p, remark, w.editor, body="Исправлено", now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()

    with session_factory() as other:
        revs = _revisions(other, p.id)
        assert sorted(revs) == [1, 2]
        assert _texts(revs[1]) == ["Текст раздела 1", "Текст раздела 2", "Текст раздела 3"]
        assert _texts(revs[2]) == ["Исправленный раздел 1", "Исправленный раздел 2", "Текст раздела 3"]
        assert other.get(Programme, p.id).revision_number == 2
        # The remark stays anchored to the revision it was made on.
        assert remark.revision_id == revs[1].id


def test_sections_cannot_be_edited_while_the_ministry_holds_the_programme(world):
    for i, state in enumerate([ProgrammeState.SUBMITTED, ProgrammeState.IN_REVIEW,
                               ProgrammeState.APPROVED, ProgrammeState.WITHDRAWN]):
        p = programme_in(world, state, title=f"Программа {i}")
        version = p.version
        with pytest.raises(IllegalTransition):
            programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(),
                                            sections={world.campaign.requirements[0].id: "Подмена"})
        assert p.version == version
        assert p.section_for(world.campaign.requirements[0].id).text == "Текст раздела 1"


@pytest.mark.parametrize("what", ["revision", "section"])
def test_a_revision_cannot_be_updated(world, what):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    world.session.commit()
    revision = _revisions(world.session, p.id)[1]
    if what == "revision":
        revision.created_by_id = world.admin.id
    else:
        revision.sections[0].text = "Переписано"
    with pytest.raises(ImmutableRowError):
        world.session.flush()
    world.session.rollback()
    assert _texts(_revisions(world.session, p.id)[1])[0] == "Текст раздела 1"
