"""municipality reference data for letters: name forms, the education authority, its head

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-30 16:30:00

The addressee of a letter becomes "Начальнику управления образования администрации
Хасанского муниципального округа / Е.А. Васильевой": the authority's name and its head's
position in the cases letters need, and the head's name in three parts (declined for the
addressee, and read for the salutation). The old one-line `head_name` ("Фамилия Имя Отчество")
is split into the parts, so nobody's data is lost.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

NEW_COLUMNS = (
    ('name_genitive', 200), ('name_dative', 200), ('name_prepositional', 200),
    ('authority_name_dative', 300), ('head_position', 300), ('head_position_dative', 300),
    ('head_surname', 100), ('head_first_name', 100), ('head_patronymic', 100),
)


def upgrade() -> None:
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        for name, length in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                          server_default=''))
    connection = op.get_bind()
    municipality = sa.table('municipality', sa.column('id', sa.Integer),
                            sa.column('head_name', sa.String),
                            sa.column('head_surname', sa.String),
                            sa.column('head_first_name', sa.String),
                            sa.column('head_patronymic', sa.String))
    rows = connection.execute(sa.select(municipality.c.id, municipality.c.head_name)).all()
    for row_id, head_name in rows:
        # Russian order: surname, first name, patronymic (which may be two words: "Гасан оглы").
        parts = (head_name or '').split()
        if not parts:
            continue
        connection.execute(
            municipality.update().where(municipality.c.id == row_id).values(
                head_surname=parts[0][:100],
                head_first_name=(parts[1] if len(parts) > 1 else '')[:100],
                head_patronymic=' '.join(parts[2:])[:100],
            )
        )
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        # The models declare no server default (the application always sets the values).
        for name, _length in NEW_COLUMNS:
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column('head_name')


def downgrade() -> None:
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('head_name', sa.String(length=200), nullable=False,
                                      server_default=''))
    connection = op.get_bind()
    municipality = sa.table('municipality', sa.column('id', sa.Integer),
                            sa.column('head_name', sa.String),
                            sa.column('head_surname', sa.String),
                            sa.column('head_first_name', sa.String),
                            sa.column('head_patronymic', sa.String))
    rows = connection.execute(sa.select(
        municipality.c.id, municipality.c.head_surname, municipality.c.head_first_name,
        municipality.c.head_patronymic)).all()
    for row_id, *parts in rows:
        connection.execute(municipality.update().where(municipality.c.id == row_id).values(
            head_name=' '.join(p for p in parts if p)[:200]))
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.alter_column('head_name', server_default=None)
        for name, _length in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
