"""Remarks: open -> answered (municipality) -> resolved (reviewer), or reopened; who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import add_external_remark, programme_in, sign_decision
from workflow import operations, programme_drafting, review
from workflow.errors import (
    ForeignMunicipality,
    IllegalTransition,
    InvalidInput,
    NotAssignedReviewer,
    NotFound,
    PermissionDenied,
)
from workflow.models import Programme, Remark, RemarkReply, User
from workflow.states import ProgrammeState, RemarkState, RemarkVisibility


def _internal(w, p, body="Для своих: проверить расчёты"):
    return review.add_remark(w.session, p, w.reviewer, requirement_id=w.campaign.requirements[1].id,
                             body=body, visibility=RemarkVisibility.INTERNAL, now=w.clock.tick())


def _returned_with_remarks(w, title="Программа профориентации"):
    """Returned, with one open external and one open internal remark."""
    p = programme_in(w, ProgrammeState.IN_REVIEW, title=title)
    external = add_external_remark(w, p)
    internal = _internal(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Доработать")
    sign_decision(w, p)
    return p, external, internal


def _replies(session, remark):
    return list(session.scalars(
        select(RemarkReply).where(RemarkReply.remark_id == remark.id).order_by(RemarkReply.id)))


# ------------------------------------------------------------------ adding


def test_only_the_assigned_reviewer_adds_remarks_during_review(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    rid = w.campaign.requirements[0].id

    def add(actor):
        return review.add_remark(w.session, p, actor, requirement_id=rid, body="Замечание",
                                 visibility=RemarkVisibility.EXTERNAL, now=w.clock.tick())

    for actor, error in [(w.other_reviewer, NotAssignedReviewer), (w.editor, PermissionDenied),
                         (w.signatory, PermissionDenied), (w.admin, PermissionDenied),
                         (w.foreign_editor, ForeignMunicipality)]:
        with pytest.raises(error) as caught:
            add(actor)
        assert type(caught.value) is error
    remark = add(w.reviewer)
    assert (remark.state, remark.author_id) == (RemarkState.OPEN, w.reviewer.id)
    assert w.session.scalar(select(func.count(Remark.id))) == 1


def test_remarks_are_anchored_to_the_current_revision_and_a_campaign_requirement(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    remark = add_external_remark(w, p)
    assert remark.revision_id is not None
    with pytest.raises(InvalidInput):
        review.add_remark(w.session, p, w.reviewer, requirement_id=999_999, body="Куда?",
                          visibility=RemarkVisibility.EXTERNAL, now=w.clock.tick())
    with pytest.raises(InvalidInput):
        review.add_remark(w.session, p, w.reviewer, requirement_id=w.campaign.requirements[0].id,
                          body="Кому?", visibility="everyone", now=w.clock.tick())


def test_no_remark_outside_review(world):
    p, _, _ = _returned_with_remarks(world)
    with pytest.raises(IllegalTransition):
        add_external_remark(world, p)


# ------------------------------------------------------------------ answering


def test_the_municipality_answers_an_external_remark_while_returned(world):
    w = world
    p, external, internal = _returned_with_remarks(w)
    reply = review.answer_remark(w.session, p, external, w.editor, body="Исправили",
                                 now=w.clock.tick())
    assert external.state == RemarkState.ANSWERED
    assert (reply.action, reply.author_id, reply.body) == ("answer", w.editor.id, "Исправили")
    assert w.session.get(Remark, internal.id).state == RemarkState.OPEN


def test_who_may_not_answer(world):
    w = world
    p, external, _ = _returned_with_remarks(w)
    for actor, error in [(w.reviewer, PermissionDenied), (w.signatory, PermissionDenied),
                         (w.admin, PermissionDenied), (w.foreign_editor, ForeignMunicipality)]:
        with pytest.raises(error):
            review.answer_remark(w.session, p, external, actor, body="Ответ", now=w.clock.tick())
    with pytest.raises(InvalidInput):
        review.answer_remark(w.session, p, external, w.editor, body="   ", now=w.clock.tick())
    assert external.state == RemarkState.OPEN
    assert _replies(w.session, external) == []


def test_an_answer_outside_the_returned_state_is_refused(world):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    remark = add_external_remark(w, p)
    with pytest.raises(IllegalTransition):
        review.answer_remark(w.session, p, remark, w.editor, body="Рано", now=w.clock.tick())
    assert remark.state == RemarkState.OPEN


def test_an_editor_cannot_see_or_answer_an_internal_remark(world):
    w = world
    p, external, internal = _returned_with_remarks(w)
    with pytest.raises(NotFound):
        review.get_remark(w.session, p, internal.id, w.editor)
    with pytest.raises(NotFound):
        review.answer_remark(w.session, p, internal, w.editor, body="Ответ", now=w.clock.tick())
    with pytest.raises(NotFound):
        review.comment_remark(w.session, p, internal, w.editor, body="Вопрос", now=w.clock.tick())
    assert w.session.get(Remark, internal.id).state == RemarkState.OPEN
    assert _replies(w.session, internal) == []
    # The ministry sees both; the editor sees the external one.
    assert review.get_remark(w.session, p, internal.id, w.reviewer) is internal
    assert review.get_remark(w.session, p, external.id, w.editor) is external


def test_a_foreign_editor_cannot_reach_a_remark_through_any_programme(world):
    """Neither through the remark's programme nor by pairing it with a programme of their own."""
    w = world
    p, external, _ = _returned_with_remarks(w)
    with pytest.raises(ForeignMunicipality):
        review.get_remark(w.session, p, external.id, w.foreign_editor)

    # A returned programme of the foreign municipality, to pair the remark with.
    own_p = programme_drafting.create_programme(
        w.session, w.campaign, w.foreign_editor,
        programme_drafting.DraftFields(title="Чужая", period_from=2026, period_to=2027), now=w.clock.tick(),
        sections={r.id: "Текст" for r in w.campaign.requirements})
    operations.submit_programme(w.session, own_p, w.foreign_editor, now=w.clock.tick())
    operations.start_review(w.session, own_p, w.reviewer, now=w.clock.tick())
    own_remark = add_external_remark(w, own_p)
    operations.return_for_revision(w.session, own_p, w.reviewer, now=w.clock.tick(), reason="Да")
    sign_decision(w, own_p)

    with pytest.raises(NotFound):
        review.get_remark(w.session, own_p, external.id, w.foreign_editor)
    with pytest.raises(NotFound):
        review.answer_remark(w.session, own_p, external, w.foreign_editor, body="Чужой ответ",
                             now=w.clock.tick())
    with pytest.raises(NotFound):
        review.comment_remark(w.session, own_p, external, w.foreign_editor, body="Чужой",
                              now=w.clock.tick())
    assert w.session.get(Remark, external.id).state == RemarkState.OPEN
    assert _replies(w.session, external) == []
    # Their own remark they may answer.
    review.answer_remark(w.session, own_p, own_remark, w.foreign_editor, body="Свой ответ",
                         now=w.clock.tick())


