"""season runs: a renewal season started from the state office's pages, and its items

`season_runs` (who started which range, when, for which day, its counts and whether it is
still printing) and `season_items` (each educator it prints: pending, printed, or failed
with the reason). Neither is history: workers move an item's status and the run's counts
as they print; the transcripts they issue are the history, as before.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 01:09:15

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('season_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('season', sa.String(length=100), nullable=False),
    sa.Column('expiring_before', sa.Date(), nullable=False),
    sa.Column('expiring_after', sa.Date(), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('printed', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('started_by', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('progress_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'done')", name=op.f('ck_season_runs_status')),
    sa.CheckConstraint('expiring_after IS NULL OR expiring_after < expiring_before',
                       name=op.f('ck_season_runs_range')),
    sa.CheckConstraint('printed >= 0 AND failed >= 0 AND printed + failed <= total',
                       name=op.f('ck_season_runs_counts')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_season_runs_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_runs'))
    )
    op.create_index(op.f('ix_season_runs_state_id'), 'season_runs', ['state_id'], unique=False)
    op.create_table('season_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('license_type', sa.String(length=50), nullable=False),
    sa.Column('cycle_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'printed', 'failed')", name=op.f('ck_season_items_status')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_season_items_educator_id_educators')),
    sa.ForeignKeyConstraint(['run_id'], ['season_runs.id'], name=op.f('fk_season_items_run_id_season_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_items')),
    sa.UniqueConstraint('run_id', 'educator_id', name=op.f('uq_season_items_run_id_educator_id'))
    )
    op.create_index('ix_season_items_run_id_status', 'season_items', ['run_id', 'status'], unique=False)


def downgrade():
    # loses the record of the seasons started from the pages (who, which range, what
    # failed and why); the transcripts they printed stay, with their season's key
    op.drop_index('ix_season_items_run_id_status', table_name='season_items')
    op.drop_table('season_items')
    op.drop_index(op.f('ix_season_runs_state_id'), table_name='season_runs')
    op.drop_table('season_runs')
