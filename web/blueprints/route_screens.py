"""The route on existing pages: the programme page's route panel and reassignment, and the
approval sheet (лист согласования) PDF of a decision letter."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from documents.approval_sheet import render_approval_sheet
from documents.filenames import approval_sheet_pdf
from workflow import routes as engine
from workflow.errors import InvalidInput, WorkflowError
from workflow.letter_visibility import visible_letters_filter
from workflow.models import Decision, Letter
from workflow.states import Role

from .. import route_panel
from .. import viewmodels as vm
from ..database import db, now
from ..route_panel import reassign_open_task
from ..work import unit_of_work

bp = Blueprint("route_screens", __name__)


def _me():
    return current_user.user


@bp.app_context_processor
def _panel():
    def route_panel_for(programme):
        if not current_user.is_authenticated:
            return None
        return route_panel.build(db(), programme, _me())

    return {"route_panel_for": route_panel_for}


@bp.route("/programmes/<int:programme_id>/tasks/reassign", methods=["POST"])
@login_required
def reassign_task(programme_id: int):
    from .programmes import _failed

    session = db()
    vm.load_programme(session, programme_id, _me())
    task_id = request.form.get("task_id", type=int)
    reason = request.form.get("reason", "").strip()
    try:
        with unit_of_work() as work:
            to_user_id = request.form.get("to_user_id", type=int)
            if to_user_id is None:
                raise InvalidInput(gettext("Выберите, кому передать"))
            reassign_open_task(work, programme_id, task_id, _me(), to_user_id, reason, now())
    except WorkflowError as error:
        return _failed(session, programme_id, error, "reassign_task")
    flash(gettext("Задача передана"), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id, _anchor="route"))


@bp.route("/letters/<int:letter_id>/approval-sheet.pdf")
@login_required
def approval_sheet(letter_id: int):
    """The sheet of visas; ministry staff only (the municipality receives the letter)."""
    me = _me()
    if me.role == Role.MUNICIPAL_EDITOR:
        abort(404)
    session = db()
    letter = session.scalar(select(Letter).where(Letter.id == letter_id,
                                                 visible_letters_filter(me)))
    if letter is None:
        abort(404)
    if not session.scalar(select(Decision.id).where(Decision.letter_id == letter.id)):
        abort(404)  # a letter that travelled no route has no sheet
    sheet = engine.approval_sheet(session, letter)
    response = current_app.response_class(render_approval_sheet(sheet), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{approval_sheet_pdf(letter)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
