"""The workflow actions of the programme page (submit, withdraw, start the review,
return, resubmit, approve)."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from workflow import operations
from workflow.machine import TRANSITIONS_BY_TRIGGER

from ...database import now
from ...forms import ActionForm
from .common import _me, bp
from .posting import _submit_to

DONE = {
    "submit": _l("Программа направлена в министерство"),
    "withdraw": _l("Программа отозвана"),
    "start_review": _l("Программа взята на рассмотрение"),
    "return_for_revision": _l("Решение о возврате на доработку направлено по маршруту "
                              "согласования; подготовлен проект письма"),
    "resubmit": _l("Программа направлена в министерство повторно"),
    "approve": _l("Решение о согласовании направлено по маршруту согласования; подготовлен "
                  "проект письма о согласовании"),
}


@bp.route("/<int:programme_id>/actions/<trigger>", methods=["POST"])
@login_required
def action(programme_id: int, trigger: str):
    if trigger not in TRANSITIONS_BY_TRIGGER:
        abort(404)
    form = ActionForm()
    return _submit_to(
        programme_id, form, f"action:{trigger}",
        lambda session, programme: operations.fire(
            session, programme, trigger, _me(), now=now(), reason=form.reason.data or "",
            expected_version=form.seen_version(),
        ),
        # The route engine's system triggers are refused by `fire` (no message needed).
        done=DONE.get(trigger, ""),
    )
