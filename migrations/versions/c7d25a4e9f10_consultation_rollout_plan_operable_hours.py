"""issue 25 finished: RFCs shared for consultation before approval (RCM §13), the rollout plan's fields (RCM 4.1,
Table 10 step 2), a system's operable hours apart from its support hours, its end-of-day batch and its monitoring
(EAP §12.7)

Revision ID: c7d25a4e9f10
Revises: 8be0f71415a4
Create Date: 2026-12-06 23:00:00

"""
from datetime import time

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7d25a4e9f10'
down_revision = '8be0f71415a4'
branch_labels = None
depends_on = None

systems = sa.table('systems', sa.column('name', sa.String), sa.column('operable_kind', sa.String),
                   sa.column('operable_days', sa.String), sa.column('operable_start', sa.Time),
                   sa.column('operable_end', sa.Time), sa.column('end_of_day_batch', sa.Time),
                   sa.column('monitoring', sa.Text))
HELIX = ("ISDS", "LSS", "MDS", "VAS", "PMP", "Settlement Operations")
INTERNAL = "Internal monitoring and alerts; in the event of failure MHHS is informed (EAP §12.7)."
# EAP §12.7 Tables 5-9, for installations seeded before: name -> (operable kind, from, until, batch, monitoring).
EAP = {
    "DIP": ("hours", time(9), time(17), None, "DIP L1 Support Team monitors and informs MHHS as required."),
    **{name: ("24/7", None, None, None, INTERNAL) for name in HELIX},
    "EES": ("24/7", None, None, None, INTERNAL),
    "MPRS": ("hours", time(9), time(17), time(15, 15), "St Clements monitor the environments and inform MHHS of any "
             "outages."),
}


def upgrade():
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resources_required', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('timings', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('communications_required', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('runbook_reference', sa.String(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('systems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operable_kind', sa.String(length=5), nullable=False, server_default='tbc'))
        batch_op.add_column(sa.Column('operable_days', sa.String(length=7), nullable=False, server_default='01234'))
        batch_op.add_column(sa.Column('operable_start', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('operable_end', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('end_of_day_batch', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('monitoring', sa.Text(), nullable=False, server_default=''))
    for name, (kind, start, end, batch, monitoring) in EAP.items():
        op.execute(systems.update().where(systems.c.name == name).values(
            operable_kind=kind, operable_start=start, operable_end=end, end_of_day_batch=batch, monitoring=monitoring))
    op.create_table(
        'rfc_consultations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rfc_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('shared_by_id', sa.Integer(), nullable=False),
        sa.Column('shared_at', sa.DateTime(), nullable=False),
        sa.Column('response', sa.Enum('no objection', 'objection', name='consultationresponse', native_enum=False,
                                      length=20), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False, server_default=''),
        sa.Column('responded_by_id', sa.Integer(), nullable=True),
        sa.Column('responded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['rfc_id'], ['rfcs.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['shared_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['responded_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('rfc_id', 'organisation_id', name='uq_rfc_consultations_organisation'),
    )
    with op.batch_alter_table('rfc_consultations', schema=None) as batch_op:
        batch_op.create_index('ix_rfc_consultations_organisation_id', ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rfc_consultations', schema=None) as batch_op:
        batch_op.drop_index('ix_rfc_consultations_organisation_id')
    op.drop_table('rfc_consultations')
    with op.batch_alter_table('systems', schema=None) as batch_op:
        for column in ('monitoring', 'end_of_day_batch', 'operable_end', 'operable_start', 'operable_days',
                       'operable_kind'):
            batch_op.drop_column(column)
    with op.batch_alter_table('rfcs', schema=None) as batch_op:
        for column in ('runbook_reference', 'communications_required', 'timings', 'resources_required'):
            batch_op.drop_column(column)
