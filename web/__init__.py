"""The Flask application: screens, JSON API and CLI over the `workflow` domain."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from . import settings

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: str) -> str:
    """A per-installation secret kept in instance/, created on first start."""
    return _instance_secret(instance_path, "secret_key")


def _instance_secret(instance_path: str, name: str) -> str:
    """A random secret in a file of instance/ (outside the database), created on first use."""
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("APP_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    from .localised_templates import LocalisedEnvironment

    app.jinja_environment = LocalisedEnvironment  # fixed strings translated once per language
    os.makedirs(app.instance_path, exist_ok=True)
    # Fixed behaviour, not operator settings.
    app.config.from_mapping(
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "web" / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        CLOCK=lambda: datetime.now(UTC),
    )
    # Every operator setting: its default, or the environment's value (web/settings.py).
    settings.load(app.config, app)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    if not app.config.get("SIGNING_SESSION_KEY"):
        app.config["SIGNING_SESSION_KEY"] = _instance_secret(app.instance_path,
                                                             "signing_session_key")
    if not app.config["DATABASE_URL"]:
        from workflow.db import default_sqlite_url

        app.config["DATABASE_URL"] = default_sqlite_url(app.instance_path)

    from . import database, extensions, observability

    database.init_app(app)
    observability.init_app(app)  # logs, /healthz, /metrics: the first request hooks
    extensions.init_app(app)

    from . import errors, security

    errors.init_app(app)
    security.init_app(app)

    from . import routing

    routing.init_app(app)
    from . import sessions

    sessions.init_app(app)

    from . import formatting, fragment_cache, nav_badges
    from .blueprints import register_blueprints

    formatting.init_app(app)  # the filters and helpers every template uses
    nav_badges.init_app(app)
    fragment_cache.init_app(app)
    register_blueprints(app)

    from . import ratelimit

    ratelimit.init_app(app)

    from . import cli

    cli.init_app(app)

    from . import jobs

    jobs.init_app(app)

    # Behind a reverse proxy, trust its X-Forwarded-For/-Proto (so throttling sees the
    # client's address and Secure cookies follow HTTPS): TRUSTED_PROXIES = how many hops.
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
