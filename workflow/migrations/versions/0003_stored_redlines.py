"""stored redlines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:30:00.000000

Each revision section stores its redline against the previous revision, and each working
section its redline against the last revision, so that pages no longer compare texts. The
redlines of existing revisions and working copies are computed here (bounded cost per section,
see workflow.redline), so old data still shows what changed.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('revision_section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redline', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('redline_method', sa.String(length=10), nullable=True))
    with op.batch_alter_table('programme_section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redline', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('redline_method', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('redline_base', sa.Integer(), nullable=True))
    backfill(op.get_bind())


# Plain table definitions: the models may have moved on since this migration was written.
_programme = sa.table('programme', sa.column('id', sa.Integer), sa.column('revision_number', sa.Integer))
_revision = sa.table('revision', sa.column('id', sa.Integer), sa.column('programme_id', sa.Integer),
                     sa.column('number', sa.Integer))
_revision_section = sa.table(
    'revision_section', sa.column('id', sa.Integer), sa.column('revision_id', sa.Integer),
    sa.column('requirement_id', sa.Integer), sa.column('text', sa.Text),
    sa.column('redline', sa.JSON(none_as_null=True)), sa.column('redline_method', sa.String))
_programme_section = sa.table(
    'programme_section', sa.column('id', sa.Integer), sa.column('programme_id', sa.Integer),
    sa.column('requirement_id', sa.Integer), sa.column('text', sa.Text),
    sa.column('redline', sa.JSON(none_as_null=True)), sa.column('redline_method', sa.String),
    sa.column('redline_base', sa.Integer))


def backfill(conn) -> None:
    """One programme at a time, so memory holds one programme's revisions."""
    from workflow.redline import compute

    programmes = conn.execute(
        sa.select(_programme.c.id, _programme.c.revision_number)
        .where(_programme.c.revision_number > 0).order_by(_programme.c.id)).all()
    for programme_id, last in programmes:
        texts: dict[int, dict[int, str]] = {}  # revision number -> requirement -> text
        ids: dict[int, dict[int, int]] = {}  # revision number -> requirement -> section id
        for number, section_id, requirement_id, text in conn.execute(
            sa.select(_revision.c.number, _revision_section.c.id,
                      _revision_section.c.requirement_id, _revision_section.c.text)
            .join(_revision, _revision.c.id == _revision_section.c.revision_id)
            .where(_revision.c.programme_id == programme_id)
        ):
            texts.setdefault(number, {})[requirement_id] = text
            ids.setdefault(number, {})[requirement_id] = section_id
        for number in sorted(texts):
            previous = texts.get(number - 1, {})
            for requirement_id, text in texts[number].items():
                if requirement_id not in previous:
                    continue
                diff = compute(previous[requirement_id], text)
                conn.execute(
                    _revision_section.update()
                    .where(_revision_section.c.id == ids[number][requirement_id])
                    .values(redline=diff.segments, redline_method=diff.method))
        base = texts.get(last, {})
        for section_id, requirement_id, text in conn.execute(
            sa.select(_programme_section.c.id, _programme_section.c.requirement_id,
                      _programme_section.c.text)
            .where(_programme_section.c.programme_id == programme_id)
        ).all():
            diff = compute(base[requirement_id], text) if requirement_id in base else None
            conn.execute(
                _programme_section.update()
                .where(_programme_section.c.id == section_id)
                .values(redline=diff.segments if diff else None,
                        redline_method=diff.method if diff else None, redline_base=last))


def downgrade() -> None:
    with op.batch_alter_table('programme_section', schema=None) as batch_op:
        batch_op.drop_column('redline_base')
        batch_op.drop_column('redline_method')
        batch_op.drop_column('redline')
    with op.batch_alter_table('revision_section', schema=None) as batch_op:
        batch_op.drop_column('redline_method')
        batch_op.drop_column('redline')
