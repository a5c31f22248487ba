"""The administrator's form for a ministry user's department: head of department or not, the
department's name, and the position in the genitive for «И.о.» signatures."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from workflow import acting, admin_ops
from workflow.errors import WorkflowError
from workflow.models import User
from workflow.states import Role

from ..database import db
from ..work import refused, unit_of_work

bp = Blueprint("admin_department", __name__)


class PostForm(FlaskForm):
    pass


@bp.app_template_global("acting_default")
def acting_default(user: User) -> str:
    """What "И.о. ..." reads for this user now (the stored genitive, or the derived one)."""
    return acting.position_genitive(user)


@bp.route("/admin/users/<int:user_id>/department", methods=["POST"])
@login_required
def save(user_id: int):
    me = current_user.user
    if me.role != Role.ADMIN:
        abort(403)
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    back = url_for("admin.user_edit", user_id=user_id, _anchor="department")
    if not PostForm().validate_on_submit():
        flash(gettext("Форма устарела: обновите страницу"), "error")
        return redirect(back)
    try:
        with unit_of_work() as session:
            admin_ops.set_department(
                session, user, me, heads_department=request.form.get("heads_department") == "1",
                department=request.form.get("department") or "",
                position_genitive=request.form.get("position_genitive") or "")
    except WorkflowError as error:
        return refused(error, back)
    flash(gettext("Сведения об отделе сохранены"), "success")
    return redirect(back)
