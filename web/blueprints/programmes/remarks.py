"""The review on the programme page: remarks, their replies, assessments."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from workflow import review
from workflow.errors import WorkflowError

from ... import viewmodels as vm
from ...database import db, now
from ...forms import (
    AssessmentForm,
    RemarkForm,
    ReplyForm,
)
from ...work import unit_of_work
from .common import _me, bp, check_form
from .page import _failed, _submit

REMARK_OPS = {
    "answer": (review.answer_remark, _l("Ответ на замечание сохранён")),
    "resolve": (review.resolve_remark, _l("Замечание снято")),
    "reopen": (review.reopen_remark, _l("Замечание открыто повторно")),
    "comment": (review.comment_remark, _l("Комментарий добавлен")),
}


@bp.route("/<int:programme_id>/remarks", methods=["POST"])
@login_required
def add_remark(programme_id: int):
    session = db()
    programme = vm.load_programme(session, programme_id, _me(), for_write=True)
    form = RemarkForm()
    key = f"remark:{form.requirement_id.data}"
    try:
        with unit_of_work():
            check_form(form)
            try:
                requirement_id = int(form.requirement_id.data)
            except ValueError:
                abort(400)
            review.add_remark(session, programme, _me(), requirement_id=requirement_id,
                              body=form.body.data, visibility=form.visibility.data, now=now())
    except WorkflowError as error:
        return _failed(session, programme_id, error, key)
    flash(gettext("Замечание добавлено"), "success")
    return redirect(url_for(".show", programme_id=programme.id, _anchor=f"req-{requirement_id}"))


@bp.route("/<int:programme_id>/remarks/<int:remark_id>/<op>", methods=["POST"])
@login_required
def remark_op(programme_id: int, remark_id: int, op: str):
    if op not in REMARK_OPS:
        abort(404)
    operation, done = REMARK_OPS[op]
    session = db()
    me = _me()
    programme = vm.load_programme(session, programme_id, me, for_write=True)
    remark = review.get_remark(session, programme, remark_id, me)
    form = ReplyForm()
    return _submit(
        session, programme_id, form, f"reply:{remark_id}",
        lambda: operation(session, programme, remark, me, body=form.body.data or "", now=now()),
        done=done, anchor=f"remark-{remark_id}",
    )


@bp.route("/<int:programme_id>/assessments/<int:requirement_id>", methods=["POST"])
@login_required
def assess(programme_id: int, requirement_id: int):
    session = db()
    programme = vm.load_programme(session, programme_id, _me(), for_write=True)
    form = AssessmentForm()
    return _submit(
        session, programme_id, form, f"assess:{requirement_id}",
        lambda: review.assess_requirement(
            session, programme, _me(), requirement_id=requirement_id,
            verdict=form.verdict.data, comment=form.comment.data or "", now=now(),
        ),
        done=gettext("Оценка сохранена"), anchor=f"req-{requirement_id}",
    )
