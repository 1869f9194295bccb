"""dataset.editions: the definitions' editions each dataset was made with

Revision ID: 0007_editions
Revises: 0006_resubmit
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0007_editions'
down_revision = '0006_resubmit'
branch_labels = None
depends_on = None

NOTE = "edition:forms"  # where the forms edition was kept before this column


def upgrade() -> None:
    with op.batch_alter_table('dataset') as batch:
        batch.add_column(sa.Column('editions', sa.Text(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT dataset_id, text FROM dataset_note WHERE key = :key"),
                              {"key": NOTE}).fetchall()
    for dataset_id, text in rows:
        connection.execute(sa.text("UPDATE dataset SET editions = :editions WHERE id = :id"),
                           {"editions": json.dumps({"forms": text}), "id": dataset_id})
    connection.execute(sa.text("DELETE FROM dataset_note WHERE key = :key"), {"key": NOTE})


def downgrade() -> None:
    with op.batch_alter_table('dataset') as batch:
        batch.drop_column('editions')
