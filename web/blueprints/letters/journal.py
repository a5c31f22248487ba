"""The registration journal: drafts first, then registered letters by number, filtered by
state, kind and a search over number, addressee and heading; one page at a time."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import login_required
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from workflow.db import one_page
from workflow.models import Campaign, Letter
from workflow.states import LETTER_KIND_LABELS, LETTER_STATE_LABELS, Role

from ...database import db
from .common import bp, is_drafter, me, visible_to


def journal_filters(args) -> tuple[dict, list]:
    """(the filters as understood, for the form; the SQL conditions). Unknown values are
    dropped, not refused: the journal always shows."""
    q = (args.get("q") or "").strip()[:200]
    state = args.get("state") or ""
    kind = args.get("kind") or ""
    conditions = [visible_to(me())]
    if state in LETTER_STATE_LABELS:
        conditions.append(Letter.state == state)
    else:
        state = ""
    if kind in LETTER_KIND_LABELS:
        conditions.append(Letter.kind == kind)
    else:
        kind = ""
    if q:
        conditions.append(_search(q))
    return {"q": q, "state": state, "kind": kind}, conditions


def _search(q: str):
    # SQLite folds only ASCII case, so the usual spellings of a Cyrillic query are tried too.
    variants = {q, q.lower(), q.upper(), q[:1].upper() + q[1:].lower()}
    matches = []
    for variant in variants:
        pattern = "%" + variant.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for column in (Letter.number, Letter.addressee, Letter.heading):
            matches.append(column.ilike(pattern, escape="\\"))
    return or_(*matches)


def journal_order():
    # Drafts (no number yet) first, then the journal in reverse number order.
    return (case((Letter.seq.is_(None), 0), else_=1), Letter.journal_year.desc(),
            Letter.seq.desc(), Letter.id.desc())


@bp.route("/")
@login_required
def index():
    filters, conditions = journal_filters(request.args)
    session = db()
    page_size = current_app.config["PAGE_SIZE"]
    total = session.scalar(select(func.count(Letter.id)).where(*conditions)) or 0
    pages = max(1, (total + page_size - 1) // page_size)
    try:
        page = min(max(1, int(request.args.get("page", 1))), pages)
    except ValueError:
        page = 1
    rows = session.scalars(one_page(
        select(Letter).where(*conditions).order_by(*journal_order())
        .options(joinedload(Letter.signatory)),
        limit=page_size, offset=(page - 1) * page_size)).all()
    user = me()
    campaigns = []
    if is_drafter(user):
        campaigns = session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(10)).all()
    return render_template(
        "letters_ui/journal.html", letters=rows, filters=filters, total=total, page=page,
        pages=pages, campaigns=campaigns, can_profile=user.role == Role.ADMIN,
    )
