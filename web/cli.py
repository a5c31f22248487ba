"""`flask --app wsgi ...` commands: schema, demo data, users, audit, letter rendering."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from workflow import audit, schema
from workflow.db import unit_of_work
from workflow.errors import WorkflowError
from workflow.states import Role


def _factory():
    return current_app.extensions["session_factory"]


def _fail(message: str) -> None:
    click.echo(f"Ошибка: {message}", err=True)
    sys.exit(1)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema with Alembic migrations."""
    schema.upgrade(current_app.extensions["engine"])
    click.echo("Схема базы данных обновлена до последней версии.")
    _reseal(force=False, quiet_if_intact=True)
    _ensure_signer()


def _ensure_signer() -> None:
    """Without a configured certificate, create the demo CA and signatory certificate."""
    if current_app.config.get("SIGNER_P12"):
        return
    from sqlalchemy import select

    from documents.issue import ensure_demo_signer
    from workflow.models import OrganisationProfile, User

    with unit_of_work(_factory()) as session:
        signatory = session.scalars(
            select(User).where(User.role == Role.SIGNATORY).order_by(User.id)).first()
        profile = session.scalars(select(OrganisationProfile)).first()
        owner = signatory.full_name if signatory else "Уполномоченный подписант"
        organisation = profile.name if profile else "Министерство"
    ensure_demo_signer(current_app.config, owner, organisation)


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default="demo-password-2026", show_default=True,
              help="Password for every demo account.")
def seed_demo(password: str) -> None:
    """Load demo data: municipalities, the 23/6666 campaign, users, programmes, letters."""
    from workflow.demo.seed import seed_demo as run_seed

    schema.upgrade(current_app.extensions["engine"])
    try:
        with unit_of_work(_factory()) as session:
            result = run_seed(session, password=password)
    except RuntimeError as error:
        _fail(str(error))
    issued = _issue_pending_letters()
    click.echo(f"Демо-данные загружены. Подписанных писем сформировано в PDF: {issued}.")
    click.echo(f"Пароль всех демо-учётных записей: {result.password}")
    click.echo("Учётные записи (логин — роль — организация):")
    for login, role, org in result.logins:
        click.echo(f"  {login:<26} {Role(role).value:<18} {org}")


def _issue_pending_letters() -> int:
    try:
        from documents.issue import issue_pending_letters
    except ImportError:
        return 0
    return issue_pending_letters(current_app)


@click.command("issue-letters")
@with_appcontext
def issue_letters() -> None:
    """Render and sign every signed letter that has no PDF yet (retry after a failure)."""
    click.echo(f"Сформировано писем: {_issue_pending_letters()}")


@click.command("create-user")
@with_appcontext
@click.argument("login")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--municipality", "municipality_code", default=None, help="Municipality code.")
@click.option("--password", required=True)
@click.option("--name", "full_name", default=None, help="Full name (Фамилия Имя Отчество).")
@click.option("--position", default="")
def create_user(login, role, municipality_code, password, full_name, position) -> None:
    """Create a user account."""
    from workflow.users import create_user as run

    try:
        with unit_of_work(_factory()) as session:
            user = run(session, login=login, full_name=full_name or login, role=role,
                       password=password, municipality_code=municipality_code,
                       position=position, now=current_app.config["CLOCK"]())
            click.echo(f"Пользователь {user.login} создан (роль {user.role}).")
    except WorkflowError as error:
        _fail(error.message)


MAX_REPORTED = 200


@click.command("verify-audit")
@with_appcontext
@click.option("--pdf", "check_pdf", is_flag=True,
              help="Also hash every stored PDF against its sealed pdf_sha256 (reads every PDF).")
def verify_audit(check_pdf: bool) -> None:
    """Check the keyed hash chains of the history and the letter journal against the key
    and the checkpoint; report every break with the entry's id."""
    cfg = current_app.extensions["audit"]
    with unit_of_work(_factory()) as session:
        report = audit.verify_all(session, cfg, check_pdf=check_pdf)
    for warning in report.warnings:
        click.echo(f"Предупреждение: {warning}", err=True)
    if report.breaks:
        click.echo(f"Ошибка: журналы нарушены, найдено нарушений: {len(report.breaks)}", err=True)
        for broken in report.breaks[:MAX_REPORTED]:
            click.echo(f"  {broken}", err=True)
        if len(report.breaks) > MAX_REPORTED:
            click.echo(f"  … и ещё {len(report.breaks) - MAX_REPORTED}", err=True)
        sys.exit(1)
    click.echo("Журналы целостны: история и регистрационный журнал проверены.")


def _reseal(*, force: bool, quiet_if_intact: bool = False, from_key: str | None = None) -> None:
    cfg = current_app.extensions["audit"]
    previous = audit.AuditConfig(from_key.encode()) if from_key else None
    with unit_of_work(_factory()) as session:
        result = audit.reseal(session, cfg, force=force, from_cfg=previous)
        if result.status == "refused":
            session.rollback()
    if result.status == "refused":
        click.echo("Ошибка: цепочки не сходятся ни под ключом журнала, ни по прежней схеме; "
                   "перезапечатать их значило бы узаконить подделку. Нарушения:", err=True)
        for broken in result.breaks[:MAX_REPORTED]:
            click.echo(f"  {broken}", err=True)
        click.echo("Проверьте записи; если содержимое базы принято как верное, выполните "
                   "flask audit-reseal --force.", err=True)
        sys.exit(1)
    audit.finish_reseal(cfg, result)
    if result.status == "resealed":
        click.echo(f"Журналы перезапечатаны ключом: записей истории {result.events}, "
                   f"писем {result.letters}; контрольная точка записана.")
    elif not quiet_if_intact:
        click.echo("Журналы уже запечатаны ключом; контрольная точка записана заново.")


@click.command("audit-reseal")
@with_appcontext
@click.option("--force", is_flag=True,
              help="Re-seal even if the chains do not verify (accept the database as it is).")
@click.option("--from-key", default=None, envvar="AUDIT_PREVIOUS_KEY",
              help="The previous audit key, when the key is rotated (or AUDIT_PREVIOUS_KEY).")
def audit_reseal(force: bool, from_key: str | None) -> None:
    """Seal the chains under the audit key once (after upgrading from plain SHA-256 chains
    or rotating the key) and write a fresh checkpoint."""
    _reseal(force=force, from_key=from_key)


@click.command("purge")
@with_appcontext
@click.option("--days", type=int, default=None,
              help="Keep sign-in attempts this many days (default SIGNIN_RETENTION_DAYS).")
def purge(days: int | None) -> None:
    """Delete old sign-in attempts, idle throttle rows and expired API tokens."""
    from datetime import timedelta

    from workflow.api_tokens import purge_expired
    from workflow.signin import purge_signin_records

    config = current_app.config
    keep = timedelta(days=days if days is not None else config["SIGNIN_RETENTION_DAYS"])
    now = config["CLOCK"]()
    with unit_of_work(_factory()) as session:
        counts = purge_signin_records(session, now=now, keep=keep,
                                      forget_after=config["LOGIN_THROTTLE_WINDOW"])
        tokens = purge_expired(session, now=now)
    click.echo(f"Удалено: попыток входа {counts['attempts']}, записей ограничения входа "
               f"{counts['throttles']}, просроченных токенов {tokens}.")


def init_app(app: Flask) -> None:
    for command in (init_db, seed_demo, issue_letters, create_user, verify_audit, audit_reseal,
                    purge):
        app.cli.add_command(command)
