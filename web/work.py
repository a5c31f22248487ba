"""The one unit of work of a web handler, screens and JSON API alike.

A handler parses and checks its input, then runs its one use case inside `unit_of_work()`:
the request's session is committed once when the block ends and rolled back on any error,
so a refused action leaves nothing half-written. After-commit work (the signed PDF's job,
mail, metrics) hangs on the session's commit (web/jobs/letters.py, web/jobs/mail.py,
web/observability/metrics.py) and so runs exactly once, and only for what was committed.

Errors leave the block as domain errors (`workflow.errors`), which each side answers in its
own way: the API's error handlers turn them into the stable JSON codes; a screen catches
`WorkflowError` and re-renders its form with the Russian message and the user's input, or
calls `refused()` to flash the message and go back. Two database errors the domain does not
foresee are translated here, so neither side shows a 500 for them: a constraint violation
becomes `Conflict` (409, "conflict"), a value the database cannot hold `UnstorableValue`
(400, "invalid_value").

A refusal that is itself a fact to keep (`WorkflowError.kept`: a wrong PIN or second-factor
code, a throttled sign-in) commits what the use case recorded before it is re-raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash, redirect
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from workflow.errors import Conflict, UnstorableValue, WorkflowError

from .database import db


@contextmanager
def unit_of_work() -> Iterator[Session]:
    session = db()
    try:
        try:
            yield session
            session.commit()
        except WorkflowError as error:
            if error.kept:
                session.commit()
            raise
    except IntegrityError:
        session.rollback()
        raise Conflict() from None
    except DataError:
        session.rollback()  # PostgreSQL refuses every statement after the error
        raise UnstorableValue() from None
    except BaseException:
        session.rollback()
        raise


def refused(error: WorkflowError, to: str):
    """A screen's answer to a refusal that has no form to re-render: the message, and back."""
    flash(error.message, "error")
    return redirect(to)


@contextmanager
def unit_of_work_or_flash() -> Iterator[Session]:
    """For a screen that goes back to the same page either way: a refusal is rolled back
    and becomes the flashed message; the block's own success message stays the handler's."""
    try:
        with unit_of_work() as session:
            yield session
    except WorkflowError as error:
        flash(error.message, "error")
