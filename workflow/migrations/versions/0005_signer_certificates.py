"""per-signatory certificates, signing sessions, notifications

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30 16:30:00
"""
from alembic import op
import sqlalchemy as sa

from workflow.models.base import UTCDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signer_certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('pkcs12', sa.LargeBinary(), nullable=False),
        sa.Column('owner_name', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('issuer', sa.Text(), nullable=False),
        sa.Column('serial', sa.String(length=64), nullable=False),
        sa.Column('valid_from', UTCDateTime(), nullable=False),
        sa.Column('valid_to', UTCDateTime(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', UTCDateTime(), nullable=False),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('pin_failures', sa.Integer(), nullable=False),
        sa.Column('pin_locked_until', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'],
                                name=op.f('fk_signer_certificate_added_by_id_user_account')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_signer_certificate_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signer_certificate')),
    )
    op.create_index('ix_signer_certificate_user_id', 'signer_certificate', ['user_id'], unique=False)
    op.create_table(
        'signing_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('sealed_key', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['signer_certificate.id'],
                                name=op.f('fk_signing_session_certificate_id_signer_certificate')),
        sa.ForeignKeyConstraint(['letter_id'], ['letter.id'],
                                name=op.f('fk_signing_session_letter_id_letter')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_session')),
        sa.UniqueConstraint('letter_id', name=op.f('uq_signing_session_letter_id')),
    )
    op.create_index(op.f('ix_signing_session_expires_at'), 'signing_session', ['expires_at'],
                    unique=False)
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_notification_recipient_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_recipient_read', 'notification', ['recipient_id', 'read_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_notification_recipient_read', table_name='notification')
    op.drop_table('notification')
    op.drop_index(op.f('ix_signing_session_expires_at'), table_name='signing_session')
    op.drop_table('signing_session')
    op.drop_index('ix_signer_certificate_user_id', table_name='signer_certificate')
    op.drop_table('signer_certificate')
