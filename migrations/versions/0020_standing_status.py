"""standing status: each projected cycle's listed status stored with the days it holds
(`status`, `status_on`, `status_until`), so lists filter by an index, and each state's
counts of them (`standing_counts`) kept by difference, so the overview reads a few rows.
Rows projected before this revision hold no status yet (`status_until` = `status_on`): the
lists judge them from their dates until `flask ledger refresh-standings` (or the daily
job) stores it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('standing_cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('status_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status_until', sa.Date(), nullable=True))
    op.execute("UPDATE standing_cycles SET status_on = computed_on, status_until = computed_on")
    with op.batch_alter_table('standing_cycles', schema=None) as batch_op:
        batch_op.alter_column('status_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index('ix_standing_cycles_state_status', ['state_id', 'status'], unique=False)
        batch_op.create_index('ix_standing_cycles_state_status_until', ['state_id', 'status_until'], unique=False)
        batch_op.create_index('ix_standing_cycles_state_status_on', ['state_id', 'status_on'], unique=False)
    with op.batch_alter_table('standing_cards', schema=None) as batch_op:
        batch_op.create_index('ix_standing_cards_state_version', ['state_id', 'rulebook_version_id'], unique=False)
    op.create_table('standing_counts',
    sa.Column('state_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=12), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_standing_counts_state_id_states')),
    sa.PrimaryKeyConstraint('state_id', 'key', name=op.f('pk_standing_counts'))
    )


def downgrade():
    op.drop_table('standing_counts')
    with op.batch_alter_table('standing_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_cards_state_version')
    with op.batch_alter_table('standing_cycles', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_cycles_state_status_on')
        batch_op.drop_index('ix_standing_cycles_state_status_until')
        batch_op.drop_index('ix_standing_cycles_state_status')
        batch_op.drop_column('status_until')
        batch_op.drop_column('status_on')
        batch_op.drop_column('status')
