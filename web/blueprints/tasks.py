"""«Мои задачи»: the caller's open route tasks, and the decision form of an endorse stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from workflow import routes as engine
from workflow.errors import WorkflowError
from workflow.states import (
    MINISTRY_ROLES,
    ROUTE_STAGE_KIND_LABELS,
    TASK_RESULT_LABELS,
    TaskResult,
)

from ..database import db, now
from ..errors import status_for
from ..work import unit_of_work

bp = Blueprint("tasks", __name__)

CHOICES = [(r.value, TASK_RESULT_LABELS[r]) for r in TaskResult]
ACTION_LABELS = {"review": _l("К программе"), "endorse": _l("Принять решение"),
                 "sign": _l("К письму")}


@dataclass(frozen=True)
class TaskRow:
    id: int
    version: int
    stage_name: str
    kind: str
    kind_label: str
    programme_id: int
    programme_title: str
    municipality: str
    due_on: date | None
    overdue: bool
    on_behalf_of: str | None
    letter_id: int | None
    action_url: str
    action_label: str


def _me():
    return current_user.user


def _row(item: engine.OpenTask) -> TaskRow:
    """A task of `engine.open_tasks_for` as the inbox shows it."""
    if item.stage_kind == "endorse":
        url = url_for("tasks.decision", task_id=item.task_id)
    elif item.stage_kind == "sign":
        url = url_for("letters.show", letter_id=item.letter_id)
    else:
        url = url_for("programmes.show", programme_id=item.programme_id)
    return TaskRow(
        id=item.task_id, version=item.task_version, stage_name=item.stage_name,
        kind=item.stage_kind,
        kind_label=ROUTE_STAGE_KIND_LABELS.get(item.stage_kind, item.stage_kind),
        programme_id=item.programme_id, programme_title=item.programme_title,
        municipality=item.municipality, due_on=item.due_on, overdue=item.overdue,
        on_behalf_of=item.on_behalf_of, letter_id=item.letter_id,
        action_url=url,
        action_label=str(ACTION_LABELS.get(item.stage_kind, ACTION_LABELS["review"])),
    )


def my_tasks() -> list[TaskRow]:
    return [_row(t) for t in engine.open_tasks_for(db(), _me(), now())]


@bp.route("/")
@login_required
def inbox():
    if _me().role not in MINISTRY_ROLES:
        abort(403)
    return render_template("tasks/inbox.html", tasks=my_tasks())


def _mine(task_id: int) -> TaskRow:
    for task in my_tasks():
        if task.id == task_id:
            return task
    abort(404)


def _decision_page(task: TaskRow, *, error: str | None = None, status: int = 200):
    typed = request.form if request.method == "POST" else {}
    return render_template("tasks/decide.html", task=task, choices=CHOICES, error=error,
                           typed=typed), status


@bp.route("/<int:task_id>")
@login_required
def decision(task_id: int):
    task = _mine(task_id)
    if task.kind != "endorse":
        return redirect(task.action_url)
    return _decision_page(task)


@bp.route("/<int:task_id>", methods=["POST"])
@login_required
def decide(task_id: int):
    task = _mine(task_id)
    choice = request.form.get("decision", "")
    if choice not in {v for v, _ in CHOICES}:
        return _decision_page(task, error=gettext("Выберите решение"), status=400)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    try:
        with unit_of_work() as session:
            engine.decide_task(session, task_id, _me(), decision=choice,
                               comment=request.form.get("comment", "").strip(), now=now(),
                               expected_version=version)
    except WorkflowError as error:
        return _decision_page(task, error=error.message, status=status_for(error))
    flash(gettext("Решение сохранено: %(label)s", label=gettext(TASK_RESULT_LABELS[choice])),
          "success")
    return redirect(url_for("tasks.inbox"))
