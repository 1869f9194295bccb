"""Alembic environment: runs on the connection handed over by db.engine.migrate."""

from alembic import context

from db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # invoked from the alembic command line: use the URL in the config
    from db.engine import make_engine

    connection = make_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
