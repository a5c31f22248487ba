"""approval routes and decisions: route, route_version, route_stage, decision, stage_task;
campaign.route_id, programme.route_version_id; the programme state decision_pending

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import workflow.models.base

OLD_STATES = "'draft', 'submitted', 'in_review', 'returned', 'approved', 'withdrawn'"
NEW_STATES = "'draft', 'submitted', 'in_review', 'decision_pending', 'returned', 'approved', 'withdrawn'"


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route')),
    sa.UniqueConstraint('code', name=op.f('uq_route_code'))
    )
    op.create_table('route_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number >= 1', name=op.f('ck_route_version_number_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_route_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['route_id'], ['route.id'], name=op.f('fk_route_version_route_id_route')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route_version')),
    sa.UniqueConstraint('route_id', 'number', name=op.f('uq_route_version_route_id'))
    )
    with op.batch_alter_table('route_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_version_route_id'), ['route_id'], unique=False)

    op.create_table('route_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('participant_type', sa.String(length=20), nullable=False),
    sa.Column('participant_role', sa.String(length=32), nullable=True),
    sa.Column('participant_user_ids', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=True),
    sa.Column('limit_days', sa.Integer(), nullable=False),
    sa.Column('on_refusal', sa.String(length=20), nullable=False),
    sa.CheckConstraint("(mode = 'quorum') = (quorum IS NOT NULL)", name=op.f('ck_route_stage_quorum_for_quorum')),
    sa.CheckConstraint("(participant_type = 'role') = (participant_role IS NOT NULL)", name=op.f('ck_route_stage_role_given_for_role')),
    sa.CheckConstraint("kind IN ('review', 'endorse', 'sign')", name=op.f('ck_route_stage_kind')),
    sa.CheckConstraint("mode IN ('all', 'any', 'quorum')", name=op.f('ck_route_stage_mode')),
    sa.CheckConstraint("on_refusal IN ('previous', 'reviewer', 'municipality')", name=op.f('ck_route_stage_on_refusal')),
    sa.CheckConstraint("participant_role IS NULL OR participant_role IN ('municipal_editor', 'reviewer', 'signatory', 'admin')", name=op.f('ck_route_stage_participant_role')),
    sa.CheckConstraint("participant_type IN ('role', 'users', 'programme_reviewer')", name=op.f('ck_route_stage_participant_type')),
    sa.CheckConstraint('limit_days >= 0', name=op.f('ck_route_stage_limit_not_negative')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_route_stage_position_positive')),
    sa.CheckConstraint('quorum IS NULL OR quorum >= 1', name=op.f('ck_route_stage_quorum_positive')),
    sa.ForeignKeyConstraint(['version_id'], ['route_version.id'], name=op.f('fk_route_stage_version_id_route_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route_stage')),
    sa.UniqueConstraint('version_id', 'position', name=op.f('uq_route_stage_version_id'))
    )
    with op.batch_alter_table('route_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_stage_version_id'), ['version_id'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('route_version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('current_stage', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.Column('closed_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(state = 'active') = (closed_at IS NULL)", name=op.f('ck_decision_closed_when_not_active')),
    sa.CheckConstraint("kind IN ('approve', 'return')", name=op.f('ck_decision_kind')),
    sa.CheckConstraint("state IN ('active', 'signed', 'refused', 'cancelled', 'superseded')", name=op.f('ck_decision_state')),
    sa.CheckConstraint('current_stage >= 1', name=op.f('ck_decision_stage_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_decision_version_positive')),
    sa.ForeignKeyConstraint(['letter_id'], ['letter.id'], name=op.f('fk_decision_letter_id_letter')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_decision_programme_id_programme')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name=op.f('fk_decision_proposed_by_id_user_account')),
    sa.ForeignKeyConstraint(['route_version_id'], ['route_version.id'], name=op.f('fk_decision_route_version_id_route_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('letter_id', name=op.f('uq_decision_letter_id'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_route_version_id'), ['route_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_state'), ['state'], unique=False)

    op.create_table('stage_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('stage_position', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('result', sa.String(length=24), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', workflow.models.base.UTCDateTime(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', workflow.models.base.UTCDateTime(), nullable=False),
    sa.Column('reassigned_from_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(state = 'done') = (result IS NOT NULL AND decided_by_id IS NOT NULL AND decided_at IS NOT NULL)", name=op.f('ck_stage_task_done_has_result')),
    sa.CheckConstraint("result IS NULL OR result = 'approve' OR length(comment) > 0", name=op.f('ck_stage_task_comment_for_remarks')),
    sa.CheckConstraint("result IS NULL OR result IN ('approve', 'approve_with_remarks', 'reject')", name=op.f('ck_stage_task_result')),
    sa.CheckConstraint("state IN ('open', 'done', 'cancelled')", name=op.f('ck_stage_task_state')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_stage_task_version_positive')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_stage_task_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_stage_task_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_stage_task_decision_id_decision')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['user_account.id'], name=op.f('fk_stage_task_on_behalf_of_id_user_account')),
    sa.ForeignKeyConstraint(['reassigned_from_id'], ['stage_task.id'], name=op.f('fk_stage_task_reassigned_from_id_stage_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_task'))
    )
    with op.batch_alter_table('stage_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_task_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stage_task_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stage_task_state'), ['state'], unique=False)

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_route_id_route'), 'route', ['route_id'], ['id'])

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_programme_route_version_id_route_version'), 'route_version', ['route_version_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_programme_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_programme_state'), f"state IN ({NEW_STATES})")
        batch_op.drop_constraint(op.f('ck_programme_review_needs_reviewer'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_programme_review_needs_reviewer'),
            "state NOT IN ('in_review', 'decision_pending', 'approved') OR reviewer_id IS NOT NULL")
        batch_op.create_check_constraint(
            op.f('ck_programme_decision_has_route'), "state != 'decision_pending' OR route_version_id IS NOT NULL")

    # A draft decision letter that no longer matches its programme (the return letter of a
    # programme approved since) could be signed before: cancel it. Drafts are not sealed.
    op.execute(
        "UPDATE letter SET state = 'cancelled' WHERE state = 'draft' AND programme_id IS NOT NULL "
        "AND ((kind = 'return' AND programme_id NOT IN "
        "(SELECT id FROM programme WHERE state = 'returned')) "
        "OR (kind = 'approval' AND programme_id NOT IN "
        "(SELECT id FROM programme WHERE state = 'approved')))"
    )


def downgrade() -> None:
    # A pending decision has not taken effect: the programme is back under review.
    op.execute("UPDATE programme SET state = 'in_review' WHERE state = 'decision_pending'")
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_programme_decision_has_route'), type_='check')
        batch_op.drop_constraint(op.f('ck_programme_review_needs_reviewer'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_programme_review_needs_reviewer'), "state NOT IN ('in_review', 'approved') OR reviewer_id IS NOT NULL")
        batch_op.drop_constraint(op.f('ck_programme_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_programme_state'), f"state IN ({OLD_STATES})")
        batch_op.drop_constraint(batch_op.f('fk_programme_route_version_id_route_version'), type_='foreignkey')
        batch_op.drop_column('route_version_id')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_route_id_route'), type_='foreignkey')
        batch_op.drop_column('route_id')

    with op.batch_alter_table('stage_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_task_state'))
        batch_op.drop_index(batch_op.f('ix_stage_task_decision_id'))
        batch_op.drop_index(batch_op.f('ix_stage_task_assignee_id'))

    op.drop_table('stage_task')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_state'))
        batch_op.drop_index(batch_op.f('ix_decision_route_version_id'))
        batch_op.drop_index(batch_op.f('ix_decision_programme_id'))

    op.drop_table('decision')
    with op.batch_alter_table('route_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_stage_version_id'))

    op.drop_table('route_stage')
    with op.batch_alter_table('route_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_version_route_id'))

    op.drop_table('route_version')
    op.drop_table('route')
