"""URL converters. Every `<int:...>` segment of every route is bounded to PostgreSQL's
INTEGER: identifiers beyond it cannot exist, and passing one to the database fails there
(OverflowError on SQLite, "out of range" on PostgreSQL) instead of answering 404."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

INT_MAX = 2_147_483_647


class BoundedIntegerConverter(IntegerConverter):
    """`int`, at most INT_MAX (or the route's own `max`, if lower).

    Ten digits at most in the pattern, so a segment of thousands of digits never reaches
    `int()` (whose own limit on digits raises ValueError): it matches no route, a 404. A
    value out of range raises NotFound itself rather than werkzeug's ValidationError: with
    a ValidationError the matcher goes on to the same path's rules for other methods and
    answers 405, as if the URL existed."""

    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, signed=signed)
        self.low = min
        self.high = INT_MAX if max is None or max > INT_MAX else max
        if signed:
            self.regex = r"-?\d{1,10}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > self.high or (self.low is not None and number < self.low):
            raise NotFound()
        return number


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: rules take their converter when they are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
