"""notifications by e-mail (outbox, preference, digest flag) and the deadline job's marks

Revision ID: 0013
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import workflow.models.base

revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.Column('claimed_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('sent_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_mail_outbox_state')),
    sa.CheckConstraint("state != 'sent' OR sent_at IS NOT NULL", name=op.f('ck_mail_outbox_sent_has_time')),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_mail_outbox_letter_id_letter')),
    sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'], name=op.f('fk_mail_outbox_recipient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_mail_outbox_idempotency_key'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)

    op.create_table('deadline_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_deadline_mark_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_deadline_mark_letter_id_letter')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_deadline_mark_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_mark')),
    sa.UniqueConstraint('campaign_id', 'municipality_id', 'action', name=op.f('uq_deadline_mark_campaign_id'))
    )

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_notification_mail_pending'), ['mail_pending'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_preference', sa.String(length=16), server_default='immediate', nullable=False))
        batch_op.create_check_constraint(op.f('ck_user_account_mail_preference'), "mail_preference IN ('immediate', 'digest', 'off')")


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('ck_user_account_mail_preference', type_='check')
        batch_op.drop_column('mail_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_mail_pending'))
        batch_op.drop_column('mail_pending')
    op.drop_table('deadline_mark')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_state_next_attempt_at')
    op.drop_table('mail_outbox')
