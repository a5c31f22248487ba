"""The ministry's full-text search over programme titles, section texts and remarks."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from workflow import search
from workflow.errors import PermissionDenied

from .. import campaign_views as cv
from ..database import db

bp = Blueprint("search", __name__)


@bp.route("/")
@login_required
def index():
    if not cv.is_ministry(current_user.user):
        raise PermissionDenied("Поиск по программам и замечаниям доступен сотрудникам министерства")
    query = " ".join((request.args.get("q") or "").split())[:search.MAX_QUERY]
    hits = search.search(db(), query) if query else []
    return render_template("search/index.html", query=query, hits=hits, limit=search.LIMIT,
                           kinds=search.KINDS)
