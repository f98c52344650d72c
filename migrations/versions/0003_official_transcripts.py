"""official transcripts and their revocations (append-only)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 03:59:56.515851

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

APPEND_ONLY = ("transcripts", "transcript_revocations")


def upgrade():
    op.create_table('transcripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=200), nullable=False),
    sa.Column('office', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=201), nullable=False),
    sa.Column('license_number', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('standing', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('clr', sa.Text(), nullable=False),
    sa.Column('season', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_transcripts_educator_id_educators')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_transcripts_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcripts')),
    sa.UniqueConstraint('season', 'educator_id', name=op.f('uq_transcripts_season_educator_id')),
    sa.UniqueConstraint('serial', name=op.f('uq_transcripts_serial'))
    )
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcripts_educator_id'), ['educator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcripts_sha256'), ['sha256'], unique=False)

    op.create_table('transcript_revocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('revoked_by', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcripts.id'],
                            name=op.f('fk_transcript_revocations_transcript_id_transcripts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_revocations')),
    sa.UniqueConstraint('transcript_id', name=op.f('uq_transcript_revocations_transcript_id'))
    )

    # What was issued is never changed: a revocation is a row of its own.
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )


def downgrade():
    """Downgrading drops the append-only record of issued and revoked transcripts: /verify
    can no longer vouch for any transcript already printed. Do not do this in production."""
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table('transcript_revocations')
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcripts_sha256'))
        batch_op.drop_index(batch_op.f('ix_transcripts_educator_id'))

    op.drop_table('transcripts')
