"""The administration blueprint, its guard (administrators only) and what its screens share."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext
from sqlalchemy import select
from wtforms import SelectChoice

from workflow.errors import WorkflowError
from workflow.models import Municipality
from workflow.states import Role

from ...database import db
from ...guards import only_for

bp = Blueprint("admin", __name__)


bp.before_request(only_for(lambda user: user.role == Role.ADMIN))


def municipality_choices(include_empty: bool = True):
    """The municipalities for a select, by name (first "not given" unless told otherwise)."""
    rows = db().execute(
        select(Municipality.id, Municipality.name).order_by(Municipality.name)
    ).all()
    choices = [SelectChoice("", gettext("— не указан —"))] if include_empty else []
    return choices + [SelectChoice(str(r.id), r.name) for r in rows]


def field_error(form, error: WorkflowError) -> None:
    """Show a use case's refusal under the field it names, when the form has that field."""
    name = getattr(error, "field", None)
    if name and name in form._fields:
        form._fields[name].errors = [*form._fields[name].errors, error.message]
