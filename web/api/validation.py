"""Strict parsing of JSON bodies and query strings.

A request body is declared once as a `Body` (a mapping of field names to `F`); the same
declaration validates requests and produces the JSON Schema published in the OpenAPI
document, so the two cannot drift apart. Anything unexpected -- malformed JSON, a string
where an integer belongs, an unknown field, a NUL byte that PostgreSQL would refuse -- is a
400 with a stable code and the offending field, never a 500.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from flask import request

from workflow.text import forbidden_character, refusal

# PostgreSQL INTEGER: identifiers and versions beyond it cannot exist.
INT_MAX = 2_147_483_647
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ApiError(Exception):
    """An error the API reports as-is: HTTP status, machine code, Russian message."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def bad(code: str, message: str, field: str | None = None) -> ApiError:
    extra = {"field": field} if field else {}
    return ApiError(400, code, message, **extra)


@dataclass(frozen=True)
class F:
    """One field of a JSON body."""

    kind: str  # string | integer | date | enum | sections
    required: bool = False
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] = ()
    nullable: bool = False
    description: str = ""


Body = dict[str, F]

_TYPE_WORDS = {
    "string": "строкой",
    "enum": "строкой",
    "date": "датой в формате ГГГГ-ММ-ДД",
    "integer": "целым числом",
    "sections": "объектом {идентификатор требования: текст}",
}


def clean_string(value: str, name: str, max_length: int | None) -> str:
    # The domain's text rule (workflow.text): NUL, controls, bidi overrides and isolates,
    # lone surrogates (which UTF-8 cannot encode) and noncharacters are refused here, by name.
    char = forbidden_character(value)
    if char is not None:
        raise bad("invalid_value", refusal(name, char), name)
    if max_length is not None and len(value) > max_length:
        raise bad("too_long", f"Поле «{name}» длиннее {max_length} символов", name)
    return value


def _check_int(value, name: str, minimum: int | None, maximum: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad("invalid_type", f"Поле «{name}» должно быть {_TYPE_WORDS['integer']}", name)
    low = 1 if minimum is None else minimum
    high = INT_MAX if maximum is None else maximum
    if not low <= value <= high:
        raise bad("out_of_range", f"Поле «{name}» должно быть в диапазоне от {low} до {high}", name)
    return value


def _field(name: str, spec: F, value):
    if value is None:
        if spec.nullable:
            return None
        raise bad("invalid_type", f"Поле «{name}» не может быть пустым (null)", name)
    if spec.kind == "integer":
        return _check_int(value, name, spec.minimum, spec.maximum)
    if spec.kind == "sections":
        return _sections(name, value, spec.max_length)
    if not isinstance(value, str):
        raise bad("invalid_type", f"Поле «{name}» должно быть {_TYPE_WORDS[spec.kind]}", name)
    value = clean_string(value, name, spec.max_length)
    if spec.kind == "enum" and value not in spec.enum:
        allowed = ", ".join(spec.enum)
        raise bad("invalid_value", f"Недопустимое значение поля «{name}»; допустимые: {allowed}", name)
    if spec.kind == "date":
        return parse_date(value, name)
    return value


def parse_date(value: str, name: str) -> date:
    if not DATE_RE.match(value):
        raise bad("invalid_type", f"Поле «{name}» должно быть {_TYPE_WORDS['date']}", name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad("invalid_value", f"Поле «{name}»: такой даты нет", name) from None


def _sections(name: str, value, max_length: int | None) -> dict[int, str]:
    if not isinstance(value, dict):
        raise bad("invalid_type", f"Поле «{name}» должно быть {_TYPE_WORDS['sections']}", name)
    result: dict[int, str] = {}
    for key, text in value.items():
        if not key.isascii() or not key.isdigit() or not 1 <= int(key) <= INT_MAX:
            raise bad("invalid_type", "Ключи разделов — идентификаторы требований (целые числа)", name)
        if not isinstance(text, str):
            raise bad("invalid_type", "Текст раздела должен быть строкой", f"{name}.{key}")
        result[int(key)] = clean_string(text, f"{name}.{key}", max_length)
    return result


def _reject_constant(token: str):
    raise ValueError(f"not JSON: {token}")


def json_object() -> dict:
    """The request's body as a JSON object; an empty body is an empty object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad("invalid_json", "Тело запроса не является корректным JSON") from None
    if not isinstance(data, dict):
        raise bad("invalid_json", "Тело запроса должно быть JSON-объектом")
    return data


def parse(body: Body) -> dict:
    """Validate the request's JSON body against `body`: only the fields present are returned."""
    data = json_object()
    for name in data:
        if name not in body:
            safe = clean_string(name, "имя поля", 100)
            raise bad("unknown_field", f"Неизвестное поле «{safe}»", safe)
    result = {}
    for name, spec in body.items():
        if name not in data:
            if spec.required:
                raise bad("missing_field", f"Не заполнено обязательное поле «{name}»", name)
            continue
        result[name] = _field(name, spec, data[name])
    return result


def schema_of(body: Body) -> dict:
    """The JSON Schema (OpenAPI 3.1) of a body declaration."""
    properties = {}
    for name, spec in body.items():
        if spec.kind == "integer":
            prop: dict = {"type": "integer", "minimum": 1 if spec.minimum is None else spec.minimum,
                          "maximum": INT_MAX if spec.maximum is None else spec.maximum}
        elif spec.kind == "date":
            prop = {"type": "string", "format": "date"}
        elif spec.kind == "enum":
            prop = {"type": "string", "enum": list(spec.enum)}
        elif spec.kind == "sections":
            text: dict = {"type": "string"}
            if spec.max_length is not None:
                text["maxLength"] = spec.max_length
            prop = {"type": "object", "propertyNames": {"pattern": "^[1-9][0-9]{0,9}$"},
                    "additionalProperties": text}
        else:
            prop = {"type": "string"}
            if spec.max_length is not None:
                prop["maxLength"] = spec.max_length
        if spec.nullable:
            prop["type"] = [prop["type"], "null"]
        if spec.description:
            prop["description"] = spec.description
        properties[name] = prop
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [name for name, spec in body.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


# ---------------------------------------------------------------- query strings


def query_int(name: str, default: int | None = None, *, minimum: int = 1,
              maximum: int = INT_MAX) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        raise bad("invalid_type", f"Параметр «{name}» должен быть целым числом", name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise bad("out_of_range", f"Параметр «{name}» должен быть в диапазоне от {minimum} до {maximum}", name)
    return value


def query_enum(name: str, allowed) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    values = [str(v) for v in allowed]
    if raw not in values:
        raise bad("invalid_value", f"Недопустимое значение параметра «{name}»; допустимые: {', '.join(values)}", name)
    return raw


def query_str(name: str, max_length: int) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    return clean_string(raw, name, max_length)
