"""The programme page, and its re-rendering with the message of a refused form."""

from __future__ import annotations

from flask import (
    render_template,
    request,
)
from flask_login import login_required
from sqlalchemy import select

from workflow import drafts, operations, reassignment
from workflow.errors import WorkflowError
from workflow.models import Programme, User
from workflow.states import Role

from ... import files_view as fv
from ... import principals
from ... import viewmodels as vm
from ...database import db, now
from ...errors import status_for
from .common import _me, _upload_limit_mb, bp


def _render_show(programme: Programme, *, failed: dict | None = None, status: int = 200):
    me = _me()
    session = db()
    moment = now()
    page = vm.programme_page(session, programme, me, request.args.get("rev"), now=moment)
    # Who the user acts for today, asked once (the nav badge reads the same answer).
    acting_for = principals.request_principals(session, me, moment)
    actions = operations.available_actions(session, programme, me, moment,
                                           principals=acting_for, known=page.known)
    assigned = (me.role == Role.REVIEWER and programme.reviewer_id in acting_for
                and programme.state == "in_review")
    # The page's forms are plain HTML with the request's CSRF token (`csrf_token()`): no
    # WTForms object is built to render a page; the handlers that receive them build theirs.
    return render_template(
        "programmes/show.html",
        page=page, p=programme, actions=actions, failed=failed or {},
        typed=_typed(failed),
        assigned=assigned,
        substituting=assigned and programme.reviewer_id != me.id,
        reassign=_reassign_choices(session, programme, me),
        can_delete=me.role == Role.MUNICIPAL_EDITOR and drafts.may_delete(programme),
        can_edit=me.role == Role.MUNICIPAL_EDITOR and programme.editable,
        can_answer=me.role == Role.MUNICIPAL_EDITOR and programme.state == "returned",
        can_comment=me.role in (Role.MUNICIPAL_EDITOR, Role.REVIEWER),
        upload_limit=_upload_limit_mb(),
        files=fv.page_links(session, programme, me, page.shown),
    ), status


def _typed(failed: dict | None):
    """`typed(key, name)`: what the user had typed into field `name` of the form `key` when
    that form was refused, else "" (a Python function: the page asks a dozen times, and a
    Jinja macro call costs several times more)."""
    data = failed["data"] if failed else {}
    key_failed = failed["key"] if failed else None

    def typed(key: str, name: str) -> str:
        return data.get(name, "") if key == key_failed else ""

    return typed


def _reassign_choices(session, programme: Programme, me) -> list | None:
    """The reviewers this user may give the programme to, or None if they may not."""
    if not reassignment.may_reassign(me) or programme.state not in reassignment.REASSIGNABLE:
        return None
    reviewers = session.scalars(select(User).where(User.role == Role.REVIEWER,
                                                   User.active.is_(True))
                                .order_by(User.full_name))
    return [u for u in reviewers if u.id != programme.reviewer_id]


@bp.route("/<int:programme_id>")
@login_required
def show(programme_id: int):
    programme = vm.load_programme(db(), programme_id, _me())
    return _render_show(programme)


def _failed(session, programme_id: int, error: WorkflowError, key: str):
    """Re-render the programme page with the message next to the form `key`, keeping the
    text the user typed (the unit of work has rolled everything back)."""
    programme = vm.load_programme(session, programme_id, _me())
    message, status = error.message, status_for(error)
    reasons = getattr(error, "reasons", None) or []
    failed = {"key": key, "message": message, "reasons": reasons, "data": request.form}
    return _render_show(programme, failed=failed, status=status)

