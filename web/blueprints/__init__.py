"""Every blueprint of the app is registered here."""

from __future__ import annotations

import importlib

from flask import Flask

# (module, url_prefix). Each module exposes `bp`.
BLUEPRINTS = (
    ("web.blueprints.auth", None),
    ("web.blueprints.account", None),
    ("web.blueprints.main", None),
    ("web.blueprints.notifications", None),
    ("web.blueprints.programmes", "/programmes"),
    ("web.blueprints.reassign", "/programmes"),
    ("web.blueprints.drafts", "/programmes"),
    ("web.blueprints.absences", None),
    ("web.blueprints.admin_department", None),
    ("web.blueprints.review", "/review"),
    ("web.blueprints.admin", "/admin"),
    ("web.blueprints.campaigns_admin", "/admin/campaigns"),
    ("web.blueprints.letters", "/letters"),
    ("web.blueprints.signing_inbox", "/signing"),
    ("web.blueprints.verify", "/verify"),
    ("web.blueprints.campaign_page", "/campaigns"),
    ("web.blueprints.search", "/search"),
    ("web.blueprints.exports", None),
    ("web.blueprints.tasks", "/tasks"),
    ("web.blueprints.routes_admin", "/admin/routes"),
    ("web.blueprints.route_screens", None),
    ("web.api", "/api/v1"),
)


def register_blueprints(app: Flask) -> None:
    for name, prefix in BLUEPRINTS:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp, url_prefix=prefix)
    from .extensions_api import exempt_api

    exempt_api(app)
