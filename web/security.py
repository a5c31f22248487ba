"""Response headers, and the absolute/idle session lifetime."""

from __future__ import annotations

from flask import Flask, request, session

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    @app.before_request
    def _session_is_permanent():
        # Permanent sessions expire after PERMANENT_SESSION_LIFETIME of inactivity. Set only
        # when not yet: setting it marks the session changed, and a changed session's
        # cookie is signed and sent on every response (web/extensions.SessionInterface).
        if not session.permanent:
            session.permanent = True

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE") or request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
