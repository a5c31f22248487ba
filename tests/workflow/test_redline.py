"""The redline: word tokens with their whitespace, a bounded comparison with a line-level and
a whole-text fallback, computed once when a revision is frozen (or a draft saved) and stored."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from tests.factories import programme_in, sign_decision
from workflow import operations, programme_drafting, redline, review
from workflow.models import Remark, Revision, RevisionSection
from workflow.redline import LINES, SAME, WHOLE, WORDS, compute, new_text, old_text, tokens
from workflow.states import ProgrammeState

CRAFTED_OLD, CRAFTED_NEW = "a " * 1000, "b " * 1000


# ---------------------------------------------------------------- the comparison


def test_a_changed_word_and_a_removed_comma_are_marked_alone():
    diff = compute("План на 2025 год, утверждён.", "План на 2026 год утверждён.")
    assert diff.method == WORDS
    assert diff.segments == [["eq", "План на "], ["del", "2025"], ["ins", "2026"],
                             ["eq", " год"], ["del", ","], ["eq", " утверждён."]]


def test_an_added_sentence_is_one_insertion():
    diff = compute("Первое предложение.", "Первое предложение. Второе предложение.")
    assert diff.segments == [["eq", "Первое предложение."], ["ins", " Второе предложение."]]


def test_spaces_are_never_tokens_of_their_own():
    text = "Слово  слово,\nещё слово. "
    assert tokens(text) == ["Слово", "  слово", ",", "\nещё", " слово", ".", " "]
    assert "".join(tokens(text)) == text
    # A different run of spaces is not a change; a new line break is.
    assert compute("один два", "один  два").segments == [["eq", "один  два"]]
    assert compute("один два", "один\nдва").segments == [["eq", "один"], ["del", " два"],
                                                         ["ins", "\nдва"]]


def test_unchanged_text_has_no_segments():
    assert compute("Текст", "Текст") == redline.Redline(SAME, None)


def test_segments_rebuild_both_texts():
    rnd = random.Random(5)
    words = ["план", "на", "год", ",", ".", "утверждён", "2026", "<b>", "&"]
    for _ in range(300):
        def gen():
            return "".join(rnd.choice(words) + rnd.choice(["", " ", "\n"])
                           for _ in range(rnd.randint(0, 40)))
        old, new = gen(), gen()
        diff = compute(old, new)
        if diff.method == SAME:
            continue
        assert new_text(diff.segments) == new
        assert [t.strip() for t in tokens(old_text(diff.segments))] == [t.strip() for t in tokens(old)]


def test_the_crafted_pair_takes_the_bounded_fallback():
    """34 s per page view with the old SequenceMatcher; here a fallback, recorded."""
    diff = compute(CRAFTED_OLD, CRAFTED_NEW)
    assert diff.method == LINES
    assert diff.segments == [["del", CRAFTED_OLD], ["ins", CRAFTED_NEW]]  # the line, whole


def test_too_many_changed_lines_are_shown_whole_apart_from_the_common_ends():
    old = "Начало.\n" + "\n".join(["x y"] * 3000) + "\nКонец."
    new = "Начало.\n" + "\n".join(["x z"] * 3000) + "\nКонец."
    diff = compute(old, new)
    assert diff.method == WHOLE
    assert [op for op, _ in diff.segments] == ["eq", "del", "ins", "eq"]
    assert diff.segments[0][1].startswith("Начало.\nx") and diff.segments[-1][1].endswith("Конец.")
    assert new_text(diff.segments) == new


@pytest.mark.parametrize("old, new", [
    (CRAFTED_OLD, CRAFTED_NEW),
    (" ".join(["x y"] * 3000), " ".join(["x z"] * 3000)),  # cubic for SequenceMatcher
    ("\n".join(["x y"] * 3000), "\n".join(["x z"] * 3000)),
    ("\n".join(["строка"] * 9000), "\n".join(["другая"] * 9000)),
    ("а " * 9000, "а б " * 4500),
])
def test_work_stays_within_the_budget_whatever_the_input(monkeypatch, old, new):
    """The bound is a count of work units, not a clock: every call of the core loop is
    given what is left of its budget and cannot spend much more."""
    spent = []
    real = redline._myers

    def counting(a, b, budget):
        steps, work = real(a, b, budget)
        spent.append(work)
        return steps, work

    monkeypatch.setattr(redline, "_myers", counting)
    diff = compute(old, new)
    assert diff.method in (LINES, WHOLE)
    # Words, then lines, then the refinement of changed blocks: each stops as soon as its
    # budget is crossed, at most one run of equal tokens (fewer than the characters) beyond.
    limit = 2 * redline.WORK_BUDGET + redline.REFINE_BUDGET + 3 * (len(old) + len(new))
    assert sum(spent) <= limit, (spent, limit)
    assert new_text(diff.segments) == new


def test_heavily_edited_paragraphs_are_still_compared_word_by_word():
    rnd = random.Random(3)
    paragraphs = [" ".join(f"слово{rnd.randint(0, 50)}" for _ in range(120)) for _ in range(25)]
    edited = [" ".join(w if rnd.random() > 0.3 else "замена" for w in p.split())
              for p in paragraphs]
    diff = compute("\n".join(paragraphs), "\n".join(edited))
    assert diff.method == WORDS  # words overran the budget, the paragraph pairs did not
    assert all(len(text) < 200 for op, text in diff.segments if op != "eq")


# ---------------------------------------------------------------- stored with the revision


def _resubmit_with(w, p, texts: dict[int, str]) -> None:
    """From `returned`: edit sections, answer the open remarks, resubmit."""
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(), sections=texts)
    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id,
                                                         Remark.state == "open")):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено", now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()


def _stored(session, programme_id, number) -> dict[int, RevisionSection]:
    return {s.requirement_id: s for s in session.scalars(
        select(RevisionSection).join(Revision)
        .where(Revision.programme_id == programme_id, Revision.number == number))}


def test_freezing_a_revision_stores_its_redline(world, session_factory):
    w = world
    p = programme_in(w, ProgrammeState.RETURNED)
    r1, r2, r3 = (r.id for r in w.campaign.requirements)
    _resubmit_with(w, p, {r1: "Текст раздела 1, дополненный", r2: CRAFTED_NEW.strip()})

    with session_factory() as other:
        first, second = _stored(other, p.id, 1), _stored(other, p.id, 2)
        assert {s.redline_method for s in first.values()} == {None}
        assert second[r1].redline_method == WORDS
        assert second[r1].redline == [["eq", "Текст раздела 1"], ["ins", ", дополненный"]]
        assert second[r2].redline_method == LINES  # "Текст раздела 2" -> "b b b ..."
        assert second[r3].redline_method == SAME and second[r3].redline is None


def test_the_crafted_pair_is_stored_with_the_fallback_method(world, session_factory):
    w = world
    p = programme_in(w, ProgrammeState.RETURNED)
    r1 = w.campaign.requirements[0].id
    # Revision 1 has "a a a ...", revision 2 "b b b ...".
    _resubmit_with(w, p, {r1: CRAFTED_OLD})
    review.add_remark(w.session, p, w.reviewer, requirement_id=r1, body="Ещё раз",
                      visibility="external", now=w.clock.tick())
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Ещё")
    sign_decision(w, p)
    _resubmit_with(w, p, {r1: CRAFTED_NEW})

    with session_factory() as other:
        stored = _stored(other, p.id, 3)[r1]
        assert stored.redline_method == LINES
        assert new_text(stored.redline) == CRAFTED_NEW.strip()


def test_saving_the_working_copy_stores_its_redline_against_the_last_revision(world):
    w = world
    p = programme_in(w, ProgrammeState.RETURNED)
    r1, r2, _ = (r.id for r in w.campaign.requirements)
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={r1: "Текст раздела один"})
    w.session.commit()
    s1, s2 = p.section_for(r1), p.section_for(r2)
    assert (s1.redline_base, s1.redline_method) == (1, WORDS)
    assert s1.redline == [["eq", "Текст раздела "], ["del", "1"], ["ins", "один"]]
    assert (s2.redline_base, s2.redline_method, s2.redline) == (1, SAME, None)
