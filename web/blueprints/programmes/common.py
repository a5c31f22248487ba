"""What the programme screens share: the blueprint, the current user, the upload
limit and how a form that does not validate refuses its use case."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    render_template,
)
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from workflow.errors import InvalidInput

# Named after the package, as the single module it replaces was (web.blueprints.programmes).
bp = Blueprint("programmes", __name__.rpartition(".")[0])


def _me():
    return current_user.user


def _upload_limit_mb() -> int:
    return (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    message = gettext("Файл слишком большой: допускается не более %(limit)s МБ. "
                      "Уменьшите файл (например, сохраните PDF со сжатием) и загрузите снова.",
                      limit=_upload_limit_mb())
    return render_template("errors/error.html", status=413, message=message), 413



def check_form(form) -> None:
    """A form that does not validate refuses the use case with its first message (inside
    the unit of work, so the rows locked for writing are released by its rollback)."""
    if form.validate_on_submit():
        return
    for errors in form.errors.values():
        if errors:
            raise InvalidInput(errors[0])
    raise InvalidInput(gettext("Проверьте введённые данные"))
