"""issuer keys: what imports check incoming credentials with

`issuer_keys`: the public keys the state offices keep for the issuers whose credentials
they accept (a JWK, did:key, did:web or URL, resolved when added, with where it came
from). `received_credentials`: each imported credential exactly as received (its bytes
or compact JWS) and how it was verified (verified, unverifiable or hosted), beside its
entry; append-only like the entry, by trigger on both engines. `educator_identities`:
more e-mails, DIDs and URLs that name an educator as a badge's recipient.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:06:57

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('issuer_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('source_kind', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=2000), nullable=False),
    sa.Column('origin', sa.String(length=1000), nullable=False),
    sa.Column('key_id', sa.String(length=1000), nullable=True),
    sa.Column('thumbprint', sa.String(length=64), nullable=False),
    sa.Column('jwk', sa.JSON(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=True),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("source_kind IN ('jwk', 'did:key', 'did:web', 'url')", name=op.f('ck_issuer_keys_source_kind')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_issuer_keys_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_keys')),
    sa.UniqueConstraint('issuer', 'thumbprint', name=op.f('uq_issuer_keys_issuer_thumbprint'))
    )
    with op.batch_alter_table('issuer_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_keys_issuer'), ['issuer'], unique=False)
        batch_op.create_index(batch_op.f('ix_issuer_keys_state_id'), ['state_id'], unique=False)

    op.create_table('educator_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('email', 'did', 'url')", name=op.f('ck_educator_identities_kind')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'],
                            name=op.f('fk_educator_identities_educator_id_educators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_educator_identities')),
    sa.UniqueConstraint('kind', 'value', name=op.f('uq_educator_identities_kind_value'))
    )
    with op.batch_alter_table('educator_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_educator_identities_educator_id'), ['educator_id'], unique=False)

    op.create_table('received_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('original', sa.LargeBinary(), nullable=False),
    sa.Column('verification', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.Column('issuer_key_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("verification IN ('verified', 'unverifiable', 'hosted')",
                       name=op.f('ck_received_credentials_verification')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_received_credentials_entry_id_entries')),
    sa.ForeignKeyConstraint(['issuer_key_id'], ['issuer_keys.id'],
                            name=op.f('fk_received_credentials_issuer_key_id_issuer_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_received_credentials')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_received_credentials_entry_id'))
    )
    with op.batch_alter_table('received_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_credentials_issuer_key_id'), ['issuer_key_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER received_credentials_append_only BEFORE UPDATE OR DELETE ON received_credentials "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()")
        op.execute("CREATE TRIGGER received_credentials_no_truncate BEFORE TRUNCATE ON received_credentials "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER received_credentials_no_{verb.lower()} BEFORE {verb} ON received_credentials "
                       "BEGIN SELECT RAISE(ABORT, 'received_credentials are append-only'); END")



def downgrade():
    # loses the registry's keys, every credential as received with how it was verified,
    # and the educators' extra identities (their entries stay)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS received_credentials_no_truncate ON received_credentials")
        op.execute("DROP TRIGGER IF EXISTS received_credentials_append_only ON received_credentials")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS received_credentials_no_{verb}")
    with op.batch_alter_table('received_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_credentials_issuer_key_id'))

    op.drop_table('received_credentials')
    with op.batch_alter_table('educator_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_educator_identities_educator_id'))

    op.drop_table('educator_identities')
    with op.batch_alter_table('issuer_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_keys_state_id'))
        batch_op.drop_index(batch_op.f('ix_issuer_keys_issuer'))

    op.drop_table('issuer_keys')
