"""Building the CLI's parser (every command, ``--help``) stays light: the database layer, reportlab,
Qt and jsonschema are imported by the commands that use them, not by the parser. A command
module that imports them at the top (as the 批注 commands once did) costs every command ~0.3 s."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from app.cli.main import build_parser
build_parser()
print(",".join(m for m in ("sqlalchemy", "reportlab", "PySide6", "jsonschema", "openpyxl") if m in sys.modules))
"""


def test_building_the_parser_imports_no_heavy_library():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                            cwd=str(Path(__file__).resolve().parent.parent))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


COMMAND = """
import contextlib, io, sys
from app.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(code, ",".join(m for m in sys.argv[0].split(",") if m in sys.modules))
"""
POSTGRES = "sqlalchemy.dialects.postgresql"  # on a SQLite file (db/models.py names no PostgreSQL-only option)
# What each command does not use (a printed PDF without a signing key needs no cryptography; an export no
# schema check); the commands that do use them load them.
NOT_USED_BY = {
    "check": ("reportlab", "openpyxl", "jsonschema", "cryptography", "alembic", "PySide6", "app.printing.document",
              POSTGRES),
    "show": ("reportlab", "openpyxl", "jsonschema", "cryptography", "alembic", "PySide6", POSTGRES),
    "print": ("openpyxl", "jsonschema", "cryptography", "alembic", "PySide6", "pypdfium2", POSTGRES),
    "export-json": ("reportlab", "openpyxl", "cryptography", "alembic", "PySide6"),
    # the xlsx reader (and jsonschema behind it) is not the writer's; reportlab still comes with the project
    # sheets, which take their titles and column plans from the printed forms
    "export-xlsx": ("app.exchange.excel.importer", "jsonschema", "cryptography", "alembic", "PySide6"),
}


def test_each_command_imports_only_what_it_uses(seeded_db, tmp_path):
    arguments = {"check": [], "show": ["expenditure_summary"], "print": ["--out", str(tmp_path / "out.pdf")],
                 "export-json": ["--out", str(tmp_path / "out.json")],
                 "export-xlsx": ["--out", str(tmp_path / "out.xlsx")]}
    env = dict(os.environ, BUDGETDESK_KEY_DIR=str(tmp_path / "keys"), BUDGETDESK_LOG_DIR=str(tmp_path / "log"),
               BUDGETDESK_CACHE_DIR=str(tmp_path / "cache"))
    loaded = {}
    for command, modules in NOT_USED_BY.items():
        argv = ["--db", str(seeded_db), command, "--unit", "359", "--year", "2023", *arguments[command]]
        result = subprocess.run([sys.executable, "-c", COMMAND.replace("sys.argv[0]", repr(",".join(modules))), *argv],
                                capture_output=True, text=True, timeout=300, env=env,
                                cwd=str(Path(__file__).resolve().parent.parent))
        assert result.returncode == 0, result.stderr[-2000:]
        code, _, names = result.stdout.strip().splitlines()[-1].partition(" ")
        assert code in ("0", "1"), result.stdout  # check exits 1 only when 错误 remain
        loaded[command] = names
    assert loaded == dict.fromkeys(NOT_USED_BY, "")
