"""The queue and the programme page run a fixed number of SQL statements, whatever the
number of programmes, remarks, replies and revisions."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import add_external_remark, assess_all, programme_in, sign_decision
from tests.statement_counting import counting
from tests.web.conftest import sign_in
from workflow import operations, review
from workflow.models import Remark
from workflow.states import ProgrammeState, RemarkState

# Statements per page (BEGINs included), measured: raise them only with a reason.
# SQLite's count (PostgreSQL's GET pages read in autocommit: no BEGIN). Lowered from 11 and
# 28/25/17/26: the organisation is read on the page's own session and its time zone is not
# read again for the substitutions; the guards reuse the requirements the page loaded.
# Then 9 and 25/23/15/24 -> 7 and 24/22/15/23: the navigation's two badges and the
# substitutions they need are one statement (workflow/nav_counts.py). Then -> 4 and 14/14/10/15
# (as measured, the budgets tightened to them): the badges and the user's principals ride on the
# session check, the tab counts come with the filter's campaigns, and a programme that never had
# a decision reads no visas.
QUEUE_BUDGET = 4
PROGRAMME_PAGE_BUDGET = {"reviewer": 14, "reviewer2": 14, "editor": 10, "admin": 15}


def _get(app, client, url) -> int:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def _programmes(w, start: int, count: int) -> None:
    states = [ProgrammeState.SUBMITTED, ProgrammeState.IN_REVIEW, ProgrammeState.RETURNED,
              ProgrammeState.DRAFT]
    for i in range(start, start + count):
        programme_in(w, states[i % len(states)], title=f"Программа № {i}")
    w.session.commit()


def test_queue_runs_the_same_queries_for_3_and_30_programmes(app, client, world):
    _programmes(world, 0, 3)
    sign_in(client, "reviewer")
    urls = ["/review/", "/review/?tab=all", "/review/?tab=overdue&state=draft",
            f"/review/?tab=all&campaign={world.campaign.id}&municipality={world.own.id}",
            "/programmes/"]
    few = {url: _get(app, client, url) for url in urls}
    assert all(n > 0 for n in few.values())  # the listener sees the read-only engine too
    _programmes(world, 3, 27)
    many = {url: _get(app, client, url) for url in urls}
    assert few == many
    # The budget: BEGIN, the session check (with the user, the organisation and the badges),
    # the tab counts (from the counters) with the campaigns of the filter, one page of rows.
    # A filter by municipality counts the table instead: same number.
    assert max(many.values()) <= QUEUE_BUDGET, many
    sign_in(client, "editor")
    home_few = _get(app, client, "/")
    _programmes(world, 30, 5)
    assert _get(app, client, "/") == home_few


def _cycle(w, programme, cycles: int, remarks: int) -> None:
    """Return and resubmit `cycles` times with `remarks` answered remarks each time."""
    for c in range(cycles):
        for i in range(remarks):
            add_external_remark(w, programme, f"Замечание {c}.{i}")
        operations.return_for_revision(w.session, programme, w.reviewer, now=w.clock.tick(),
                                       reason=f"Возврат {c}")
        sign_decision(w, programme)
        for remark in w.session.scalars(select(Remark).where(
                Remark.programme_id == programme.id, Remark.state == RemarkState.OPEN)):
            review.answer_remark(w.session, programme, remark, w.editor, body="Ответ",
                                 now=w.clock.tick())
            review.comment_remark(w.session, programme, remark, w.reviewer, body="Ещё вопрос",
                                  now=w.clock.tick())
        section = programme.sections[0]
        section.text += f" Дополнено в цикле {c}."
        operations.resubmit_programme(w.session, programme, w.editor, now=w.clock.tick())
    add_external_remark(w, programme, "Последнее замечание")
    assess_all(w, programme)


def test_programme_page_runs_the_same_queries_whatever_its_history(app, client, world):
    small = programme_in(world, ProgrammeState.IN_REVIEW, title="Простая")
    _cycle(world, small, cycles=0, remarks=0)
    big = programme_in(world, ProgrammeState.IN_REVIEW, title="С историей")
    _cycle(world, big, cycles=4, remarks=5)
    world.session.commit()
    assert big.revision_number == 5
    for login in ("reviewer", "reviewer2", "editor", "admin"):
        sign_in(client, login)
        counts = [_get(app, client, f"/programmes/{p.id}") for p in (small, big)]
        # The same, but for the visas: a programme that never had a decision has none to read.
        assert counts[1] - 1 <= counts[0] <= counts[1], (login, counts)
        # The ministry's page carries the route panel (route, stages, visas, open tasks) and
        # the tasks badge: about ten statements more than the municipality's, still constant;
        # the reassignment choices and the substitution lookup add two or three more.
        assert counts[1] <= PROGRAMME_PAGE_BUDGET[login], (login, counts)
        # Each one's current revision, named in the address.
        revisions = [_get(app, client, f"/programmes/{p.id}?rev={p.revision_number}")
                     for p in (small, big)]
        assert revisions[1] - 1 <= revisions[0] <= revisions[1], (login, revisions)
        # An older revision: its assessments are not the current ones the actions' guards
        # count from (workflow.facts.KnownFacts), so the guards ask once more.
        older = _get(app, client, f"/programmes/{big.id}?rev=1")
        assert revisions[1] <= older <= revisions[1] + 1, (login, older)
