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
@click.option("--totp-secret", envvar="DEMO_TOTP_SECRET", default=None,
              help="Base32 TOTP secret of the signatory and the administrator (default: random).")
def seed_demo(password: str, totp_secret: str | None) -> None:
    """Load demo data: municipalities, the 23/6666 campaign, users, programmes, letters."""
    from workflow.demo.seed import seed_demo as run_seed

    schema.upgrade(current_app.extensions["engine"])
    try:
        with unit_of_work(_factory()) as session:
            result = run_seed(session, password=password, totp_secret=totp_secret)
    except RuntimeError as error:
        _fail(str(error))
    issued = _issue_pending_letters()
    click.echo(f"Демо-данные загружены. Подписанных писем сформировано в PDF: {issued}.")
    click.echo(f"Пароль всех демо-учётных записей: {result.password}")
    click.echo("Учётные записи (логин — роль — организация):")
    for login, role, org in result.logins:
        click.echo(f"  {login:<26} {Role(role).value:<18} {org}")
    from workflow.second_factor import provisioning_uri

    click.echo(f"Второй фактор ({', '.join(result.totp_logins)}): после пароля вход спросит "
               "код из приложения-аутентификатора. Добавьте в приложение ключ")
    click.echo(f"  {result.totp_secret}")
    for login in result.totp_logins:
        click.echo(f"  {login}: {provisioning_uri(result.totp_secret, login)}")


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


@click.command("verify-audit")
@with_appcontext
def verify_audit() -> None:
    """Recompute the hash chains of the history and the letter journal."""
    with unit_of_work(_factory()) as session:
        broken = audit.verify_history(session) or audit.verify_journal(session)
    if broken:
        _fail(f"цепочка нарушена: {broken.table} #{broken.row_id}: {broken.message}")
    click.echo("Журналы целостны: история и регистрационный журнал проверены.")


def init_app(app: Flask) -> None:
    for command in (init_db, seed_demo, issue_letters, create_user, verify_audit):
        app.cli.add_command(command)
