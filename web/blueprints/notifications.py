"""The bell and the notifications page: the list (paginated), mark one or all as read, and
how the user wants them e-mailed (at once, a daily digest, or not at all)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import RadioField, SelectChoice

from workflow import notifications
from workflow.errors import WorkflowError

from ..database import db, now
from ..forms import SafeForm, SimplePostForm
from ..work import unit_of_work

bp = Blueprint("notifications", __name__)


class PreferenceForm(SafeForm):
    mail_preference = RadioField(choices=[
        SelectChoice(value, _l(label)) for value, label in notifications.PREFERENCE_LABELS.items()
    ])


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 1_000_000))
    except ValueError:
        return 1


@bp.route("/notifications")
@login_required
def index():
    unread_only = request.args.get("unread") == "1"
    page = notifications.page_of(db(), current_user.user, page=_page_number(),
                                 page_size=current_app.config["PAGE_SIZE"],
                                 unread_only=unread_only)
    form = PreferenceForm(formdata=None, mail_preference=current_user.user.mail_preference)
    return render_template("notifications/index.html", page=page, unread_only=unread_only,
                           form=form, post_form=SimplePostForm(formdata=None))


def _back():
    if request.form.get("back") == "list":
        return redirect(url_for("notifications.index"))
    return redirect(url_for("main.home"))


@bp.route("/notifications/<int(max=2147483647):notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    if not SimplePostForm().validate_on_submit():
        abort(400)
    with unit_of_work() as session:
        notifications.mark_read(session, current_user.user, notification_id, now=now())
    return _back()


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    if not SimplePostForm().validate_on_submit():
        abort(400)
    with unit_of_work() as session:
        count = notifications.mark_all_read(session, current_user.user, now=now())
    if count:
        flash(gettext("Отмечено прочитанными: %(count)s", count=count), "success")
    return _back()


@bp.route("/notifications/preference", methods=["POST"])
@login_required
def preference():
    form = PreferenceForm()
    if not form.validate_on_submit():
        flash(gettext("Выберите, как присылать уведомления на почту"), "error")
        return redirect(url_for("notifications.index"))
    try:
        with unit_of_work() as session:
            notifications.set_preference(session, current_user.user.id, form.mail_preference.data)
    except WorkflowError as error:
        flash(error.message, "error")
    else:
        flash(gettext("Настройка уведомлений сохранена"), "success")
    return redirect(url_for("notifications.index"))
