"""The Flask application: screens, JSON API and CLI over the `workflow` domain."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: str) -> str:
    """A per-installation secret kept in instance/, created on first start."""
    path = Path(instance_path) / "secret_key"
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
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("DATABASE_URL"),
        UPLOAD_DIR=os.path.join(app.instance_path, "uploads"),
        PKI_DIR=os.path.join(app.instance_path, "pki"),
        SIGNER_P12=os.environ.get("SIGNER_P12"),
        SIGNER_P12_PASSWORD=os.environ.get("SIGNER_P12_PASSWORD"),
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="ru",
        BABEL_DEFAULT_TIMEZONE="Asia/Vladivostok",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "web" / "translations"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=30),  # idle lifetime
        SESSION_ABSOLUTE_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,  # the session lifetime bounds the token already
        CLOCK=lambda: datetime.now(UTC),
        PAGE_SIZE=25,
        LOGIN_THROTTLE_ATTEMPTS=5,
        LOGIN_THROTTLE_WINDOW=timedelta(minutes=15),
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _secret_key(app.instance_path)
    if not app.config["DATABASE_URL"]:
        from workflow.db import default_sqlite_url

        app.config["DATABASE_URL"] = default_sqlite_url(app.instance_path)

    from . import database, extensions

    database.init_app(app)
    extensions.init_app(app)

    from . import errors, security

    errors.init_app(app)
    security.init_app(app)

    from . import sessions

    sessions.init_app(app)

    from .blueprints import register_blueprints

    register_blueprints(app)

    from . import cli

    cli.init_app(app)

    # Behind a reverse proxy, trust its X-Forwarded-For/-Proto (so throttling sees the
    # client's address and Secure cookies follow HTTPS): TRUSTED_PROXIES = how many hops.
    hops = int(app.config.get("TRUSTED_PROXIES") or os.environ.get("TRUSTED_PROXIES", "0"))
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
