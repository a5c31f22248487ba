"""What every handler shares: the caller, loading visible objects, one unit of work
(web/work.py: domain and database errors leave it as the stable JSON error codes)."""

from __future__ import annotations

from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from workflow.db import one_page
from workflow.errors import NotFound
from workflow.letter_visibility import visible_letters_filter
from workflow.models import Letter, Programme, User
from workflow.programme_access import ensure_can_see
from workflow.states import Role

from ..database import db
from ..work import unit_of_work  # noqa: F401 -- the one unit of work, for the handlers here
from .fields import PageQuery
from .parsing import parse_query

# Path converters: identifiers beyond PostgreSQL's INTEGER cannot exist, and passing them to
# the database would fail there instead of answering 404.
ID = "int(max=2147483647)"


def actor() -> User:
    return g.api_user


def load_programme(programme_id: int, load=()) -> Programme:
    """A programme the caller may see; another municipality's programme does not exist.
    `load`: loader options for what the handler reads of its relations."""
    user = actor()
    programme = db().get(Programme, programme_id,
                         options=[joinedload(Programme.municipality), *load])
    if programme is None or (
        user.role == Role.MUNICIPAL_EDITOR and programme.municipality_id != user.municipality_id
    ):
        raise NotFound("Программа не найдена")
    ensure_can_see(programme, user)
    return programme


def load_letter(letter_id: int) -> Letter:
    letter = db().scalar(
        select(Letter).where(Letter.id == letter_id, visible_letters_filter(actor()))
    )
    if letter is None:
        raise NotFound("Письмо не найдено")
    return letter


def page_args() -> tuple[int, int]:
    query = parse_query(PageQuery)
    return query.page, query.per_page


def paginate(session: Session, stmt, order_by, serialize, *, load=(), total=None) -> dict:
    """Items of one page and the total, both under the same (tenant) filter. `load`: loader
    options for what `serialize` reads of related rows (without them, a statement per row).
    `total`: (a statement that counts the rows more cheaply than counting them, its
    parameters), e.g. workflow.queue.counted_total; by default the rows are counted. The count
    rides on the page's statement as one more column: one round trip instead of two."""
    page, per_page = page_args()
    paged = one_page(stmt.order_by(*order_by).options(*load), limit=per_page,
                     offset=(page - 1) * per_page)
    if total is None:  # count the rows the filter lets through
        total = select(func.count()).select_from(stmt.order_by(None).subquery()), {}
    counting, params = total
    # The count does not depend on the row: both databases evaluate it once.
    rows = session.execute(paged.add_columns(counting.scalar_subquery()), params).all()
    # A page past the end has no row to carry the count.
    count = rows[0][1] if rows else session.scalar(counting, params)
    items = [serialize(row[0]) for row in rows]
    return {"items": items, "total": int(count or 0), "page": page, "per_page": per_page}
