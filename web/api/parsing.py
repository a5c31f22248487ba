"""A request into its shape: the JSON body or the query string, validated by its pydantic
model; any violation is a 400 with a stable code, the offending field and a Russian message
(pydantic's English text is never shown). Malformed JSON, a string where an integer belongs,
an unknown field, a NUL byte that PostgreSQL would refuse: a 400, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from workflow.text import forbidden_character, refusal

M = TypeVar("M", bound=BaseModel)


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


# Error kind (pydantic's, or `fields.refuse`'s) -> (code, message); {field} and the error's
# context fill the message.
MESSAGES = {
    "missing": ("missing_field", "Не заполнено обязательное поле «{field}»"),
    "extra_forbidden": ("unknown_field", "Неизвестное поле «{field}»"),
    "null": ("invalid_type", "Поле «{field}» не может быть пустым (null)"),
    "int_type": ("invalid_type", "Поле «{field}» должно быть целым числом"),
    "int_range": ("out_of_range", "Поле «{field}» должно быть в диапазоне от {low} до {high}"),
    "string_type": ("invalid_type", "Поле «{field}» должно быть строкой"),
    "string_too_long": ("too_long", "Поле «{field}» длиннее {max_length} символов"),
    "string_too_short": ("invalid_value", "Не заполнено поле «{field}»"),
    "literal_error": ("invalid_value",
                      "Недопустимое значение поля «{field}»; допустимые: {allowed}"),
    "date_type": ("invalid_type", "Поле «{field}» должно быть датой в формате ГГГГ-ММ-ДД"),
    "date_value": ("invalid_value", "Поле «{field}»: такой даты нет"),
    "sections_type": ("invalid_type",
                      "Поле «{field}» должно быть объектом {идентификатор требования: текст}"),
    "section_key": ("invalid_type", "Ключи разделов — идентификаторы требований (целые числа)"),
    "section_text_type": ("invalid_type", "Текст раздела должен быть строкой"),
}
QUERY_MESSAGES = {
    **MESSAGES,
    "int_type": ("invalid_type", "Параметр «{field}» должен быть целым числом"),
    "int_range": ("out_of_range",
                  "Параметр «{field}» должен быть в диапазоне от {low} до {high}"),
    "literal_error": ("invalid_value",
                      "Недопустимое значение параметра «{field}»; допустимые: {allowed}"),
}
OTHER = ("invalid_value", "Некорректное значение поля «{field}»")


def _fill(template: str, values: dict) -> str:
    # Not str.format: messages hold literal braces ("{идентификатор требования: текст}").
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def _input(data: dict, loc: tuple):
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return ""
        data = data[part]
    return data


def refusal_of(error: ValidationError, data: dict, messages: dict = MESSAGES) -> ApiError:
    """The API error for pydantic's first error (the input is looked up in `data`: pydantic
    cannot hand back text holding a lone surrogate)."""
    error = error.errors(include_url=False, include_input=False)[0]
    kind = error["type"]
    ctx = error.get("ctx") or {}
    field = ".".join(str(p) for p in error["loc"])
    if ctx.get("sub"):
        field = f"{field}.{ctx['sub']}"
    field = field[:100]
    value = _input(data, error["loc"])
    if kind == "forbidden_character":
        return bad("invalid_value", refusal(field, chr(ctx["code"])), field)
    if kind not in ("missing", "extra_forbidden") and value is None:
        kind = "null"
    elif kind in ("literal_error", "enum"):
        kind = "literal_error" if isinstance(value, str) else "string_type"
    code, template = messages.get(kind, OTHER)
    values = {**ctx, "field": field}
    if kind == "literal_error":
        values["allowed"] = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
    return bad(code, _fill(template, values), field or None)


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


def _check_names(model: type[BaseModel], data: dict) -> None:
    """Unknown fields first, their names checked as text before they are echoed back."""
    for name in data:
        if name in model.model_fields:
            continue
        char = forbidden_character(name)
        if char is not None:
            raise bad("invalid_value", refusal("имя поля", char), "имя поля")
        if len(name) > 100:
            raise bad("too_long", "Поле «имя поля» длиннее 100 символов", "имя поля")
        raise bad("unknown_field", f"Неизвестное поле «{name}»", name)


def parse_body(model: type[M]) -> M:
    """The request's JSON body as `model` (`model_fields_set`: the fields it held)."""
    data = json_object()
    _check_names(model, data)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise refusal_of(error, data) from None


def parse_query(model: type[M]) -> M:
    """The query string as `model`; an empty parameter is an absent one, others are ignored."""
    data = {name: value for name, value in request.args.items()
            if value != "" and name in model.model_fields}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise refusal_of(error, data, QUERY_MESSAGES) from None