def test_answering_twice_from_one_session_is_refused(world):
    w = world
    p, external, _ = _returned_with_remarks(w)
    review.answer_remark(w.session, p, external, w.editor, body="Первый", now=w.clock.tick())
    with pytest.raises(IllegalTransition):
        review.answer_remark(w.session, p, external, w.editor, body="Второй", now=w.clock.tick())
    assert [r.body for r in _replies(w.session, external)] == ["Первый"]


def test_two_sessions_answering_the_same_open_remark_the_second_fails_cleanly(world, session_factory):
    w = world
    p, external, _ = _returned_with_remarks(w)
    w.session.commit()
    pid, rid, editor_id = p.id, external.id, w.editor.id

    def open_session():
        s = session_factory()
        programme, remark = s.get(Programme, pid), s.get(Remark, rid)
        s.commit()  # end the read (SQLite holds the write lock in it)
        return s, programme, remark

    s1, p1, r1 = open_session()
    s2, p2, r2 = open_session()
    assert r1.state == r2.state == RemarkState.OPEN
    try:
        review.answer_remark(s1, p1, r1, s1.get(User, editor_id), body="Ответ первого",
                             now=w.clock.tick())
        s1.commit()
        with pytest.raises(IllegalTransition) as caught:
            review.answer_remark(s2, p2, r2, s2.get(User, editor_id), body="Ответ второго",
                                 now=w.clock.tick())
        assert "обновите страницу" in caught.value.message
        s2.rollback()
        # The losing session is still usable.
        assert s2.get(Remark, rid).state == RemarkState.ANSWERED
        s2.rollback()
    finally:
        s1.close()
        s2.close()
    with session_factory() as s:
        bodies = [r.body for r in s.scalars(select(RemarkReply).where(RemarkReply.remark_id == rid))]
    assert bodies == ["Ответ первого"]


# ------------------------------------------------------------------ resolving, reopening


