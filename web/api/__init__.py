"""The JSON API (/api/v1): bearer tokens, strict JSON bodies, JSON errors.

Handlers parse and check the request, call one `workflow` operation, commit once and
respond; side effects (the signed PDF) run after the commit. Every request and response is
a pydantic model (`*shapes.py`, `fields.py`), every route is declared with its contract
(`registry.operation`), and `openapi.py` generates the OpenAPI document from them, served at
/api/v1/openapi.json and readable at /api/v1/docs.
"""

from flask import Blueprint

from workflow.errors import GuardFailed, InvalidInput, WorkflowError

from ..errors import json_error, status_for

bp = Blueprint("api", __name__)


from .parsing import ApiError  # noqa: E402


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    response, status = json_error(error.status, error.code, error.message, **error.extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response, status


@bp.errorhandler(WorkflowError)
def _workflow_error(error: WorkflowError):
    """As the app-wide handler, plus the offending field of invalid input."""
    extra: dict = {}
    if isinstance(error, GuardFailed):
        extra["reasons"] = error.reasons
    if isinstance(error, InvalidInput) and error.field:
        extra["field"] = error.field
    return json_error(status_for(error), error.code, error.message, **extra)


from . import (  # noqa: E402, F401
    auth,
    campaign_status,
    campaigns,
    docs,
    drafts,
    jobs,
    letters,
    notifications,
    openapi,
    programmes,
    review,
    routes,
)
