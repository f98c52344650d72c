"""ledger foundation: states, rulebook versions, districts, catalog, educators,
licenses, the append-only ledger (entries, voids, audit) guarded by triggers, tokens, users

Revision ID: 0001
Revises:
Create Date: 2026-11-25 00:11:31.451278

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("entries", "voids", "audit_events")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'restrict_violation'; END $$"
        )
    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('record_type', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)

    op.create_table('issuers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuers')),
    sa.UniqueConstraint('code', name=op.f('uq_issuers_code'))
    )
    op.create_table('states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_states')),
    sa.UniqueConstraint('code', name=op.f('uq_states_code'))
    )
    op.create_table('credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('estimated_hours', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('badge_id', sa.String(length=500), nullable=True),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['issuer_id'], ['issuers.id'], name=op.f('fk_credentials_issuer_id_issuers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials')),
    sa.UniqueConstraint('badge_id', name=op.f('uq_credentials_badge_id')),
    sa.UniqueConstraint('code', name=op.f('uq_credentials_code'))
    )
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credentials_issuer_id'), ['issuer_id'], unique=False)

    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('salary_credits_per_mc', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_districts_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('code', name=op.f('uq_districts_code'))
    )
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_districts_state_id'), ['state_id'], unique=False)

    op.create_table('rulebook_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('loaded_by', sa.String(length=200), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_rulebook_versions_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rulebook_versions')),
    sa.UniqueConstraint('state_id', 'version', name=op.f('uq_rulebook_versions_state_id_version'))
    )
    with op.batch_alter_table('rulebook_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rulebook_versions_state_id'), ['state_id'], unique=False)

    op.create_table('educators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('license_number', sa.String(length=40), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_educators_district_id_districts')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_educators_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_educators')),
    sa.UniqueConstraint('state_id', 'license_number', name=op.f('uq_educators_state_id_license_number'))
    )
    with op.batch_alter_table('educators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_educators_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_educators_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_educators_state_id'), ['state_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_api_tokens_district_id_districts')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_api_tokens_educator_id_educators')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_api_tokens_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('hours', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('earned_on', sa.Date(), nullable=False),
    sa.Column('external_id', sa.String(length=500), nullable=True),
    sa.Column('evidence_url', sa.String(length=2000), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'microcredential' AND credential_id IS NOT NULL AND hours IS NULL) OR "
                       "(kind = 'activity' AND credential_id IS NULL AND hours IS NOT NULL AND hours >= 0 "
                       "AND title IS NOT NULL)", name=op.f('ck_entries_kind_fields')),
    sa.CheckConstraint("kind IN ('microcredential', 'activity')", name=op.f('ck_entries_kind')),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_entries_credential_id_credentials')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_entries_educator_id_educators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entries')),
    sa.UniqueConstraint('external_id', name=op.f('uq_entries_external_id'))
    )
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entries_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index('ix_entries_educator_id_earned_on', ['educator_id', 'earned_on'], unique=False)

    op.create_table('licenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=50), nullable=False),
    sa.Column('cycle_start', sa.Date(), nullable=False),
    sa.Column('cycle_end', sa.Date(), nullable=False),
    sa.CheckConstraint('cycle_end >= cycle_start', name=op.f('ck_licenses_cycle_order')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_licenses_educator_id_educators')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_licenses_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licenses'))
    )
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licenses_educator_id'), ['educator_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('educator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_users_district_id_districts')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_users_educator_id_educators')),
    sa.ForeignKeyConstraint(['state_id'], ['states.id'], name=op.f('fk_users_state_id_states')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('holdings',
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['credentials.id'], name=op.f('fk_holdings_credential_id_credentials')),
    sa.ForeignKeyConstraint(['educator_id'], ['educators.id'], name=op.f('fk_holdings_educator_id_educators')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_holdings_entry_id_entries')),
    sa.PrimaryKeyConstraint('educator_id', 'credential_id', name=op.f('pk_holdings')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_holdings_entry_id'))
    )
    op.create_table('voids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('voided_by', sa.String(length=200), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_voids_entry_id_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voids')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_voids_entry_id'))
    )

    # The ledger is append-only in the database too: entries, voids and the audit
    # trail refuse UPDATE and DELETE whatever the client.
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
    """Downgrading drops the whole ledger: every entry, void and audit event (append-only
    history) is lost. Export first (`flask ledger export`); there is no way back."""
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")

    op.drop_table('voids')
    op.drop_table('holdings')
    op.drop_table('users')
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licenses_educator_id'))

    op.drop_table('licenses')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_educator_id_earned_on')
        batch_op.drop_index(batch_op.f('ix_entries_credential_id'))

    op.drop_table('entries')
    op.drop_table('api_tokens')
    with op.batch_alter_table('educators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_educators_state_id'))
        batch_op.drop_index(batch_op.f('ix_educators_email'))
        batch_op.drop_index(batch_op.f('ix_educators_district_id'))

    op.drop_table('educators')
    with op.batch_alter_table('rulebook_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rulebook_versions_state_id'))

    op.drop_table('rulebook_versions')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_districts_state_id'))

    op.drop_table('districts')
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credentials_issuer_id'))

    op.drop_table('credentials')
    op.drop_table('states')
    op.drop_table('issuers')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
