"""keyed audit seal on letters; sign-in throttle rows

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-30 16:40:00

The chains themselves are re-sealed under the audit key by `flask init-db` (or
`flask audit-reseal`) right after this migration: the key is not in the database, so a
migration cannot, and must not, hold it. Until then `flask verify-audit` reports the old
plain SHA-256 chains as not signed by the key.
"""
from alembic import op
import sqlalchemy as sa

import workflow.models.base


revision = '0006'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal', sa.String(length=64), nullable=True))

    op.create_table('login_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.Column('pending_since', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_failure_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('blocked_until', workflow.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_login_throttle_scope'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_blocked_until'), ['blocked_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_blocked_until'))
    op.drop_table('login_throttle')
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_column('seal')
