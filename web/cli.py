"""`flask --app wsgi ...` commands: schema, demo data, users, audit, letter rendering."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from workflow import audit, audit_verify, schema
from workflow.audit_reseal import finish_reseal, reseal
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
    _migrate_files()
    _reseal(force=False, quiet_if_intact=True)
    _ensure_signer()


def _migrate_files() -> bool:
    """Adopt the single attachments of before migration 0004 (see workflow.legacy_files);
    True when every one was found."""
    from workflow.legacy_files import adopt_legacy_attachments
    from workflow.storage import store_from_config

    config = current_app.config
    with current_app.extensions["engine"].begin() as connection:
        report = adopt_legacy_attachments(connection, store_from_config(config, connection),
                                          config["UPLOAD_DIR"])
    if report.adopted:
        click.echo(f"Файлы программ перенесены в хранилище: {len(report.adopted)} "
                   f"(из них закреплены за последней редакцией: {len(report.pinned)}).")
    if report.missing:
        ids = ", ".join(str(i) for i in report.missing)
        click.echo(f"Не найдены в каталоге {config['UPLOAD_DIR']} файлы программ: {ids}. "
                   "Верните файлы на место и выполните «flask migrate-files».", err=True)
    return not report.missing


@click.command("migrate-files")
@with_appcontext
def migrate_files() -> None:
    """Move the programmes' single attachments of before 0004 into the file store."""
    if not _migrate_files():
        sys.exit(1)
    click.echo("Перенос файлов программ завершён.")


def _ensure_signer() -> None:
    """While the demo PKI is in use, create the demo CA (signatories get their own
    certificates from it: `seed-demo`, or the admin's user page). Nothing is issued to
    anyone here, so the order of `init-db` and `seed-demo` does not matter."""
    from sqlalchemy import select

    from documents.issue import demo_pki_active, ensure_demo_ca
    from workflow.models import OrganisationProfile

    if not demo_pki_active(current_app.config):
        click.echo("Доверенные удостоверяющие центры: TRUSTED_CA_FILES "
                   "(демонстрационный УЦ не используется).")
        return
    with unit_of_work(_factory()) as session:
        profile = session.scalars(select(OrganisationProfile)).first()
        organisation = profile.name if profile else "Министерство"
    ensure_demo_ca(current_app.config, organisation)


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default="demo-password-2026", show_default=True,
              help="Password for every demo account.")
@click.option("--pin", default=None,
              help="Signing PIN of the demo signatory's key (random and printed if not given).")
@click.option("--totp-secret", envvar="DEMO_TOTP_SECRET", default=None,
              help="Base32 TOTP secret of the signatory and the administrator (default: random).")
def seed_demo(password: str, pin: str | None, totp_secret: str | None) -> None:
    """Load demo data: municipalities, the 23/6666 campaign, users, programmes, letters."""
    from documents.issue import demo_pki_active, issue_demo_certificate
    from workflow.demo import circular
    from workflow.demo.seed import seed_demo as run_seed

    schema.upgrade(current_app.extensions["engine"])
    if not demo_pki_active(current_app.config):
        _fail("демо-данные подписываются сертификатом демонстрационного УЦ, а он отключён "
              "(задан TRUSTED_CA_FILES или DEMO_PKI=0)")
    pin = pin or "".join(secrets.choice("0123456789") for _ in range(8))

    def issue(owner: str, chosen_pin: str) -> bytes:
        return issue_demo_certificate(current_app.config, owner_name=owner,
                                      organisation=circular.ORGANISATION["name"],
                                      pin=chosen_pin)

    try:
        with unit_of_work(_factory()) as session:
            result = run_seed(session, password=password, signing_pin=pin,
                              issue_certificate=issue, totp_secret=totp_secret)
    except (RuntimeError, WorkflowError) as error:
        _fail(getattr(error, "message", None) or str(error))
    issued = _render_seeded_letters(result.signatory_login, pin)
    click.echo(f"Демо-данные загружены. Подписанных писем сформировано в PDF: {issued}.")
    click.echo(f"Пароль всех демо-учётных записей: {result.password}")
    click.echo("Учётные записи (логин — роль — организация):")
    for login, role, org in result.logins:
        click.echo(f"  {login:<26} {Role(role).value:<18} {org}")
    click.echo(f"PIN-код ключа электронной подписи ({result.signatory_login}): {pin} "
               f"(сертификат № {result.certificate_serial}; PIN нигде не хранится — "
               "запишите его)")

    from workflow.second_factor import issuer_name, provisioning_uri

    with unit_of_work(_factory()) as session:
        issuer = issuer_name(session)
    click.echo(f"Второй фактор ({', '.join(result.totp_logins)}): после пароля вход спросит "
               "код из приложения-аутентификатора. Добавьте в приложение ключ")
    click.echo(f"  {result.totp_secret}")
    for login in result.totp_logins:
        click.echo(f"  {login}: {provisioning_uri(result.totp_secret, login, issuer)}")


