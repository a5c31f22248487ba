"""campaign lifecycle: state, limits, reminders, closing; participants; municipality e-mail
and address

Revision ID: 0014
Revises: 0009

Existing campaigns were live: they become "open", and every active municipality becomes
a participant whose task is "started" if it has a programme there, else "not_started".
"""
import sqlalchemy as sa
from alembic import op

import workflow.models.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=False,
                                      server_default='open'))
        batch_op.add_column(sa.Column('max_programmes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminder_days', sa.String(length=50), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('opened_at', workflow.models.base.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('closed_at', workflow.models.base.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_campaign_state'), ['state'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_campaign_created_by_id_user_account'),
                                    'user_account', ['created_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_campaign_closed_by_id_user_account'),
                                    'user_account', ['closed_by_id'], ['id'])
        batch_op.create_check_constraint(
            'state', "state IN ('draft', 'open', 'closed', 'cancelled')")
        batch_op.create_check_constraint(
            'max_programmes', 'max_programmes IS NULL OR max_programmes >= 1')
        batch_op.create_check_constraint(
            'closed_has_time', "state <> 'closed' OR closed_at IS NOT NULL")

    op.create_table('campaign_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('task_state', sa.String(length=20), nullable=False),
    sa.Column('opened_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('started_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("task_state IN ('pending', 'not_started', 'started')",
                       name=op.f('ck_campaign_participant_task_state')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                            name=op.f('fk_campaign_participant_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                            name=op.f('fk_campaign_participant_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_participant')),
    sa.UniqueConstraint('campaign_id', 'municipality_id',
                        name=op.f('uq_campaign_participant_campaign_id'))
    )
    with op.batch_alter_table('campaign_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_participant_campaign_id'),
                              ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_participant_municipality_id'),
                              ['municipality_id'], unique=False)

    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=False,
                                      server_default=''))

    # Existing campaigns: every active municipality takes part.
    op.execute(
        "INSERT INTO campaign_participant (campaign_id, municipality_id, task_state, started_at) "
        "SELECT c.id, m.id, CASE WHEN EXISTS (SELECT 1 FROM programme p WHERE "
        "p.campaign_id = c.id AND p.municipality_id = m.id) THEN 'started' ELSE 'not_started' "
        "END, NULL FROM campaign c CROSS JOIN municipality m WHERE m.active = "
        + ("true" if op.get_bind().dialect.name == 'postgresql' else "1")
    )


def downgrade() -> None:
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('email')
    with op.batch_alter_table('campaign_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_participant_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_participant_campaign_id'))
    op.drop_table('campaign_participant')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint('closed_has_time', type_='check')
        batch_op.drop_constraint('max_programmes', type_='check')
        batch_op.drop_constraint('state', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_campaign_closed_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_campaign_created_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_campaign_state'))
        for name in ('closed_reason', 'closed_by_id', 'closed_at', 'opened_at', 'created_by_id',
                     'reminder_days', 'max_programmes', 'state'):
            batch_op.drop_column(name)
