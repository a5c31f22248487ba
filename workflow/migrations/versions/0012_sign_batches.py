"""bulk signing: sign_batch and sign_batch_item

Revision ID: 0012
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import workflow.models.base

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_batch_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_batch'))
    )
    with op.batch_alter_table('sign_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_batch_user_id'), ['user_id'], unique=False)
    op.create_table('sign_batch_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['sign_batch.id'], name=op.f('fk_sign_batch_item_batch_id_sign_batch')),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_sign_batch_item_letter_id_letter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_batch_item')),
    sa.UniqueConstraint('letter_id', name=op.f('uq_sign_batch_item_letter_id'))
    )
    with op.batch_alter_table('sign_batch_item', schema=None) as batch_op:
        batch_op.create_index('ix_sign_batch_item_batch_id_state', ['batch_id', 'state'], unique=False)


def downgrade() -> None:
    op.drop_table('sign_batch_item')
    op.drop_table('sign_batch')
