"""a signing batch records the absent signatory it was signed for («И.о.»)

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sign_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sign_batch_acting_for_id_user_account'),
                                    'user_account', ['acting_for_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('sign_batch', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sign_batch_acting_for_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('acting_for_id')
