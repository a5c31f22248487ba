"""programme and revision files

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-30 16:30:00

Several files per programme, stored by content (SHA-256) and frozen with each revision.
The single attachment of each programme (`programme.attachment_*`, its bytes in the upload
directory) is adopted by `flask migrate-files`, which `flask init-db` runs after this
migration: the schema migration has no access to the application's upload directory. See
`workflow/legacy_files.py` for what is and is not reconstructed (in short: the working copy
keeps the file; the latest revision gets it when it certainly belonged to it; earlier
revisions' files were deleted by the old code and cannot be recovered). The old columns
stay until every installation has run the adoption; dropping them now would lose the
file of any installation that upgrades the schema without `init-db`.
"""
from alembic import op
import sqlalchemy as sa

import workflow.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _file_table(name: str, owner: str) -> None:
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(f'{owner}_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', workflow.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint('size >= 0', name=op.f(f'ck_{name}_size_not_negative')),
        sa.CheckConstraint('length(sha256) = 64', name=op.f(f'ck_{name}_sha256_length')),
        sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'],
                                name=op.f(f'fk_{name}_added_by_id_user_account')),
        sa.ForeignKeyConstraint([f'{owner}_id'], [f'{owner}.id'],
                                name=op.f(f'fk_{name}_{owner}_id_{owner}')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
        sa.UniqueConstraint(f'{owner}_id', 'name', name=op.f(f'uq_{name}_{owner}_id')),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_{owner}_id'), [f'{owner}_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_sha256'), ['sha256'], unique=False)


def upgrade() -> None:
    _file_table('programme_file', 'programme')
    _file_table('revision_file', 'revision')
    # The bytes, for the database backend of the file store (FILE_STORE=database).
    op.create_table(
        'file_blob',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_file_blob_sha256_length')),
        sa.PrimaryKeyConstraint('sha256', name=op.f('pk_file_blob')),
    )


def downgrade() -> None:
    # Downgrading loses the file lists (the stored bytes stay on disk).
    op.drop_table('file_blob')
    op.drop_table('revision_file')
    op.drop_table('programme_file')
