"""applied 退回 files: the id of every .bdr applied on this machine (a replay is refused)

Revision ID: 0009_applied_return
Revises: 0008_comments
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_applied_return'
down_revision = '0008_comments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'applied_return',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('unit_code', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=500), server_default='', nullable=False),
        sa.Column('created', sa.String(length=40), server_default='', nullable=False),
        sa.Column('package_sha256', sa.String(length=64), server_default='', nullable=False),
        sa.Column('applied_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('applied_return')
