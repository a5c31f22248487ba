"""The review on the programme page: remarks, their replies, assessments."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from workflow import review

from ... import viewmodels as vm
from ...database import db, now
from ...forms import (
    AssessmentForm,
    RemarkForm,
    ReplyForm,
)
from ...viewmodels.common import _int_or_none
from .common import _me, bp
from .posting import _submit, _submit_to

REMARK_OPS = {
    "answer": (review.answer_remark, _l("Ответ на замечание сохранён")),
    "resolve": (review.resolve_remark, _l("Замечание снято")),
    "reopen": (review.reopen_remark, _l("Замечание открыто повторно")),
    "comment": (review.comment_remark, _l("Комментарий добавлен")),
}


@bp.route("/<int:programme_id>/remarks", methods=["POST"])
@login_required
def add_remark(programme_id: int):
    form = RemarkForm()
    requirement_id = _int_or_none(form.requirement_id.data)

    def add(session, programme):
        # Here, after the form's check: an empty field is refused with its message, a
        # value that is not a number (or beyond any id) is a bad request.
        if requirement_id is None:
            abort(400)
        review.add_remark(session, programme, _me(), requirement_id=requirement_id,
                          body=form.body.data, visibility=form.visibility.data, now=now())

    return _submit_to(programme_id, form, f"remark:{form.requirement_id.data}", add,
                      done=gettext("Замечание добавлено"), anchor=f"req-{requirement_id}")


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
    form = AssessmentForm()
    return _submit_to(
        programme_id, form, f"assess:{requirement_id}",
        lambda session, programme: review.assess_requirement(
            session, programme, _me(), requirement_id=requirement_id,
            verdict=form.verdict.data, comment=form.comment.data or "", now=now(),
        ),
        done=gettext("Оценка сохранена"), anchor=f"req-{requirement_id}",
    )
