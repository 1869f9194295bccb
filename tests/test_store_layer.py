"""Every write goes through the store layer (issue 22, item 1).

Statically: no module outside the store layer (app/store/database.py, dataset.py, work.py, audit.py, db/engine.py) opens a write
session, commits, or builds an audit row, and none keeps a private clock or user-name copy. At run time,
on SQLite and PostgreSQL: each bureau-side write (package import, replacing import, 退回, department
package, .bdr import, trust) commits exactly once, and every commit is made from the store layer.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pytest
from sqlalchemy import event

from app.bureau import intake, standing
from app.exchange.package import trust
from tests.test_hierarchy import department, department_package  # noqa: F401 - fixtures
from tests.test_package import make_package, seed_document

ROOT = Path(__file__).resolve().parent.parent
STORE_LAYER = {"app/store/database.py", "app/store/dataset.py", "app/store/work.py", "app/store/audit.py", "db/engine.py"}
FORBIDDEN = [
    (re.compile(r"Session\.begin\("), "opens a write session"),
    (re.compile(r"\bsessionmaker\("), "makes its own sessions"),
    (re.compile(r"engine\.begin\("), "opens a write transaction on the engine"),
    (re.compile(r"\bsession\.commit\(|\bconnection\.commit\(|transaction\.commit\("), "commits"),
    (re.compile(r"AuditEntry\(|insert\(models\.AuditEntry"), "builds an audit row"),
    (re.compile(r"def _now\(|def _os_user\(|getpass\.getuser\("), "keeps its own clock or user name"),
]

pytestmark = pytest.mark.usefixtures("key_dir")


def _sources():
    for folder in ("app", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in STORE_LAYER:
                yield relative, path.read_text(encoding="utf-8")


def test_no_module_outside_the_store_layer_opens_a_write_transaction():
    offences = [f"{name}:{text.count(chr(10), 0, match.start()) + 1} {what}: {match.group(0)}"
                for name, text in _sources() for pattern, what in FORBIDDEN for match in pattern.finditer(text)]
    assert offences == []
    # the scan sees what it looks for: the store layer itself has each kind of write
    service = "".join((ROOT / name).read_text(encoding="utf-8") for name in sorted(STORE_LAYER))
    assert "Session.begin(" in service and "insert(models.AuditEntry)" in service


def _product_file(filename: str) -> bool:
    """A file of app/, db/ or ui/ in this checkout (wherever the checkout itself lives)."""
    try:
        return Path(filename).resolve().relative_to(ROOT).parts[0] in ("app", "db", "ui")
    except ValueError:
        return False


class Commits:
    """Counts the commits on a store's engine and remembers the project code that asked for each."""

    def __init__(self, store):
        self.engine = store.engine
        self.callers: list[str] = []
        event.listen(self.engine, "commit", self._seen)

    def _seen(self, _connection):
        frames = [frame for frame in traceback.extract_stack() if _product_file(frame.filename)]
        innermost = frames[-1]
        self.callers.append(Path(innermost.filename).relative_to(ROOT).as_posix())

    def take(self) -> list[str]:
        seen, self.callers = self.callers, []
        return seen

    def close(self):
        event.remove(self.engine, "commit", self._seen)


@pytest.fixture
def commits(bureau):
    counter = Commits(bureau)
    yield counter
    counter.close()


def test_each_bureau_write_commits_once_from_the_store(bureau, commits, tmp_path):
    first = make_package(tmp_path / "359.bdp", seed_document(status="submitted"))
    intake.import_package(bureau, first, backup=False)
    assert commits.take() == ["db/engine.py"]  # key, dataset, receipt, kept file and audit: one commit

    standing.return_dataset(bureau, "359", 2023, "支出偏高")
    assert commits.take() == ["db/engine.py"]

    second = make_package(tmp_path / "359-2.bdp", seed_document(scale=2, status="submitted"))
    intake.import_package(bureau, second, replace=True, backup=False)
    assert commits.take() == ["db/engine.py"]

    trust.trust_key(bureau, "360", "ABCD-EF01-2345-6789")
    assert commits.take() == ["db/engine.py"]


def test_department_package_commits_once(bureau, commits, department_package):  # noqa: F811
    result, _files = department_package
    commits.take()  # the fixture's own department database is another engine: nothing counted
    intake.import_package(bureau, result.path, backup=False)
    assert commits.take() == ["db/engine.py"]  # every node, receipts, 审核 counts, audit: one commit
