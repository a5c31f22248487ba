"""Behind a trusted reverse proxy the client's address and scheme come from X-Forwarded-*;
without TRUSTED_PROXIES those headers are ignored (a client could forge them).
Database-independent: runs on SQLite only."""

from flask import request

from web import create_app


def _app(tmp_path, **config):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "APP_INSTANCE_PATH": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", **config})

    @app.route("/__whoami")
    def whoami():
        return f"{request.remote_addr} {request.scheme}"

    return app


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(tmp_path):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    plain = _app(tmp_path).test_client().get("/__whoami", headers=headers)
    assert plain.get_data(as_text=True) == "127.0.0.1 http"
    proxied = _app(tmp_path, TRUSTED_PROXIES=1).test_client().get("/__whoami", headers=headers)
    assert proxied.get_data(as_text=True) == "203.0.113.7 https"
