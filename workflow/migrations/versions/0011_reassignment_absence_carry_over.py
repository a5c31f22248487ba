"""heads of department, absences and substitutes, "on behalf of" columns, carried-over
assessments

Revision ID: 0011
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import workflow.models.base

revision = '0011'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position_genitive', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('heads_department', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('department', sa.String(length=300), nullable=False,
                                      server_default=''))
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('substitute_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.Column('cancelled_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_absence_period')),
    sa.CheckConstraint('substitute_id <> user_id', name=op.f('ck_absence_not_self')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_absence_user_id_user_account')),
    sa.ForeignKeyConstraint(['substitute_id'], ['user_account.id'], name=op.f('fk_absence_substitute_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_absence_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user_account.id'], name=op.f('fk_absence_cancelled_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absence'))
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_absence_substitute_period', ['substitute_id', 'starts_on', 'ends_on'], unique=False)
    with op.batch_alter_table('workflow_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_workflow_event_on_behalf_of_id_user_account'),
                                    'user_account', ['on_behalf_of_id'], ['id'])
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_revision', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessment_on_behalf_of_id_user_account'),
                                    'user_account', ['on_behalf_of_id'], ['id'])
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_remark_on_behalf_of_id_user_account'),
                                    'user_account', ['on_behalf_of_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_remark_on_behalf_of_id_user_account'), type_='foreignkey')
        batch_op.drop_column('on_behalf_of_id')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_on_behalf_of_id_user_account'), type_='foreignkey')
        batch_op.drop_column('on_behalf_of_id')
        batch_op.drop_column('carried_from_revision')
    with op.batch_alter_table('workflow_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workflow_event_on_behalf_of_id_user_account'), type_='foreignkey')
        batch_op.drop_column('on_behalf_of_id')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index('ix_absence_substitute_period')
        batch_op.drop_index(batch_op.f('ix_absence_user_id'))
    op.drop_table('absence')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('department')
        batch_op.drop_column('heads_department')
        batch_op.drop_column('position_genitive')
