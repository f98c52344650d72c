"""pending rulebooks: an upload on the state office's rulebook page is previewed (how many
educators' statuses it would change, and whose) before it is in force; the uploaded
document waits here for "publish" or "discard", keyed by a random id.

Not history: a publish or a discard deletes the row (no append-only triggers, not in the
hash chain), and the application's role may delete it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_rulebooks',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_pending_rulebooks_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_rulebooks'))
    )
    op.create_index(op.f('ix_pending_rulebooks_state_id'), 'pending_rulebooks', ['state_id'], unique=False)


def downgrade():
    # loses the previews awaiting a decision (they are re-made by uploading again)
    op.drop_index(op.f('ix_pending_rulebooks_state_id'), table_name='pending_rulebooks')
    op.drop_table('pending_rulebooks')
