"""activity keys: one active activity per educator and content, so duplicates cannot race

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:40:00

"""
import hashlib
import json
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _key(title, hours, tags, earned_on, evidence_url) -> str:
    # the same digest as ledger.entries.service.activity_key, frozen here as migrations are
    if isinstance(tags, str):
        tags = json.loads(tags)
    hours = Decimal(str(hours)).normalize()
    text = json.dumps([title, f"{hours:f}", sorted(set(tags or ())), str(earned_on)[:10], evidence_url],
                      ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade():
    op.create_table('activity_keys',
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('content_key', sa.String(length=64), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_activity_keys_educator_id_educators')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_activity_keys_entry_id_entries')),
    sa.PrimaryKeyConstraint('educator_id', 'content_key', name=op.f('pk_activity_keys')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_activity_keys_entry_id'))
    )
    # Key the active activities already recorded without an external_id: the first of any
    # identical ones keeps the key (the others stay in the ledger, as recorded).
    rows = op.get_bind().execute(sa.text(
        "SELECT e.id, e.educator_id, e.title, e.hours, e.tags, e.earned_on, e.evidence_url FROM entries e "
        "WHERE e.kind = 'activity' AND e.external_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.entry_id = e.id) ORDER BY e.id"))
    seen, keys = set(), []
    for id_, educator_id, title, hours, tags, earned_on, evidence_url in rows:
        key = (educator_id, _key(title, hours, tags, earned_on, evidence_url))
        if key not in seen:
            seen.add(key)
            keys.append({"educator_id": educator_id, "content_key": key[1], "entry_id": id_})
    if keys:
        table = sa.table('activity_keys', sa.column('educator_id'), sa.column('content_key'), sa.column('entry_id'))
        op.bulk_insert(table, keys)


def downgrade():
    """Downgrading drops the keys only (the entries stay): duplicates can race again."""
    op.drop_table('activity_keys')
