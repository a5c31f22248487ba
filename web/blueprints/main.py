"""The home page: each role lands on its own work list. (The Jinja filters and helpers the
screens share are in `web.formatting`.)"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from workflow import letter_registration, notifications, signing_keys
from workflow.states import Role

from .. import viewmodels as vm
from ..database import db, now

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    me = current_user.user
    if me.role == Role.REVIEWER:
        return redirect(url_for("review.queue"))
    if me.role == Role.ADMIN:
        return redirect(url_for("admin.index"))
    if me.role == Role.SIGNATORY:
        return render_template("main/signatory.html",
                               notifications=notifications.unread(db(), me),
                               sign_refusal=signing_keys.signing_refusal(db(), me, now()),
                               acting_for=letter_registration.acting_signatories(db(), me, now()))
    groups = vm.editor_home(db(), me, now())
    return render_template("main/home.html", groups=groups,
                           notifications=notifications.unread(db(), me))
