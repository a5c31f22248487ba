"""«Передать другому эксперту»: the administrator or a head of department gives a programme's
review to another reviewer, with a reason (workflow.reassignment)."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_babel import gettext
from flask_login import current_user, login_required

from workflow import reassignment
from workflow.models import User

from .. import viewmodels as vm
from ..database import db, now
from ..forms import ActionForm
from .programmes import _submit

bp = Blueprint("reassign", __name__)


@bp.route("/<int:programme_id>/reassign", methods=["POST"])
@login_required
def reassign(programme_id: int):
    me = current_user.user
    session = db()
    programme = vm.load_programme(session, programme_id, me, for_write=True)
    if not reassignment.may_reassign(me):
        abort(403)
    form = ActionForm()
    try:
        reviewer_id = int(request.form.get("reviewer") or 0)
    except ValueError:
        reviewer_id = 0
    reviewer = session.get(User, reviewer_id) if reviewer_id else None
    return _submit(
        session, programme_id, form, "reassign",
        lambda: reassignment.reassign_review(
            session, programme, me, reviewer, now=now(), reason=form.reason.data or "",
            expected_version=form.seen_version()),
        done=gettext("Программа передана другому эксперту"), anchor="history",
    )
