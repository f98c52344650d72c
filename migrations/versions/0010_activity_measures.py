"""activity measures: an activity's amount may be in CEUs, semester hours or any measure a
rulebook converts (CONTRACT.md section 2b, "Activity units")

`entries.measure` names the measure of an activity's amount, which stays in `hours` (so an
activity still always has its amount there, as the kind's CHECK constraint requires);
NULL means clock hours, as every entry recorded before meant. A nullable column: the hash
chain's digests leave NULLs out, so no existing link changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('entries', sa.Column('measure', sa.String(length=40), nullable=True))


def downgrade():
    # loses which activities were counted in a measure other than clock hours. Plain SQL
    # (SQLite 3.35+ and PostgreSQL): a batch copy of entries would drop its guarding triggers.
    op.execute("ALTER TABLE entries DROP COLUMN measure")
