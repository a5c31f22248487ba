"""The audit commands as an administrator runs them after upgrading: `init-db` re-seals the
old plain SHA-256 chains under the key once, `verify-audit` then passes, and `purge` runs."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock
from tests.factories import build_world, programme_in
from tests.security.conftest import legacy_seal_everything
from web import create_app
from workflow.states import ProgrammeState


@pytest.fixture
def cli_app(scratch_db_url, tmp_path):
    app = create_app({"DATABASE_URL": scratch_db_url, "SECRET_KEY": "test",
                      "PKI_DIR": str(tmp_path / "pki"),
                      "AUDIT_CHECKPOINT_DIR": str(tmp_path / "audit")})
    yield app
    app.extensions["engine"].dispose()


def _invoke(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_init_db_reseals_the_old_chains_once(cli_app):
    assert _invoke(cli_app, "init-db").exit_code == 0
    with cli_app.extensions["session_factory"]() as s:
        world = build_world(s, FakeClock())
        programme_in(world, ProgrammeState.RETURNED)
        s.commit()
    legacy_seal_everything(cli_app)
    before = _invoke(cli_app, "verify-audit")
    assert before.exit_code == 1
    upgraded = _invoke(cli_app, "init-db")
    assert upgraded.exit_code == 0, upgraded.output
    assert "перезапечатаны" in upgraded.output
    after = _invoke(cli_app, "verify-audit")
    assert after.exit_code == 0, after.output
    assert "Журналы целостны" in after.output
    again = _invoke(cli_app, "init-db")  # nothing more to do
    assert again.exit_code == 0 and "перезапечатаны" not in again.output
    assert (cli_app.extensions["audit"].checkpoint_path).exists()


def test_purge_command_reports_what_it_deleted(cli_app):
    assert _invoke(cli_app, "init-db").exit_code == 0
    result = _invoke(cli_app, "purge", "--days", "30")
    assert result.exit_code == 0, result.output
    assert "Удалено: попыток входа 0" in result.output
