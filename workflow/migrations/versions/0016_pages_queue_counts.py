"""the queue's tab counters (programme_count, kept by triggers) and its page indexes

Revision ID: 0016
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

from workflow.models.programme_count import FILL, trigger_statements

revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme_count',
    sa.Column('campaign_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reviewer_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'state', 'reviewer_key', name=op.f('pk_programme_count'))
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.create_index('ix_programme_state_submitted_at', ['state', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_programme_submitted_at', ['submitted_at', 'id'], unique=False)
    op.execute(FILL)
    for statement in trigger_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS programme_count_insert_delete ON programme')
        op.execute('DROP TRIGGER IF EXISTS programme_count_update ON programme')
        op.execute('DROP FUNCTION IF EXISTS programme_count_change()')
    else:
        for name in ('programme_count_insert', 'programme_count_delete', 'programme_count_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_index('ix_programme_submitted_at')
        batch_op.drop_index('ix_programme_state_submitted_at')
    op.drop_table('programme_count')
