"""The programme page shows the stored redline and never compares texts itself (it used to
run SequenceMatcher on every view: 34 s for a crafted pair of sections)."""

from __future__ import annotations

import difflib

import pytest
from sqlalchemy import select

from tests.factories import add_external_remark, new_programme, sign_decision
from tests.web.conftest import sign_in, text
from workflow import operations, programme_drafting, redline, review
from workflow.models import Remark

OLD = {1: "План на 2025 год, утверждён.", 2: "a " * 1000, 3: "<b>x</b>"}
NEW = {1: "План на 2026 год утверждён.", 2: "b " * 1000, 3: "<script>x</script>"}


def _boom(*_args, **_kwargs):
    raise AssertionError("a page view compared texts")


@pytest.fixture
def no_diffing(monkeypatch):
    """Any comparison during a request fails the request."""

    def arm():
        monkeypatch.setattr(difflib, "SequenceMatcher", _boom)
        monkeypatch.setattr(redline, "compute", _boom)
        monkeypatch.setattr(redline, "_myers", _boom)

    return arm


def _returned_with_edits(w):
    """Revision 1 holds OLD; the programme is back with the municipality, which saved NEW
    in its working copy."""
    p = new_programme(w)
    rid = {r.position: r.id for r in w.campaign.requirements}
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={rid[n]: t for n, t in OLD.items()})
    operations.submit_programme(w.session, p, w.editor, now=w.clock.tick())
    operations.start_review(w.session, p, w.reviewer, now=w.clock.tick())
    add_external_remark(w, p)
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(), reason="Доработать")
    sign_decision(w, p)
    programme_drafting.update_draft(w.session, p, w.editor, now=w.clock.tick(),
                                    sections={rid[n]: t for n, t in NEW.items()})
    return p, rid


def _section(page: str, requirement_id: int) -> str:
    start = page.index(f'id="req-{requirement_id}"')
    return page[start: page.find('<section class="card section"', start + 1)]


def _assert_redline(page: str, rid: dict[int, int]) -> None:
    first = _section(page, rid[1])
    assert "План на <del>2025</del><ins>2026</ins> год<del>,</del> утверждён." in first
    crafted = _section(page, rid[2])
    assert "Изменений много: часть абзацев отмечена целиком" in crafted
    assert "<del>a a a" in crafted and "<ins>b b b" in crafted
    markup = _section(page, rid[3])
    assert "&lt;<del>b</del><ins>script</ins>&gt;x&lt;/<del>b</del><ins>script</ins>&gt;" in markup
    assert "<script>x" not in page


def test_the_revision_page_shows_the_stored_redline_without_comparing(client, world, no_diffing):
    w = world
    p, rid = _returned_with_edits(w)
    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id)):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено", now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()

    no_diffing()
    sign_in(client, "reviewer")
    response = client.get(f"/programmes/{p.id}?rev=2")
    assert response.status_code == 200
    page = text(response)
    assert "Изменения отмечены относительно редакции № 1" in page
    _assert_redline(page, rid)
    # Revision 1 has nothing to compare with.
    first = text(client.get(f"/programmes/{p.id}?rev=1"))
    assert "Изменения отмечены" not in first
    assert not any("<del>" in _section(first, rid[n]) for n in (1, 2, 3))


def test_the_working_copy_shows_its_stored_redline_without_comparing(client, world, no_diffing):
    w = world
    p, rid = _returned_with_edits(w)
    w.session.commit()

    no_diffing()
    sign_in(client, "editor")
    response = client.get(f"/programmes/{p.id}?rev=work")
    assert response.status_code == 200
    _assert_redline(text(response), rid)


def test_an_untouched_working_copy_reads_unchanged_after_resubmission(client, world, no_diffing):
    """The working sections' redlines were computed against revision 1; once revision 2 is
    frozen from them, the page says "unchanged" by comparing the strings only."""
    w = world
    p, rid = _returned_with_edits(w)
    for remark in w.session.scalars(select(Remark).where(Remark.programme_id == p.id)):
        review.answer_remark(w.session, p, remark, w.editor, body="Исправлено", now=w.clock.tick())
    operations.resubmit_programme(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()

    no_diffing()
    sign_in(client, "editor")
    page = text(client.get(f"/programmes/{p.id}?rev=work"))
    for n in (1, 2, 3):
        section = _section(page, rid[n])
        assert "<del>" not in section and "Без изменений относительно редакции № 2" in section
