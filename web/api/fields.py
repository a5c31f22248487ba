"""The building blocks of the API's shapes: the base model and the field types.

Every request and response of /api/v1 is a pydantic v2 model built from these. A field type
carries both its JSON Schema (for the OpenAPI document) and its check (for the request), so
the documented and the enforced contract are one declaration. A check that fails raises a
`PydanticCustomError` whose type names the refusal; `parsing.py` turns it into the API's
stable error code and a Russian message naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from workflow.text import forbidden_character

# PostgreSQL INTEGER: identifiers and versions beyond it cannot exist.
INT_MAX = 2_147_483_647
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Shape(BaseModel):
    """A request or response of the API: no unknown fields, immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def refuse(kind: str, **context: Any) -> PydanticCustomError:
    """A refusal `parsing.MESSAGES` knows by `kind`; `sub` extends the field's name. (A
    refused character travels as its code point: a lone surrogate cannot cross into
    pydantic-core's Rust and back as text.)"""
    return PydanticCustomError(kind, kind, context)


# ---------------------------------------------------------------- integers


def _integer(low: int, high: int):
    def check(value):
        # JSON true/false and 1.5 are not integers, "1" is not either (no coercion).
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise refuse("int_type")
        if not low <= value <= high:
            raise refuse("int_range", low=low, high=high)
        return value
    return check


def Integer(low: int = 1, high: int = INT_MAX, **field: Any) -> Any:  # noqa: N802 -- a type
    """A whole number in [low, high] (identifiers and versions: 1..INT_MAX)."""
    return Annotated[int, Field(ge=low, le=high, **field), BeforeValidator(_integer(low, high))]


def _query_integer(low: int, high: int):
    check = _integer(low, high)

    def parse(value):
        if isinstance(value, str):
            if not value.isascii() or not value.isdigit():
                raise refuse("int_type")
            value = int(value)
        return check(value)
    return parse


def QueryInteger(low: int = 1, high: int = INT_MAX, **field: Any) -> Any:  # noqa: N802
    """A whole number in a query string: ASCII digits only."""
    return Annotated[int, Field(ge=low, le=high, **field),
                     BeforeValidator(_query_integer(low, high))]


Id = Integer()


# ---------------------------------------------------------------- text


def _text_rule(value):
    # The domain's text rule (workflow.text): NUL, controls, bidi overrides and isolates,
    # lone surrogates (which UTF-8 cannot encode) and noncharacters are refused by name,
    # before the length (a refused character is the more useful message).
    if isinstance(value, str):
        char = forbidden_character(value)
        if char is not None:
            raise refuse("forbidden_character", code=ord(char))
    return value


def Text(max_length: int | None = None, **field: Any) -> Any:  # noqa: N802 -- a type
    """A string the user typed: no forbidden character, at most `max_length` characters."""
    return Annotated[str, Field(max_length=max_length, strict=True, **field),
                     BeforeValidator(_text_rule)]


# ---------------------------------------------------------------- dates and times


def _iso_date(value):
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise refuse("date_type")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise refuse("date_value") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# Timestamps are written as Python's isoformat ("+00:00"), as the API always has.
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# ---------------------------------------------------------------- programme sections

SECTION_KEY = r"^[1-9][0-9]{0,9}$"


def _sections(max_length: int):
    def check(value):
        if not isinstance(value, dict):
            raise refuse("sections_type")
        for key, text in value.items():
            if not key.isascii() or not key.isdigit() or not 1 <= int(key) <= INT_MAX:
                raise refuse("section_key")
            if not isinstance(text, str):
                raise refuse("section_text_type", sub=key)
            char = forbidden_character(text)
            if char is not None:
                raise refuse("forbidden_character", code=ord(char), sub=key)
            if len(text) > max_length:
                raise refuse("string_too_long", max_length=max_length, sub=key)
        return value
    return check


def Sections(max_length: int, **field: Any) -> Any:  # noqa: N802 -- a type
    """Texts of a programme's sections, {requirement id: text}; parsed to {int: str}."""
    schema = {"type": "object", "propertyNames": {"pattern": SECTION_KEY},
              "additionalProperties": {"type": "string", "maxLength": max_length}}
    return Annotated[dict[int, str], BeforeValidator(_sections(max_length)),
                     WithJsonSchema(schema), Field(**field)]


# ---------------------------------------------------------------- who and where


class Person(Shape):
    id: int
    full_name: str


class Municipality(Shape):
    id: int
    code: str
    name: str


class Page(Shape):
    """A page of a list: the items, the total under the same filter, the page asked for."""

    total: int
    page: int
    per_page: int


def person(user) -> Person | None:
    return None if user is None else Person(id=user.id, full_name=user.full_name)


def municipality(m) -> Municipality | None:
    return None if m is None else Municipality(id=m.id, code=m.code, name=m.name)


# ---------------------------------------------------------------- lists and errors

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


class PageQuery(Shape):
    page: QueryInteger() = Field(1, description="Номер страницы, с 1")
    per_page: QueryInteger(1, MAX_PER_PAGE) = Field(
        DEFAULT_PER_PAGE, description=f"Размер страницы, не больше {MAX_PER_PAGE}")


class ErrorDetail(Shape):
    code: str = Field(description="Стабильный машинный код ошибки")
    message: str = Field(description="Сообщение для человека (по-русски)")
    field: str = Field(None, description="Поле запроса, к которому относится ошибка")
    reasons: list[str] = Field(None, description="Невыполненные условия перехода (guard_failed)")
    retry_after: int = Field(None, description="Через сколько секунд повторить вход "
                                               "(too_many_attempts; также заголовок Retry-After)")


class ErrorBody(Shape):
    """Every refusal: {"error": {"code", "message", ...}}."""

    error: ErrorDetail
