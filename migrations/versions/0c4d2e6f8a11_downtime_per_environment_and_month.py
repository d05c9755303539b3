"""downtime per environment and month, added up from the stored days

Revision ID: 0c4d2e6f8a11
Revises: 5e1a7c3d9b20
Create Date: 2026-12-04 05:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0c4d2e6f8a11'
down_revision = '5e1a7c3d9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outage_downtime_months',
    sa.Column('environment_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('microseconds', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['environment_id'], ['environments.id'],
                            name=op.f('fk_outage_downtime_months_environment_id_environments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('environment_id', 'month', 'kind', name=op.f('pk_outage_downtime_months'))
    )
    # The months of the days already stored.
    days = sa.table('outage_downtime_days', sa.column('environment_id'), sa.column('day', sa.Date()),
                    sa.column('kind'), sa.column('microseconds'))
    months = sa.table('outage_downtime_months', sa.column('environment_id'), sa.column('month', sa.Date()),
                      sa.column('kind'), sa.column('microseconds'))
    connection = op.get_bind()
    found = {}
    for environment_id, day, kind, microseconds in connection.execute(sa.select(days)):
        key = (environment_id, day.replace(day=1), kind)
        found[key] = found.get(key, 0) + microseconds
    if found:
        connection.execute(sa.insert(months), [dict(environment_id=e, month=m, kind=k, microseconds=v)
                                               for (e, m, k), v in found.items()])


def downgrade():
    op.drop_table('outage_downtime_months')
