"""The list of programmes a user may see, with its filters and pages."""

from __future__ import annotations

from flask import (
    current_app,
    render_template,
    request,
)
from flask_login import login_required

from ... import viewmodels as vm
from ...database import db, now
from .common import _me, bp


@bp.route("/")
@login_required
def index():
    listing = vm.programme_list(
        db(), _me(), now(), tab="all",
        campaign_id=request.args.get("campaign"),
        municipality_id=request.args.get("municipality"),
        state=request.args.get("state"),
        page=request.args.get("page", 1, type=int),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template("programmes/index.html", listing=listing, args=request.args)
