"""dataset version and token, audit trail

Revision ID: 0003
Revises: 0002
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dataset') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('token', sa.String(length=32), nullable=False, server_default=''))
    connection = op.get_bind()
    for (dataset_id,) in connection.execute(sa.text("SELECT id FROM dataset")).fetchall():
        connection.execute(sa.text("UPDATE dataset SET token = :token WHERE id = :id"),
                           {"token": uuid.uuid4().hex, "id": dataset_id})
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_code', sa.String(length=32), nullable=False, server_default=''),
        sa.Column('year', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('batch', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('time', sa.DateTime(), nullable=False),
        sa.Column('os_user', sa.String(length=100), nullable=False, server_default=''),
        sa.Column('preparer', sa.String(length=50), nullable=False, server_default=''),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('form', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('row', sa.String(length=300), nullable=False, server_default=''),
        sa.Column('column', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('place', sa.Text(), nullable=False, server_default=''),
        sa.Column('old', sa.Text(), nullable=True),
        sa.Column('new', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entry_unit_year', 'audit_entry', ['unit_code', 'year', 'id'])


def downgrade() -> None:
    op.drop_index('ix_audit_entry_unit_year', table_name='audit_entry')
    op.drop_table('audit_entry')
    with op.batch_alter_table('dataset') as batch:
        batch.drop_column('token')
        batch.drop_column('version')
