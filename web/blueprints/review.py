"""The reviewers' queue: tabs by what is waiting, filters, pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from workflow.states import MINISTRY_ROLES

from .. import viewmodels as vm
from ..database import db, now
from ..i18n_labels import TranslatedLabels

bp = Blueprint("review", __name__)



@bp.route("/")
@login_required
def queue():
    me = current_user.user
    if me.role not in MINISTRY_ROLES:
        abort(403)
    tab = request.args.get("tab", "submitted")
    if tab not in vm.TABS:
        tab = "submitted"
    listing = vm.programme_list(
        db(), me, now(), tab=tab,
        campaign_id=request.args.get("campaign"),
        municipality_id=request.args.get("municipality"),
        state=request.args.get("state"),
        page=request.args.get("page", 1, type=int),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("review/queue.html", listing=listing, tab=tab, tabs=TranslatedLabels(vm.TABS),
                           args=request.args)
