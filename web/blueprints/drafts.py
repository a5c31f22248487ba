"""«Удалить черновик»: the municipality's editor deletes a draft never sent
(workflow.drafts), after a confirmation on the programme page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from workflow import drafts
from workflow.errors import WorkflowError

from .. import viewmodels as vm
from ..database import db, now
from ..forms import ActionForm
from ..work import unit_of_work
from .programmes import _failed, check_form

bp = Blueprint("drafts", __name__)


@bp.route("/<int:programme_id>/delete", methods=["POST"])
@login_required
def delete(programme_id: int):
    me = current_user.user
    session = db()
    programme = vm.load_programme(session, programme_id, me, for_write=True)
    form = ActionForm()
    try:
        with unit_of_work():
            check_form(form)
            record = drafts.delete_draft(session, programme, me, now=now(),
                                         expected_version=form.seen_version())
    except WorkflowError as error:
        return _failed(session, programme_id, error, "delete")
    flash(gettext("Черновик «%(title)s» удалён", title=record["title"]), "success")
    return redirect(url_for("main.home"))
