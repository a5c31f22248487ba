"""The command line as an administrator uses it: migrations, demo data, users, audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from documents.issue import trust_roots
from documents.verify import verify_pdf
from web import create_app
from workflow.models import (
    Letter,
    Municipality,
    Programme,
    SignerCertificate,
    SigningSession,
    User,
)
from workflow.states import LetterState, ProgrammeState


@pytest.fixture
def cli_app(scratch_db_url, tmp_path):
    """An app on an empty database: the schema comes from the migrations."""
    app = create_app({"DATABASE_URL": scratch_db_url, "SECRET_KEY": "test",
                      "APP_INSTANCE_PATH": str(tmp_path), "PKI_DIR": str(tmp_path / "pki"),
                      "AUDIT_CHECKPOINT_DIR": str(tmp_path / "audit")})
    yield app
    app.extensions["engine"].dispose()


@pytest.mark.slow
def test_seed_demo_loads_every_state_renders_letters_and_keeps_the_audit_chains(cli_app):
    runner = cli_app.test_cli_runner()
    # The README's order: init-db first (it used to issue the demo certificate to
    # "Уполномоченный подписант" because no signatory existed yet).
    assert runner.invoke(args=["init-db"]).exit_code == 0
    result = runner.invoke(args=["seed-demo", "--password", "another-demo-password"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "reviewer1" in result.output and "vladivostok" in result.output
    pin = re.search(r"PIN-код ключа электронной подписи \(signatory\): (\d{8})", result.output)
    assert pin, result.output
    with cli_app.extensions["session_factory"]() as s:
        signatory = s.scalar(select(User).where(User.login == "signatory"))
        (cert,) = s.scalars(select(SignerCertificate)).all()
        assert cert.user_id == signatory.id and cert.source == "demo"
        assert cert.owner_name == signatory.full_name == "Шкуратская Мария Викторовна"
        assert cert.serial in result.output
        assert "Уполномоченный".encode() not in bytes(cert.pkcs12)
        assert s.scalar(select(func.count(SigningSession.id))) == 0
        circular_pdf = s.scalar(select(Letter.pdf).where(Letter.number == "23/6666"))
    result_pdf = verify_pdf(circular_pdf, trust_roots(cli_app))
    assert result_pdf.ok and result_pdf.signer_name == "Шкуратская Мария Викторовна"
    assert result_pdf.serial == cert.serial
    with cli_app.extensions["session_factory"]() as s:
        assert s.scalar(select(func.count(Municipality.id))) == 34
        assert s.scalar(select(func.count(User.id))) == 34 + 6  # + the two heads of department
        states = set(s.scalars(select(Programme.state)))
        assert states == {state.value for state in ProgrammeState}
        circular = s.scalar(select(Letter).where(Letter.number == "23/6666"))
        assert circular.registered_on.isoformat() == "2022-07-15"
        signed = s.scalars(select(Letter).where(Letter.state == LetterState.SIGNED)).all()
        assert sorted(x.seq for x in signed) == list(range(6666, 6666 + len(signed)))
        assert all(x.pdf_sha256 for x in signed)
    audit = runner.invoke(args=["verify-audit"])
    assert audit.exit_code == 0, audit.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 1 and "пустую базу" in again.output


def test_init_db_then_create_user_and_clear_errors(cli_app):
    runner = cli_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    ok = runner.invoke(args=["create-user", "ivanova", "--role", "reviewer",
                             "--password", "a-long-unusual-passphrase", "--name", "Иванова Анна Петровна"])
    assert ok.exit_code == 0, ok.output
    missing = runner.invoke(args=["create-user", "petrov", "--role", "municipal_editor",
                                  "--municipality", "nowhere", "--password", "a-long-unusual-passphrase"])
    assert missing.exit_code == 1 and "nowhere" in missing.output
    weak = runner.invoke(args=["create-user", "sidorov", "--role", "reviewer", "--password", "qwerty"])
    assert weak.exit_code == 1 and "Пароль" in weak.output
    bad_role = runner.invoke(args=["create-user", "x1", "--role", "boss", "--password", "p"])
    assert bad_role.exit_code == 2 and "boss" in bad_role.output
    unknown = runner.invoke(args=["create-user", "x2", "--colour", "red"])
    assert unknown.exit_code == 2
    with cli_app.extensions["session_factory"]() as s:
        assert s.scalar(select(func.count(User.id))) == 1
