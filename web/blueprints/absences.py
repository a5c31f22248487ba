"""«Отсутствие и замещение»: a user declares their own absence with a substitute
(/account/absences); an administrator or a head of department declares one for a colleague
(/absences/manage). Cancelling from either page. The rules are in workflow.absences."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from workflow import absences
from workflow.errors import InvalidInput, WorkflowError
from workflow.models import User

from ..database import db, now
from ..errors import status_for
from ..work import refused, unit_of_work

bp = Blueprint("absences", __name__)


class PostForm(FlaskForm):
    pass


def _me() -> User:
    return current_user.user


def _may_manage_others(me: User) -> bool:
    return me.active and (me.role == "admin" or (bool(me.heads_department) and me.is_ministry))


def _date(name: str, label: str) -> date:
    value = (request.form.get(name) or "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(gettext("Укажите дату «%(label)s» в виде ДД.ММ.ГГГГ", label=label),
                           field=name) from None


def _user(field: str) -> User | None:
    try:
        uid = int(request.form.get(field) or 0)
    except ValueError:
        return None
    return db().get(User, uid) if uid else None


def _render(template: str, *, error: str | None = None, status: int = 200, **extra):
    me = _me()
    session = db()
    return render_template(
        template, error=error, form=PostForm(), data=request.form if error else {},
        substitutes=absences.candidate_substitutes(session, me, now()),
        **extra,
    ), status


def _declare(user: User | None, back: str, render):
    form = PostForm()
    if not form.validate_on_submit():
        return render(error=gettext("Форма устарела: обновите страницу"), status=400)
    try:
        with unit_of_work() as session:
            if user is None:
                raise InvalidInput(gettext("Выберите отсутствующего сотрудника"), field="user")
            absences.declare_absence(
                session, user, _me(), substitute=_user("substitute"),
                starts_on=_date("starts_on", gettext("с")), ends_on=_date("ends_on", gettext("по")),
                now=now(), reason=request.form.get("reason") or "")
    except WorkflowError as error:
        return render(error=error.message, status=status_for(error))
    flash(gettext("Отсутствие отмечено; замещающему отправлено уведомление"), "success")
    return redirect(back)


@bp.route("/account/absences", methods=["GET", "POST"])
@login_required
def mine():
    me = _me()

    def render(**kw):
        return _render("account/absences.html", rows=absences.absences_of(db(), me), **kw)

    if request.method == "POST":
        return _declare(me, url_for(".mine"), render)
    return render()


@bp.route("/absences/manage", methods=["GET", "POST"])
@login_required
def manage():
    me = _me()
    if not _may_manage_others(me):
        abort(403)
    session = db()

    def render(**kw):
        people = [u for u in session.scalars(select(User).where(User.active.is_(True))
                                             .order_by(User.full_name))
                  if absences.may_manage(me, u)]
        candidates = [u for u in session.scalars(select(User).where(User.active.is_(True))
                                                 .order_by(User.full_name))]
        return render_template(
            "account/absences_manage.html", rows=absences.all_absences(session),
            people=people, candidates=candidates, form=PostForm(),
            data=request.form if kw.get("error") else {}, error=kw.get("error"),
        ), kw.get("status", 200)

    if request.method == "POST":
        return _declare(_user("user"), url_for(".manage"), render)
    return render()


@bp.route("/absences/<int:absence_id>/cancel", methods=["POST"])
@login_required
def cancel(absence_id: int):
    form = PostForm()
    back = request.form.get("back") == "manage"
    target = url_for(".manage") if back else url_for(".mine")
    if not form.validate_on_submit():
        flash(gettext("Форма устарела: обновите страницу"), "error")
        return redirect(target)
    try:
        with unit_of_work() as session:
            absence = absences.get_absence(session, absence_id, _me())
            absences.cancel_absence(session, absence, _me(), now=now())
    except WorkflowError as error:
        if status_for(error) == 404:
            abort(404)
        return refused(error, target)
    flash(gettext("Отсутствие отменено"), "success")
    return redirect(target)
