"""resubmission: the bytes of every received package (package_file)

Revision ID: 0006_resubmit
Revises: 0005_selfeval
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_resubmit'
down_revision = '0005_selfeval'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'package_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('received_package_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['received_package_id'], ['received_package.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_package_file_received_package_id', 'package_file', ['received_package_id'])


def downgrade() -> None:
    op.drop_index('ix_package_file_received_package_id', table_name='package_file')
    op.drop_table('package_file')
