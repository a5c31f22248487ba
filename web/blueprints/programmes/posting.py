"""A form posted from the programme page: validated and run in one unit of work, then a
flash and the way back to the page; refused, the page again with the message (`_failed`)."""

from __future__ import annotations

from flask import flash, redirect, url_for

from workflow.errors import WorkflowError

from ... import viewmodels as vm
from ...database import db
from ...work import unit_of_work
from .common import _me, check_form
from .page import _failed


def _submit(session, programme_id: int, form, key: str, operation, *, done, anchor=None):
    """A form of the programme page: validate `form`, run `operation()` in one unit of work,
    flash `done` and go back to the page (at `anchor`). A form or workflow error is shown by
    `_failed`."""
    try:
        with unit_of_work():
            check_form(form)
            operation()
    except WorkflowError as error:
        return _failed(session, programme_id, error, key)
    flash(str(done), "success")
    return redirect(url_for("programmes.show", programme_id=programme_id, _anchor=anchor))


def _submit_to(programme_id: int, form, key: str, operation, *, done, anchor=None):
    """`_submit` for a handler that needs nothing but the programme: loaded for writing
    (404/403 before the form is looked at), then `operation(session, programme)`."""
    session = db()
    programme = vm.load_programme(session, programme_id, _me(), for_write=True)
    return _submit(session, programme_id, form, key, lambda: operation(session, programme),
                   done=done, anchor=anchor)
