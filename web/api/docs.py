"""/api/v1/docs: the API's documentation as one server-rendered page, read from the generated
OpenAPI document (operations, parameters, bodies, answers, schemas). No script and nothing
from another origin: it works under the site's strict Content-Security-Policy, where a
Swagger UI would need its bundle vendored and its inline styles allowed."""

from __future__ import annotations

from typing import Literal

from flask import render_template
from markupsafe import Markup, escape
from pydantic import Field

from .fields import Shape
from .openapi import TAGS, spec
from .parsing import parse_query
from .registry import Media, operation

METHODS = ("get", "post", "put", "patch", "delete")


def _link(ref: str) -> Markup:
    name = ref.rsplit("/", 1)[1]
    return Markup('<a href="#schema-{0}">{0}</a>').format(name)


def type_of(schema: dict) -> Markup:
    """A JSON Schema as a short Russian phrase, the named schemas linked."""
    if "$ref" in schema:
        return _link(schema["$ref"])
    if "anyOf" in schema or "oneOf" in schema:
        return Markup(" или ").join(type_of(s) for s in schema.get("anyOf", schema.get("oneOf")))
    kind = schema.get("type")
    if isinstance(kind, list):
        return Markup(" или ").join(type_of({**schema, "type": k}) for k in kind)
    if "const" in schema:
        return Markup("«{}»").format(schema["const"])
    words = {"string": "строка", "integer": "целое", "number": "число", "boolean": "да/нет",
             "null": "null", "object": "объект", "array": "массив"}
    text = escape(words.get(kind, kind or "любое"))
    if kind == "array" and "items" in schema:
        text = Markup("массив из ") + type_of(schema["items"])
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        text = Markup("объект {ключ: ") + type_of(schema["additionalProperties"]) + Markup("}")
    notes = []
    if "format" in schema:
        notes.append(schema["format"])
    if "enum" in schema:
        notes.append(" | ".join(str(v) for v in schema["enum"]))
    if "minimum" in schema or "maximum" in schema:
        notes.append(f"{schema.get('minimum', '…')}–{schema.get('maximum', '…')}")
    if "minLength" in schema:
        notes.append(f"не короче {schema['minLength']}")
    if "maxLength" in schema:
        notes.append(f"до {schema['maxLength']} символов")
    if "default" in schema:
        notes.append(f"по умолчанию {schema['default']}")
    if notes:
        text += Markup(" (") + escape("; ".join(notes)) + Markup(")")
    return text


def _operations(document: dict) -> list[dict]:
    rows = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                rows.append({"path": path, "method": method.upper(), **item[method]})
    return rows


def _schemas(document: dict) -> list[dict]:
    rows = []
    for name, schema in document["components"]["schemas"].items():
        required = set(schema.get("required", ()))
        fields = [{"name": field, "type": type_of(prop), "required": field in required,
                   "description": prop.get("description", "")}
                  for field, prop in schema.get("properties", {}).items()]
        rows.append({"name": name, "description": schema.get("description", ""),
                     "fields": fields, "type": None if fields else type_of(schema)})
    return rows


class DocsQuery(Shape):
    tag: Literal[TAGS] | None = Field(  # type: ignore[valid-type]
        None, description="Только операции этого раздела")


@operation("get", "/docs", "Эта документация: страница для чтения", tag="meta", public=True,
           ok=Media(("text/html",), "Страница HTML"), query=DocsQuery, errors=(400,),
           op_id="getDocs")
def api_docs():
    document = spec()
    only = parse_query(DocsQuery).tag
    tags = [t["name"] for t in document["tags"] if only in (None, t["name"])]
    operations = _operations(document)
    groups = [(tag, [o for o in operations if o["tags"][0] == tag]) for tag in tags]
    return render_template("api/docs.html", document=document, only=only,
                           groups=[g for g in groups if g[1]], schemas=_schemas(document),
                           type_of=type_of, responses=document["components"]["responses"])
