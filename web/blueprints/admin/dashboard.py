"""The administration's first page: how many of everything, and the admin's notifications."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from workflow import notifications
from workflow.models import Campaign, Municipality, Programme, User

from ...database import db
from ...guards import me
from .common import bp


@bp.route("/")
def index():
    session = db()
    counts = {
        "users": session.scalar(select(func.count(User.id))),
        "municipalities": session.scalar(select(func.count(Municipality.id))),
        "campaigns": session.scalar(select(func.count(Campaign.id))),
        "programmes": session.scalar(select(func.count(Programme.id))),
    }
    return render_template("admin/index.html", counts=counts,
                           notifications=notifications.unread(session, me()))
