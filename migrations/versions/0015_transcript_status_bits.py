"""transcript status bits: each transcript's place in its state's revocation status list

A transcript issued from now on names, in its signed CLR, a bit of a W3C Bitstring
Status List that the ledger publishes per state (`/api/v1/status/XX/N`); revoking the
transcript sets that bit. The two columns say which list and which bit; a unique index
keeps two transcripts from ever sharing one. Transcripts issued before keep NULL (their
CLR names no list) and their hash-chain digests do not change (NULL columns are left out).

Added in place (ALTER TABLE ADD COLUMN, CREATE INDEX): the table is not rebuilt, so its
append-only triggers stay as they are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('transcripts', sa.Column('status_list', sa.Integer(), nullable=True))
    op.add_column('transcripts', sa.Column('status_index', sa.Integer(), nullable=True))
    op.create_index('uq_transcripts_status_bit', 'transcripts', ['state_id', 'status_list', 'status_index'],
                    unique=True)


def downgrade():
    """Downgrading forgets which bit each transcript holds: the published status lists can
    no longer be built, and a verifier reading a CLR issued since sees no revocation."""
    op.drop_index('uq_transcripts_status_bit', table_name='transcripts')
    # In place (SQLite 3.35+ drops a column itself): a rebuilt table would lose its triggers.
    op.drop_column('transcripts', 'status_index')
    op.drop_column('transcripts', 'status_list')
