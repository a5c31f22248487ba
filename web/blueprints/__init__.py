"""Every blueprint of the app is registered here."""

from __future__ import annotations

import importlib

from flask import Flask

# (module, url_prefix). Each module under web/blueprints exposes `bp`.
BLUEPRINTS = (
    ("auth", None),
    ("main", None),
)


def register_blueprints(app: Flask) -> None:
    for name, prefix in BLUEPRINTS:
        module = importlib.import_module(f"{__name__}.{name}")
        app.register_blueprint(module.bp, url_prefix=prefix)
