"""The JSON API authenticates with bearer tokens only, never with the session cookie,
so cross-site request forgery cannot reach it and it is exempt from CSRF tokens."""

from flask import Flask

from ..extensions import csrf


def exempt_api(app: Flask) -> None:
    csrf.exempt(app.blueprints["api"])
