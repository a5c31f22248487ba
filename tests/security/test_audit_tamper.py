"""The audit trail cannot be rewritten by someone who can write to the database (issue 8,
finding 4): every field of a history entry and of a registered letter is under a keyed hash;
a chain recomputed with plain SHA-256 or another key, a deleted tail and a rolled-back letter
state are all reported by `flask verify-audit` with the entry's id, and it exits non-zero."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from tests.factories import new_programme
from tests.security.conftest import legacy_seal_everything
from web import create_app
from workflow import audit, audit_legacy, letter_dispatch
from workflow.models import Letter, User, WorkflowEvent
from workflow.states import LetterKind, LetterState


def run(app, *args):
    with app.app_context():
        result = app.test_cli_runner(mix_stderr=False).invoke(args=list(args)) \
            if _mix_stderr_supported() else app.test_cli_runner().invoke(args=list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output + (getattr(result, "stderr", "") or "")


def _mix_stderr_supported() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def verify(app, *args):
    return run(app, "verify-audit", *args)


def _scalars(app, statement):
    """Read through a connection closed at once (an open session would hold SQLite's lock)."""
    with app.extensions["engine"].connect() as conn:
        return conn.execute(statement).scalars().all()


def _row(app, model, row_id):
    with app.extensions["engine"].connect() as conn:
        return conn.execute(select(model.__table__).where(model.__table__.c.id == row_id)).one()


def _set(app, model, row_id, **values):
    with app.extensions["engine"].begin() as conn:
        done = conn.execute(update(model.__table__).where(model.__table__.c.id == row_id)
                            .values(**values)).rowcount
    assert done == 1


def _unreference(app, letter_id):
    """The attacker also removes the decision rows that reference the letter (a foreign key
    would refuse the change otherwise); those rows are not what the seal protects."""
    with app.extensions["engine"].begin() as conn:
        conn.execute(text("DELETE FROM stage_task WHERE decision_id IN "
                          "(SELECT id FROM decision WHERE letter_id = :id)"), {"id": letter_id})
        conn.execute(text("DELETE FROM decision WHERE letter_id = :id"), {"id": letter_id})


def _other_user(ctx, current):
    return ctx.world.admin.id if current != ctx.world.admin.id else ctx.world.reviewer.id


def _flip_hex(value):
    return ("f" if (value or "0")[0] != "f" else "e") + (value or "0" * 64)[1:]


def _later(value):
    return value + timedelta(seconds=1)


# One tampering per column, chosen to pass the table's own constraints. The keys must be
# exactly the table's columns: a new column makes these tests fail until it is decided
# whether (and how) it is under the hash.
EVENT_TAMPER = {
    "programme_id": lambda row, ctx: ctx.empty_programme_id,
    "seq": lambda row, ctx: row.seq + 100,
    "actor_id": lambda row, ctx: _other_user(ctx, row.actor_id),
    "at": lambda row, ctx: _later(row.at),
    "trigger": lambda row, ctx: "withdraw" if row.trigger != "withdraw" else "submit",
    "from_state": lambda row, ctx: "draft" if row.from_state != "draft" else "returned",
    "to_state": lambda row, ctx: "approved" if row.to_state != "approved" else "returned",
    "reason": lambda row, ctx: (row.reason or "") + " (переписано задним числом)",
    "revision_number": lambda row, ctx: row.revision_number + 1,
    # Claiming afterwards that the actor substituted someone is caught too.
    "on_behalf_of_id": lambda row, ctx: _other_user(ctx, row.actor_id),
    "prev_hash": lambda row, ctx: _flip_hex(row.prev_hash),
    "hash": lambda row, ctx: _flip_hex(row.hash),
}
# The surrogate key is outside the hash on purpose (see workflow/audit.py): an entry's
# place is (programme_id, seq), both hashed.
EVENT_UNHASHED = {"id"}

LETTER_TAMPER = {
    "id": lambda row, ctx: row.id + 1000,
    "kind": lambda row, ctx: LetterKind.APPROVAL if row.kind != LetterKind.APPROVAL else LetterKind.RETURN,
    "state": lambda row, ctx: LetterState.DISPATCHED,
    "version": lambda row, ctx: row.version + 1,
    "programme_id": lambda row, ctx: ctx.empty_programme_id,
    "campaign_id": lambda row, ctx: None if row.campaign_id else ctx.world.campaign.id,
    "municipality_id": lambda row, ctx: ctx.tenants.foreign.municipality_id,
    "addressee": lambda row, ctx: row.addressee + " (подменён)",
    "heading": lambda row, ctx: row.heading + " (подменён)",
    "salutation": lambda row, ctx: row.salutation + "!",
    "body": lambda row, ctx: row.body + " Дописано.",
    "reply_to_number": lambda row, ctx: (row.reply_to_number or "") + "1",
    "reply_to_date": lambda row, ctx: (row.reply_to_date + timedelta(days=1)
                                       if row.reply_to_date else ctx.clock().date()),
    "executor_name": lambda row, ctx: row.executor_name + " (другой)",
    "executor_phone": lambda row, ctx: row.executor_phone + "0",
    "drafted_by_id": lambda row, ctx: _other_user(ctx, row.drafted_by_id),
    "created_at": lambda row, ctx: _later(row.created_at),
    "updated_at": lambda row, ctx: _later(row.updated_at),
    "journal_index": lambda row, ctx: row.journal_index + "0",
    "journal_year": lambda row, ctx: row.journal_year + 1,
    "seq": lambda row, ctx: row.seq + 100,
    "number": lambda row, ctx: row.number + "0",
    "registered_on": lambda row, ctx: row.registered_on - timedelta(days=1),
    "signatory_id": lambda row, ctx: _other_user(ctx, row.signatory_id),
    "signed_at": lambda row, ctx: _later(row.signed_at),
    "dispatched_at": lambda row, ctx: ctx.clock() if row.dispatched_at is None else None,
    "final_data": lambda row, ctx: row.final_data.replace("СЕКРЕТ", "ПОДЛОГ"),
    "verification_code": lambda row, ctx: "0" * 32,
    "prev_hash": lambda row, ctx: _flip_hex(row.prev_hash),
    "hash": lambda row, ctx: _flip_hex(row.hash),
    "seal": lambda row, ctx: _flip_hex(row.seal),
    "pdf_sha256": lambda row, ctx: hashlib.sha256(b"another pdf").hexdigest(),
}
# `pdf` is bound through `pdf_sha256` and checked with --pdf (test below); `render_error`
# is diagnostics, deliberately outside (see workflow/audit.py).
LETTER_UNSEALED = {"pdf", "render_error"}


class Ctx:
    def __init__(self, world, tenants, clock):
        self.world, self.tenants, self.clock = world, tenants, clock
        self.empty_programme_id = None


@pytest.fixture
def ctx(app, world, tenants, clock):
    c = Ctx(world, tenants, clock)
    c.empty_programme_id = new_programme(world, title="Пустая").id
    world.session.commit()
    world.session.close()  # holds no lock while the test writes through other connections
    return c


def test_the_tamper_tables_cover_every_column():
    assert set(EVENT_TAMPER) | EVENT_UNHASHED == {c.name for c in WorkflowEvent.__table__.c}
    assert set(LETTER_TAMPER) | LETTER_UNSEALED == {c.name for c in Letter.__table__.c}
    assert set(audit.EVENT_FIELDS) == set(EVENT_TAMPER) - {"prev_hash", "hash"}
    assert set(audit.LETTER_FIELDS) | set(audit.LETTER_SEAL_FIELDS) == (
        set(LETTER_TAMPER) - {"prev_hash", "hash", "seal"})
    assert set(audit.LETTER_UNSEALED) == LETTER_UNSEALED


def test_a_clean_database_verifies_and_exits_zero(app, tenants):
    code, output = verify(app)
    assert code == 0, output
    assert "Журналы целостны" in output


@pytest.mark.parametrize("column", sorted(EVENT_TAMPER))
def test_every_field_of_a_history_entry_is_under_the_key(app, ctx, column):
    events = _scalars(app, select(WorkflowEvent.id).where(
        WorkflowEvent.programme_id == ctx.tenants.own.programme_id).order_by(WorkflowEvent.seq))
    target = events[1]  # in the middle of its chain
    row = _row(app, WorkflowEvent, target)
    _set(app, WorkflowEvent, target, **{column: EVENT_TAMPER[column](row, ctx)})
    code, output = verify(app)
    assert code == 1, output
    assert f"workflow_event #{target}" in output, output


@pytest.mark.parametrize("column", sorted(LETTER_TAMPER))
def test_every_field_of_a_registered_letter_is_under_the_key(app, ctx, column):
    target = ctx.tenants.own.letter_id  # № 23/1, followed by № 23/2
    row = _row(app, Letter, target)
    new = LETTER_TAMPER[column](row, ctx)
    assert new != getattr(row, column)
    if column == "id":
        _unreference(app, target)
    _set(app, Letter, target, **{column: new})
    code, output = verify(app)
    assert code == 1, output
    reported = target + 1000 if column == "id" else target
    assert f"letter #{reported}" in output, output


def test_render_error_is_outside_the_seal(app, ctx):
    _set(app, Letter, ctx.tenants.own.letter_id, render_error="диагностика")
    code, output = verify(app)
    assert code == 0, output


def test_a_replaced_pdf_is_found_with_the_pdf_option(app, ctx):
    target = ctx.tenants.own.letter_id
    _set(app, Letter, target, pdf=b"%PDF-1.7 not the signed one")
    assert verify(app)[0] == 0  # the default check does not read PDFs
    code, output = verify(app, "--pdf")
    assert code == 1
    assert f"letter #{target}" in output and "PDF" in output


# ---------------------------------------------------------------- recomputed chains


def _recompute_history(app, programme_id, hasher, fields):
    with app.extensions["engine"].begin() as conn:
        rows = conn.execute(select(WorkflowEvent.__table__)
                            .where(WorkflowEvent.programme_id == programme_id)
                            .order_by(WorkflowEvent.seq)).all()
        prev = audit.GENESIS
        for row in rows:
            new = hasher(prev, fields(row))
            conn.execute(update(WorkflowEvent.__table__).where(WorkflowEvent.id == row.id)
                         .values(prev_hash=prev, hash=new))
            prev = new
        return [r.id for r in rows]


@pytest.mark.parametrize("scheme", ["plain_sha256", "wrong_key"])
def test_a_rewritten_entry_with_its_chain_recomputed_without_the_key_is_found(app, ctx, scheme):
    """The attack as reported: reason and actor rewritten, the chain recomputed."""
    pid = ctx.tenants.own.programme_id
    target = _scalars(app, select(WorkflowEvent.id).where(
        WorkflowEvent.programme_id == pid, WorkflowEvent.seq == 3))[0]
    _set(app, WorkflowEvent, target, reason="переписано", actor_id=ctx.world.admin.id)
    if scheme == "plain_sha256":
        ids = _recompute_history(app, pid, audit_legacy.legacy_chain_hash, audit_legacy.legacy_event_fields)
    else:
        wrong = audit.AuditConfig(b"a guessed key")
        ids = _recompute_history(app, pid, lambda prev, f: audit.event_hash(wrong, prev, f),
                                 audit.event_fields)
    code, output = verify(app)
    assert code == 1
    for event_id in ids:
        assert f"workflow_event #{event_id}" in output


def test_a_letter_state_rewritten_and_resealed_with_another_key_is_found(app, ctx):
    target = ctx.tenants.own.letter_id
    row = _row(app, Letter, target)
    wrong = audit.AuditConfig(b"a guessed key")
    fields = audit.letter_seal_fields(row)
    fields["state"] = LetterState.CANCELLED
    _set(app, Letter, target, state=LetterState.CANCELLED,
         seal=audit.seal_hash(wrong, row.hash, fields))
    code, output = verify(app)
    assert code == 1
    assert f"letter #{target}" in output and "состояние письма" in output


def test_a_dispatch_undone_with_the_earlier_seal_is_found_through_the_checkpoint(app, ctx):
    target = ctx.tenants.own.letter_id
    before = _row(app, Letter, target)
    with app.extensions["session_factory"]() as s:
        letter = s.get(Letter, target)
        letter_dispatch.dispatch_letter(s, letter, s.get(User, ctx.world.signatory.id), now=ctx.clock())
        s.commit()
    assert verify(app)[0] == 0
    # Back to "signed" with the values and seal the application itself wrote before.
    _set(app, Letter, target, state=before.state, version=before.version,
         dispatched_at=before.dispatched_at, seal=before.seal)
    code, output = verify(app)
    assert code == 1
    assert f"letter #{target}" in output and "возвращено к прежнему" in output


# ---------------------------------------------------------------- deletions


def test_a_deleted_middle_entry_is_found(app, ctx):
    pid = ctx.tenants.own.programme_id
    target = _scalars(app, select(WorkflowEvent.id).where(
        WorkflowEvent.programme_id == pid, WorkflowEvent.seq == 2))[0]
    with app.extensions["engine"].begin() as conn:
        conn.execute(text("DELETE FROM workflow_event WHERE id = :id"), {"id": target})
    code, output = verify(app)
    assert code == 1
    assert "запись 2 отсутствует" in output


def test_a_deleted_last_history_entry_is_found_through_the_checkpoint(app, ctx):
    """The app writes the checkpoint after each commit: withdraw through the app's own
    session, then delete that entry (the chain left behind is internally consistent)."""
    from workflow import operations
    from workflow.models import Programme

    pid = ctx.empty_programme_id
    with app.extensions["session_factory"]() as s:
        operations.withdraw_programme(s, s.get(Programme, pid), s.get(User, ctx.world.editor.id),
                                      now=ctx.clock(), reason="Передумали")
        s.commit()
        last = s.scalar(select(WorkflowEvent.id).where(WorkflowEvent.programme_id == pid))
    assert verify(app)[0] == 0
    with app.extensions["engine"].begin() as conn:
        conn.execute(text("DELETE FROM workflow_event WHERE id = :id"), {"id": last})
    code, output = verify(app)
    assert code == 1
    assert f"workflow_event #{last}" in output
    assert f"последние записи истории программы {pid} удалены" in output


def test_a_deleted_last_letter_of_the_journal_is_found_through_the_checkpoint(app, ctx):
    code, output = run(app, "audit-reseal")  # the tenants were built outside the app
    assert code == 0, output
    last = ctx.tenants.foreign.letter_id  # № 23/2
    _unreference(app, last)
    with app.extensions["engine"].begin() as conn:
        conn.execute(text("DELETE FROM letter WHERE id = :id"), {"id": last})
    code, output = verify(app)
    assert code == 1
    assert f"letter #{last}" in output
    assert "последние записи журнала 23 удалены" in output


def test_a_forged_checkpoint_line_is_reported(app, ctx):
    assert run(app, "audit-reseal")[0] == 0
    path = app.extensions["audit"].checkpoint_path
    lines = path.read_text().splitlines()
    record = json.loads(lines[0])
    record["n"] += 1  # a position the chain never reached: would raise a false alarm
    lines[0] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    code, output = verify(app)
    assert code == 1
    assert "строка 1 контрольной точки подделана" in output


# ---------------------------------------------------------------- re-sealing




def test_audit_reseal_brings_legacy_chains_under_the_key(app, ctx):
    legacy_seal_everything(app)
    code, output = verify(app)
    assert code == 1  # plain SHA-256 chains are not signed by the key
    code, output = run(app, "audit-reseal")
    assert code == 0, output
    assert "перезапечатаны" in output
    code, output = verify(app)
    assert code == 0, output
    assert "Журналы целостны" in output


def test_audit_reseal_refuses_to_launder_a_forgery(app, ctx):
    legacy_seal_everything(app)
    target = _scalars(app, select(WorkflowEvent.id).where(
        WorkflowEvent.programme_id == ctx.tenants.own.programme_id, WorkflowEvent.seq == 2))[0]
    _set(app, WorkflowEvent, target, reason="подлог")
    code, output = run(app, "audit-reseal")
    assert code == 1
    assert f"workflow_event #{target}" in output
    assert verify(app)[0] == 1
    code, output = run(app, "audit-reseal", "--force")
    assert code == 0, output
    assert verify(app)[0] == 0


def test_audit_reseal_rotates_the_key(app, ctx, monkeypatch):
    cfg = app.extensions["audit"]
    old_key = cfg.key
    monkeypatch.setattr(cfg, "key", b"the next key")
    monkeypatch.setattr(cfg, "_subkeys", {})
    assert verify(app)[0] == 1
    code, output = run(app, "audit-reseal", "--from-key", old_key.decode())
    assert code == 0, output
    assert verify(app)[0] == 0


def test_the_key_file_is_created_outside_the_database_with_owner_only_access(db_url, tmp_path):
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "x", "AUDIT_KEY": "",
                      "AUDIT_KEY_FILE": str(tmp_path / "audit_key"),
                      "AUDIT_CHECKPOINT_DIR": str(tmp_path / "audit")})
    try:
        path = tmp_path / "audit_key"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert app.extensions["audit"].key == path.read_text().strip().encode()
        assert len(path.read_text().strip()) == 64
    finally:
        app.extensions["engine"].dispose()
