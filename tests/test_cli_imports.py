"""Building the CLI's parser (every command, ``--help``) stays light: the database layer, reportlab,
Qt and jsonschema are imported by the commands that use them, not by the parser. A command
module that imports them at the top (as the 批注 commands once did) costs every command ~0.3 s."""

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
