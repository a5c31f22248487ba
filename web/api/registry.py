"""Routes of the API declared with their contract: `@operation("get", "/letters", ...)`
registers the handler on the blueprint and records its request and response shapes, from
which `openapi.py` writes the OpenAPI document. A route cannot exist undocumented."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import bp


@dataclass(frozen=True)
class Media:
    """A binary answer (PDF, workbook, attachment) in one of `types`."""

    types: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    op_id: str
    summary: str
    tags: tuple[str, ...]
    ok: object  # a pydantic model, a Media, a raw JSON schema (dict) or None (no body)
    status: int
    description: str
    body: type | None
    body_required: bool
    query: type | None
    errors: tuple[int, ...]
    public: bool
    params: dict = field(default_factory=dict)  # path parameter -> (description, schema)
    responses: dict = field(default_factory=dict)  # status -> description (an Error body)


OPERATIONS: list[Operation] = []

# Errors of the usual kinds of operation.
READ = (401, 404)
WRITE = (400, 401, 403, 404, 409, 413)
MINISTRY_READ = (401, 403, 404)


def operation(method: str, rule: str, summary: str, *, tag: str | tuple[str, ...],
              ok=None, status: int = 200, description: str = "Успешно", body: type | None = None,
              body_required: bool = True, query: type | None = None,
              errors: tuple[int, ...] = (), public: bool = False, op_id: str | None = None,
              params: dict | None = None, responses: dict | None = None):
    def register(view):
        camel = "".join(w.capitalize() for w in view.__name__.split("_"))
        OPERATIONS.append(Operation(
            method=method, rule=rule, endpoint=f"{bp.name}.{view.__name__}",
            op_id=op_id or camel[0].lower() + camel[1:], summary=summary,
            tags=(tag,) if isinstance(tag, str) else tag, ok=ok, status=status,
            description=description, body=body, body_required=body_required, query=query,
            errors=errors, public=public, params=params or {}, responses=responses or {}))
        bp.add_url_rule(rule, view_func=view, methods=[method.upper()])
        return view
    return register


def public_endpoints() -> frozenset[str]:
    """Endpoints reachable without a token."""
    return frozenset(o.endpoint for o in OPERATIONS if o.public)
