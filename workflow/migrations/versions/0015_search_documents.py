"""full-text search: search_document, its PostgreSQL GIN index (russian) or SQLite FTS5 table

Revision ID: 0015
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from workflow import search
    from workflow.models.search import SQLITE_FTS

    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('stems', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_search_document_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_document_kind'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_document_programme_id'), ['programme_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_search_document_body_russian ON search_document "
                   "USING gin (to_tsvector('russian'::regconfig, body))")
    elif bind.dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    # The texts written before this migration become searchable now.
    search.rebuild(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif bind.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_document_body_russian")
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_document_programme_id'))
    op.drop_table('search_document')
