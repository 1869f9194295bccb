"""package signing keys the bureau trusts, packages it received

Revision ID: 0004_package
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_package'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'trusted_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('fingerprint', sa.String(length=19), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('status', sa.String(length=16), nullable=False, server_default='active'),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False, server_default=''),
        sa.Column('os_user', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_reason', sa.Text(), nullable=False, server_default=''),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_trusted_key_unit', 'trusted_key', ['unit_code', 'status'])
    op.create_index('uq_trusted_key_active', 'trusted_key', ['unit_code'], unique=True,
                    sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.create_table(
        'received_package',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('file_name', sa.String(length=500), nullable=False, server_default=''),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=19), nullable=False),
        sa.Column('created', sa.String(length=40), nullable=False, server_default=''),
        sa.Column('package_status', sa.String(length=16), nullable=False, server_default=''),
        sa.Column('errors', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('warnings', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('status', sa.String(length=16), nullable=False, server_default='received'),
        sa.Column('return_reason', sa.Text(), nullable=False, server_default=''),
        sa.Column('returned_at', sa.DateTime(), nullable=True),
        sa.Column('os_user', sa.String(length=100), nullable=False, server_default=''),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_received_package_unit_year', 'received_package', ['unit_code', 'year', 'id'])


def downgrade() -> None:
    op.drop_index('ix_received_package_unit_year', table_name='received_package')
    op.drop_table('received_package')
    op.drop_index('uq_trusted_key_active', table_name='trusted_key')
    op.drop_index('ix_trusted_key_unit', table_name='trusted_key')
    op.drop_table('trusted_key')
