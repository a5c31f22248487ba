"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json, generated from the
operations the handlers declare (`registry.operation`) and the JSON Schemas pydantic derives
from their shapes (`model_json_schema`): nothing here repeats a field."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel

from .fields import INT_MAX, ErrorBody
from .registry import OPERATIONS, Media, Operation, operation

API_VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": INT_MAX}

ERRORS = {
    400: ("BadRequest", "Некорректный запрос: не JSON, неверный тип, лишнее или отсутствующее поле"),
    401: ("Unauthorized", "Нет токена, токен неизвестен, отозван или истёк"),
    403: ("Forbidden", "Действие не разрешено роли пользователя, или роль требует второго "
                       "фактора (second_factor_required), а он не подключён"),
    404: ("NotFound", "Объект не найден или принадлежит другому муниципалитету"),
    409: ("Conflict", "Версия устарела (stale_version) или переход невозможен в текущем состоянии"),
    413: ("TooLarge", "Тело запроса слишком велико"),
    422: ("GuardFailed", "Условия перехода не выполнены; причины в error.reasons"),
    429: ("TooManyRequests", "Слишком много неудачных попыток входа; ждать error.retry_after "
                            "секунд (заголовок Retry-After)"),
}

# Path parameters by name (identifiers: the route's `int(max=...)` converter).
PATH_PARAMETERS = {
    "programme_id": "Идентификатор программы",
    "remark_id": "Идентификатор замечания",
    "letter_id": "Идентификатор письма",
    "campaign_id": "Идентификатор кампании",
    "requirement_id": "Идентификатор требования",
    "number": "Номер редакции, с 1",
    "file_id": "Идентификатор файла рабочей копии",
    "revision_file_id": "Идентификатор файла редакции",
    "job_id": "Идентификатор задания",
    "route_id": "Идентификатор маршрута",
    "task_id": "Идентификатор задачи этапа",
    "notification_id": "Идентификатор уведомления",
}
TAGS = ("auth", "programmes", "remarks", "assessments", "letters", "campaigns", "routes",
        "notifications", "meta")


def ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _tidy(schema):
    """Properties without pydantic's generated titles; `field: str = None` (optional, not
    nullable) documents no default."""
    if isinstance(schema, dict):
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
            if prop.get("default", 0) is None and "anyOf" not in prop:
                del prop["default"]
        for value in schema.values():
            _tidy(value)
    elif isinstance(schema, list):
        for value in schema:
            _tidy(value)
    return schema


def model_schemas(model: type[BaseModel], mode: str) -> dict:
    """The model's JSON Schema and those of the shapes it nests, by name."""
    schema = model.model_json_schema(ref_template=REF, mode=mode)
    out = schema.pop("$defs", {})
    out[model.__name__] = schema
    for component in out.values():
        component.pop("description", None)  # docstrings are for developers
    return _tidy(out)


def _path(op: Operation) -> tuple[str, list[dict]]:
    parameters = []
    for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", op.rule):
        description, schema = op.params.get(name) or (PATH_PARAMETERS[name], ID_SCHEMA)
        parameters.append({"name": name, "in": "path", "required": True,
                           "description": description, "schema": schema})
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", op.rule), parameters


def _query(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    parameters = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", "")
        options = [p for p in prop.pop("anyOf", []) if p.get("type") != "null"]
        prop = {**(options[0] if options else {}), **prop}
        if "$ref" in prop:  # an enumeration, inlined
            prop = {**defs[prop.pop("$ref").rsplit("/", 1)[1]], **prop}
        prop.pop("title", None)
        if prop.get("default", 0) is None:
            del prop["default"]
        parameters.append({"name": name, "in": "query", "required": False,
                           "description": description, "schema": prop})
    return parameters


def _success(op: Operation) -> dict:
    if op.ok is None:
        return {"description": op.description}
    if isinstance(op.ok, Media):
        return {"description": op.ok.description,
                "content": {t: {"schema": {"type": "string", "contentMediaType": t}}
                            for t in op.ok.types}}
    schema = op.ok if isinstance(op.ok, dict) else ref(op.ok.__name__)
    return {"description": op.description, "content": json_content(schema)}


def _operation(op: Operation, parameters: list[dict]) -> dict:
    responses = {str(op.status): _success(op)}
    errors = set(op.errors) | ({403} if not op.public else set())
    for status in sorted(errors):
        responses[str(status)] = {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
    for status, description in op.responses.items():
        responses[str(status)] = {"description": description,
                                  "content": json_content(ref("Error"))}
    document = {"operationId": op.op_id, "summary": op.summary, "tags": list(op.tags),
                "responses": dict(sorted(responses.items()))}
    if op.query is not None:
        parameters = parameters + _query(op.query)
    if parameters:
        document["parameters"] = parameters
    if op.public:
        document["security"] = []
    if op.body is not None:
        document["requestBody"] = {"required": op.body_required,
                                   "content": json_content(ref(op.body.__name__))}
    return document


@cache
def spec() -> dict:
    paths: dict = {}
    schemas = model_schemas(ErrorBody, "serialization")
    schemas["Error"] = schemas.pop("ErrorBody")
    for op in OPERATIONS:
        path, parameters = _path(op)
        paths.setdefault(path, {})[op.method] = _operation(op, parameters)
        if op.body is not None:
            schemas.update(model_schemas(op.body, "validation"))
        if isinstance(op.ok, type):
            schemas.update(model_schemas(op.ok, "serialization"))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Согласование муниципальных программ: API",
            "version": API_VERSION,
            "description": (
                "Ошибки: JSON {\"error\": {\"code\", \"message\", ...}}; code — стабильный "
                "машинный код, message — по-русски. Объекты другого муниципалитета "
                "отвечают 404, как несуществующие. Документация для чтения: /api/v1/docs."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": t} for t in TAGS],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {name: {"description": text, "content": json_content(ref("Error"))}
                          for name, text in ERRORS.values()},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Токен из POST /auth/token"},
            },
        },
    }


@operation("get", "/openapi.json", "Этот документ OpenAPI", tag="meta", public=True,
           ok={"type": "object"}, description="Документ OpenAPI 3.1", op_id="getOpenApi")
def openapi_document():
    return spec()