def _back_in_review(w):
    p, external, internal = _returned_with_remarks(w)
    review.answer_remark(w.session, p, external, w.editor, body="Исправили", now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    return p, external, internal


def test_the_assigned_reviewer_resolves_and_reopens(world):
    w = world
    p, external, internal = _back_in_review(w)
    reply = review.resolve_remark(w.session, p, external, w.reviewer, now=w.clock.tick(),
                                  body="Принято")
    assert external.state == RemarkState.RESOLVED
    assert (reply.action, reply.body) == ("resolve", "Принято")
    # An open internal remark is resolved directly.
    review.resolve_remark(w.session, p, internal, w.reviewer, now=w.clock.tick())
    assert internal.state == RemarkState.RESOLVED

    reply = review.reopen_remark(w.session, p, external, w.reviewer, now=w.clock.tick(),
                                 body="Нет, не исправлено")
    assert external.state == RemarkState.OPEN
    assert reply.action == "reopen"
    assert [r.action for r in _replies(w.session, external)] == ["answer", "resolve", "reopen"]


def test_resolve_and_reopen_from_the_wrong_state_are_refused(world):
    w = world
    p, external, _ = _back_in_review(w)
    # answered -> open: the reviewer rejects the answer.
    review.reopen_remark(w.session, p, external, w.reviewer, now=w.clock.tick())
    assert external.state == RemarkState.OPEN
    with pytest.raises(IllegalTransition):  # open -> open
        review.reopen_remark(w.session, p, external, w.reviewer, now=w.clock.tick())
    review.resolve_remark(w.session, p, external, w.reviewer, now=w.clock.tick())
    with pytest.raises(IllegalTransition):  # resolved -> resolved
        review.resolve_remark(w.session, p, external, w.reviewer, now=w.clock.tick())
    assert external.state == RemarkState.RESOLVED
    assert [r.action for r in _replies(w.session, external)] == ["answer", "reopen", "resolve"]


def test_who_may_not_resolve_or_reopen(world):
    w = world
    p, external, _ = _back_in_review(w)
    for op in (review.resolve_remark, review.reopen_remark):
        for actor, error in [(w.other_reviewer, NotAssignedReviewer), (w.editor, PermissionDenied),
                             (w.signatory, PermissionDenied), (w.admin, PermissionDenied),
                             (w.foreign_editor, ForeignMunicipality)]:
            with pytest.raises(error) as caught:
                op(w.session, p, external, actor, now=w.clock.tick())
            assert type(caught.value) is error
    assert external.state == RemarkState.ANSWERED
    assert [r.action for r in _replies(w.session, external)] == ["answer"]


def test_resolving_a_remark_of_another_programme_is_refused(world):
    """Being assigned to one programme gives no hold on the remarks of another."""
    w = world
    p, external, _ = _back_in_review(w)
    mine = programme_in(w, ProgrammeState.SUBMITTED, title="Другая")
    operations.start_review(w.session, mine, w.other_reviewer, now=w.clock.tick())
    with pytest.raises(NotFound):
        review.resolve_remark(w.session, mine, external, w.other_reviewer, now=w.clock.tick())
    assert w.session.get(Remark, external.id).state == RemarkState.ANSWERED


def test_resolving_is_only_during_review(world):
    w = world
    p, external, _ = _returned_with_remarks(w)
    with pytest.raises(IllegalTransition):
        review.resolve_remark(w.session, p, external, w.reviewer, now=w.clock.tick())


# ------------------------------------------------------------------ comments


def test_comments_keep_the_state_and_are_for_the_editor_and_the_reviewer(world):
    w = world
    p, external, internal = _returned_with_remarks(w)
    review.comment_remark(w.session, p, external, w.editor, body="Уточните, пожалуйста",
                          now=w.clock.tick())
    review.comment_remark(w.session, p, external, w.reviewer, body="Нужны цифры",
                          now=w.clock.tick())
    review.comment_remark(w.session, p, internal, w.other_reviewer, body="Согласен",
                          now=w.clock.tick())
    assert external.state == internal.state == RemarkState.OPEN
    assert [r.action for r in _replies(w.session, external)] == ["comment", "comment"]

    for actor, error in [(w.signatory, PermissionDenied), (w.admin, PermissionDenied),
                         (w.foreign_editor, ForeignMunicipality)]:
        with pytest.raises(error):
            review.comment_remark(w.session, p, external, actor, body="Можно?", now=w.clock.tick())
    with pytest.raises(InvalidInput):
        review.comment_remark(w.session, p, external, w.editor, body="", now=w.clock.tick())
    assert len(_replies(w.session, external)) == 2
