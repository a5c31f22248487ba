"""The home page: each role lands on its own work list. Also the Jinja helpers the
screens share (Russian dates, plurals, state labels)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from workflow import notifications, signing_keys
from workflow.states import (
    LETTER_KIND_LABELS,
    LETTER_STATE_LABELS,
    PROGRAMME_STATE_LABELS,
    REMARK_STATE_LABELS,
    REMARK_VISIBILITY_LABELS,
    ROLE_LABELS,
    VERDICT_LABELS,
    Role,
)

from .. import viewmodels as vm
from ..database import db, now
from ..i18n_labels import TranslatedLabels, tr

bp = Blueprint("main", __name__)


@bp.app_template_filter("dt")
def _dt(value):
    return vm.fmt_datetime(value)


@bp.app_template_filter("d")
def _d(value):
    return vm.fmt_date(value)


@bp.app_template_filter("tr")
def _tr(value):
    """A label from `workflow` (a state, an action) in the current language."""
    return tr(value)


@bp.app_context_processor
def _helpers():
    return {
        "notification_form": _notification_form,
        "state_label": lambda state: tr(vm.state_label(
            state, current_user.user if current_user.is_authenticated else None)),
        "trigger_label": lambda trigger: tr(vm.trigger_label(trigger)),
        "plural": vm.plural,
        "plural_word": vm.plural_word,
        "ROLE_LABELS": TranslatedLabels(ROLE_LABELS),
        "REMARK_STATE_LABELS": TranslatedLabels(REMARK_STATE_LABELS),
        "REMARK_VISIBILITY_LABELS": TranslatedLabels(REMARK_VISIBILITY_LABELS),
        "VERDICT_LABELS": TranslatedLabels(VERDICT_LABELS),
        "LETTER_KIND_LABELS": TranslatedLabels(LETTER_KIND_LABELS),
        "LETTER_STATE_LABELS": TranslatedLabels(LETTER_STATE_LABELS),
        "PROGRAMME_STATE_LABELS": TranslatedLabels(PROGRAMME_STATE_LABELS),
    }


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
                               sign_refusal=signing_keys.signing_refusal(db(), me, now()))
    groups = vm.editor_home(db(), me, now())
    return render_template("main/home.html", groups=groups,
                           notifications=notifications.unread(db(), me))


def _notification_form():
    from ..forms import SimplePostForm

    return SimplePostForm(formdata=None)


@bp.route("/notifications/<int(max=2147483647):notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    from ..forms import SimplePostForm

    if not SimplePostForm().validate_on_submit():
        abort(400)
    session = db()
    notifications.mark_read(session, current_user.user, notification_id, now=now())
    session.commit()
    return redirect(url_for("main.home"))
