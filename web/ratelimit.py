"""Rate limits (Flask-Limiter) of the public, unauthenticated pages: /verify.

Anyone may check a letter, so the page and its upload form (each upload costs a PDF parse
and a signature validation) are limited per client address: VERIFY_RATE_LIMIT, e.g.
"30 per minute; 300 per hour". Counters live in the process's memory by default, or in
Redis when REDIS_URL is set, so that several processes and servers share them.

One Limiter per application (not a module global): its storage and limits belong to that
app, so two apps in one process (tests, workers) never share counters.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

VERIFY_SCOPE = "verify"


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def init_app(app: Flask) -> None:
    """After the blueprints are registered (the limit is attached to /verify's)."""
    from .blueprints import verify

    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") \
        or "memory://"
    limiter = Limiter(
        key_func=get_remote_address, storage_uri=storage, headers_enabled=True,
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX") or "programme-approval",
        # A Redis that is down must not take the verification page with it.
        swallow_errors=True, in_memory_fallback_enabled=True,
    )
    # Every route of the blueprint counts against one budget per address.
    limiter.shared_limit(_verify_limit, scope=VERIFY_SCOPE)(verify.bp)
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_error):
        message = gettext("Слишком много запросов проверки с вашего адреса. "
                          "Повторите через минуту.")
        if _wants_json():
            from .errors import json_error

            return json_error(429, "too_many_requests", message)
        return render_template("errors/error.html", status=429, message=message), 429
