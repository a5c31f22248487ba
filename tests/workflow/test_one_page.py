"""A page's bounds are written into the SQL (workflow.db.one_page), so that PostgreSQL can
keep one plan for the prepared statement; the rows must be those of the bound version."""

from __future__ import annotations

from sqlalchemy import event, select

from tests.factories import new_programme
from workflow.db import one_page
from workflow.models import Programme


def test_pages_are_cut_as_bound_and_their_bounds_are_in_the_sql(world, engine):
    for i in range(7):
        new_programme(world, title=f"Программа {i}")
    world.session.flush()
    ordered = select(Programme.id).order_by(Programme.id)
    every = world.session.scalars(ordered).all()
    sent: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        pages = [world.session.scalars(one_page(ordered, limit=3, offset=offset)).all()
                 for offset in (0, 3, 6, 9)]
    finally:
        event.remove(engine, "before_cursor_execute", remember)

    assert pages == [every[0:3], every[3:6], every[6:7], []]
    assert len(every) == 7
    assert "LIMIT 3 OFFSET 6" in sent[2]
    # Nothing of the page is left to bind: the statement is the same for every request of it.
    assert all("%(" not in s and "?" not in s.split("LIMIT")[1] for s in sent)
