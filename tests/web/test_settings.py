"""Every setting can be given in the environment, converted by its parser (web/settings.py);
a bad value stops the start naming the variable. Before, most settings (PAGE_SIZE, the
session lifetimes, the sign-in throttle, BABEL_DEFAULT_TIMEZONE...) could not be set
from the environment at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from web import create_app, settings

# variable -> (text in the environment, the value the application must get)
SAMPLES = {
    "DATABASE_URL": ("sqlite:///{tmp}/from-env.db", "sqlite:///{tmp}/from-env.db"),
    "SECRET_KEY": ("from-the-environment", "from-the-environment"),
    "UPLOAD_DIR": ("/srv/uploads", "/srv/uploads"),
    "PKI_DIR": ("/srv/pki", "/srv/pki"),
    "FILE_STORE": ("Database", "database"),
    "FILE_STORE_DIR": ("/srv/files", "/srv/files"),
    "TRUSTED_CA_FILES": ("/srv/pki/ca.pem", "/srv/pki/ca.pem"),
    "DEMO_PKI": ("0", "0"),
    "SIGNING_SESSION_KEY": ("session-key-from-env", "session-key-from-env"),
    "SIGNING_SESSION_MINUTES": ("30", 30.0),
    "JOBS_IMMEDIATE": ("yes", True),
    "JOBS_WORKERS": ("4", 4),
    "JOBS_WORKER_TYPE": ("thread", "thread"),
    "JOBS_REDIS_URL": ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3"),
    "JOBS_QUEUE_NAME": ("ministry-a", "ministry-a"),
    "JOBS_RETRIES": ("5", 5),
    "JOBS_RETRY_DELAY": ("2", 2.0),
    "JOBS_SWEEP_SECONDS": ("15", 15.0),
    "MAX_UPLOAD_MB": ("7", 7 * 1024 * 1024),
    "API_MAX_BODY": ("4096", 4096),
    "PAGE_SIZE": ("50", 50),
    "BABEL_DEFAULT_LOCALE": ("en", "en"),
    "BABEL_DEFAULT_TIMEZONE": ("Europe/Moscow", "Europe/Moscow"),
    "SESSION_COOKIE_SECURE": ("yes", True),
    "SESSION_COOKIE_SAMESITE": ("strict", "Strict"),
    "PERMANENT_SESSION_LIFETIME": ("45m", timedelta(minutes=45)),
    "SESSION_ABSOLUTE_LIFETIME": ("8h", timedelta(hours=8)),
    "WTF_CSRF_TIME_LIMIT": ("3600", 3600),
    "LOGIN_THROTTLE_ATTEMPTS": ("7", 7),
    "LOGIN_THROTTLE_WINDOW": ("600", timedelta(minutes=10)),
    "TRUSTED_PROXIES": ("1", 1),
    "LOGIN_THROTTLE_ADDRESS_ATTEMPTS": ("12", 12),
    "SIGNIN_RETENTION_DAYS": ("30", 30),
    "AUDIT_KEY": ("audit-key-from-env", "audit-key-from-env"),
    "AUDIT_KEY_FILE": ("/srv/audit/key", "/srv/audit/key"),
    "AUDIT_CHECKPOINT_DIR": ("/srv/audit/log", "/srv/audit/log"),
    "VERIFY_RATE_LIMIT": ("10 per minute", "10 per minute"),
    "REDIS_URL": ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5"),
    "MAIL_URL": ("smtp://robot:secret@mail.example.ru:587", "smtp://robot:secret@mail.example.ru:587"),
    "MAIL_FROM": ("Министерство <robot@example.ru>", "Министерство <robot@example.ru>"),
    "PUBLIC_BASE_URL": ("https://programmy.example.ru/", "https://programmy.example.ru"),
    "MAIL_MAX_ATTEMPTS": ("3", 3),
    "MAIL_PDF_WAIT": ("2h", timedelta(hours=2)),
    "DAILY_JOBS_HOUR": ("9", 9),
    "REMINDER_DAYS": ("0, 14,3", (14, 3, 0)),
    "REMINDER_DRAFTER": ("reviewer1", "reviewer1"),
}


def test_every_setting_has_a_sample_here():
    """A setting added to the table without a sample here fails this test, not silently."""
    assert set(SAMPLES) == set(settings.SETTINGS)


def test_every_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    for name, (raw, _expected) in SAMPLES.items():
        monkeypatch.setenv(name, raw.format(tmp=tmp_path))
    app = create_app()
    wrong = {}
    for name, (_raw, expected) in SAMPLES.items():
        key = settings.SETTINGS[name].key or name
        expected = expected.format(tmp=tmp_path) if isinstance(expected, str) else expected
        if app.config[key] != expected:
            wrong[name] = app.config[key]
    assert wrong == {}
    app.extensions["engine"].dispose()


def test_defaults_without_the_environment(tmp_path, monkeypatch):
    for name in settings.SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    assert app.config["PAGE_SIZE"] == 25
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "instance" / "uploads")
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SECRET_KEY"]  # made and kept in instance/
    assert app.config["MAIL_URL"] == f"file://{tmp_path / 'instance' / 'mail'}"
    assert app.config["REMINDER_DAYS"] == (7, 0) and app.config["PUBLIC_BASE_URL"] is None
    assert app.config["JOBS_SWEEP_SECONDS"] == 60.0
    assert app.config["JOBS_IMMEDIATE"] is False and app.config["JOBS_WORKERS"] == 2
    app.extensions["engine"].dispose()


def test_test_config_overrides_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PAGE_SIZE", "50")
    app = create_app({"PAGE_SIZE": 5, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["PAGE_SIZE"] == 5


@pytest.mark.parametrize(("name", "raw"), [
    ("PAGE_SIZE", "many"), ("PAGE_SIZE", "0"), ("MAX_UPLOAD_MB", "-1"),
    ("SESSION_COOKIE_SECURE", "perhaps"), ("PERMANENT_SESSION_LIFETIME", "soon"),
    ("BABEL_DEFAULT_TIMEZONE", "Mars/Olympus"), ("VERIFY_RATE_LIMIT", "lots"),
    ("TRUSTED_PROXIES", "-2"), ("SESSION_COOKIE_SAMESITE", "Sometimes"),
])
def test_a_bad_value_stops_the_start_naming_the_variable(tmp_path, monkeypatch, name, raw):
    monkeypatch.setenv("APP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv(name, raw)
    with pytest.raises(settings.SettingError) as caught:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert name in str(caught.value) and repr(raw) in str(caught.value)


def test_the_readme_table_lists_every_setting():
    table = settings.readme_table()
    for name in settings.SETTINGS:
        assert f"`{name}`" in table
