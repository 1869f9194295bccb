"""The shape docs/architecture.md promises, checked: no module over 700 lines in app/ or ui/, and no
import inside a function unless a comment says which heavy library it keeps out of start-up.
(The layer contracts and the type check run before the tests in `make test`: import-linter, mypy.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 700


def product_modules(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def test_no_module_in_app_or_ui_is_over_700_lines():
    long = {str(path.relative_to(ROOT)): count for path in product_modules("app", "ui")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def import_runs(body: list[ast.stmt]):
    """Runs of consecutive import statements in a function body, with the statement before each run."""
    run: list[ast.stmt] = []
    before: ast.stmt | None = None
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            run.append(statement)
            continue
        if run:
            yield before, run
            run = []
        before = statement
    if run:
        yield before, run


def uncommented_function_imports(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    missing = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for holder in ast.walk(node):
            for field in ("body", "orelse", "finalbody", "handlers"):
                body = getattr(holder, field, None)
                if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                    continue
                for before, run in import_runs(body):
                    # the comment sits on an import line or on the lines between the run and what precedes it
                    start = (before.end_lineno or before.lineno) if before is not None else run[0].lineno - 1
                    while start > 0 and lines[start - 1].strip().startswith("#"):
                        start -= 1  # the comment lines right above the run
                    span = lines[start:run[-1].end_lineno or run[-1].lineno]
                    if not any("#" in line for line in span):
                        missing.append(f"{path.relative_to(ROOT)}:{run[0].lineno}")
    return missing


def test_every_import_inside_a_function_says_what_it_defers():
    missing = [where for path in product_modules("app", "ui", "db") for where in uncommented_function_imports(path)]
    assert missing == []


def test_the_import_check_sees_an_uncommented_import(tmp_path):
    sample = ROOT / "tests" / "_architecture_sample.py"
    try:
        sample.write_text('def f():\n    """Doc."""\n    import json\n\n    return json\n\n\n'
                          'def g():\n    import csv  # deferred: csv\n\n    return csv\n', encoding="utf-8")
        assert uncommented_function_imports(sample) == ["tests/_architecture_sample.py:3"]
    finally:
        sample.unlink()