def _render_seeded_letters(login: str, pin: str) -> int:
    """The seed signs without signing sessions; the PIN it was given renders the PDFs."""
    from sqlalchemy import select

    from documents.issue import render_with_pin
    from workflow.models import Letter, User
    from workflow.states import LetterState

    # Every demo signatory (the deputy minister and her substitute) has a key under this PIN.
    with unit_of_work(_factory()) as session:
        signatories = select(User.id).where(User.role == Role.SIGNATORY)
        pending = list(session.execute(select(Letter.id, Letter.signatory_id).where(
            Letter.state.in_([LetterState.SIGNED, LetterState.DISPATCHED]),
            Letter.pdf_sha256.is_(None), Letter.signatory_id.in_(signatories))).all())
    return sum(bool(render_with_pin(current_app, letter_id, signatory_id, pin))
               for letter_id, signatory_id in pending)


def _issue_pending_letters() -> int:
    from documents.issue import issue_pending_letters

    return issue_pending_letters(current_app)


@click.command("issue-letters")
@with_appcontext
def issue_letters() -> None:
    """Render and sign every signed letter that has no PDF yet, through its signing session
    (retry after a failure or a crash). Letters whose session expired need the PIN."""
    from documents.issue import letters_awaiting_pin

    click.echo(f"Сформировано писем: {_issue_pending_letters()}")
    waiting = letters_awaiting_pin(current_app)
    if waiting:
        click.echo(f"Ожидают PIN-кода подписанта (сеанс подписи истёк): {waiting}; "
                   "подписант формирует PDF на странице письма.")


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
        report = audit_verify.verify_all(session, cfg, check_pdf=check_pdf)
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
        result = reseal(session, cfg, force=force, from_cfg=previous)
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
    finish_reseal(cfg, result)
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
    """Delete old sign-in attempts, idle throttle rows, expired API tokens and signing
    sessions (the nightly job does the same)."""
    from datetime import timedelta

    from workflow.maintenance import purge_stale_records

    config = current_app.config
    keep = timedelta(days=days if days is not None else config["SIGNIN_RETENTION_DAYS"])
    with unit_of_work(_factory()) as session:
        counts = purge_stale_records(session, now=config["CLOCK"](), keep_attempts=keep,
                                     forget_throttle_after=config["LOGIN_THROTTLE_WINDOW"])
    click.echo(f"Удалено: попыток входа {counts['attempts']}, записей ограничения входа "
               f"{counts['throttles']}, просроченных токенов {counts['tokens']}, "
               f"сеансов подписи {counts['signing_sessions']}.")


def init_app(app: Flask) -> None:
    from .jobs.consumer import worker_command

    for command in (init_db, migrate_files, seed_demo, issue_letters, create_user,
                    verify_audit, audit_reseal, purge, worker_command):
        app.cli.add_command(command)
