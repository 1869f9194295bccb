"""基础信息: the unit's 人员 (staff_member) and 车辆 (vehicle) per dataset, for the 基本支出测算

Revision ID: 0013
Revises: 0012_amount_millionths
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012_amount_millionths'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('staffing', sa.String(length=32), nullable=False),
        sa.Column('grade', sa.String(length=50), nullable=False),
        sa.Column('basic_pay_fen', sa.BigInteger(), nullable=False),
        sa.Column('allowance_fen', sa.BigInteger(), nullable=False),
        sa.Column('bonus_fen', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_member_dataset_id', 'staff_member', ['dataset_id'])
    op.create_table(
        'vehicle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('in_establishment', sa.Boolean(), nullable=False),
        sa.Column('purchase_year', sa.Integer(), nullable=True),
        sa.Column('plate', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_vehicle_dataset_id', 'vehicle', ['dataset_id'])


def downgrade() -> None:
    op.drop_index('ix_vehicle_dataset_id', table_name='vehicle')
    op.drop_table('vehicle')
    op.drop_index('ix_staff_member_dataset_id', table_name='staff_member')
    op.drop_table('staff_member')
