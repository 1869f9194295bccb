import os
import tempfile
from pathlib import Path

import pytest

from db import engine as db_engine
from tests.dbtemplate import TemplateDatabases

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The log file of the CLI and GUI entry points goes to a scratch folder, not the user's log directory.
os.environ.setdefault("BUDGETDESK_LOG_DIR", tempfile.mkdtemp(prefix="budgetdesk-test-log-"))
# Printing caches (parsed fonts, page numbers of the last print) in a folder of the test run's own.
os.environ.setdefault("BUDGETDESK_CACHE_DIR", tempfile.mkdtemp(prefix="budgetdesk-test-cache-"))
# A bureau's local 一级/二级 additions: none unless a test imports some (into its own file).
os.environ.setdefault("BUDGETDESK_INDICATOR_LEVELS", os.path.join(tempfile.mkdtemp(prefix="budgetdesk-test-"),
                                                                  "indicator_levels_local.json"))

FIXTURES = Path(__file__).parent / "fixtures"
SEED004 = FIXTURES / "seed004_2023.json"


@pytest.fixture(scope="session", autouse=True)
def template_databases(tmp_path_factory):
    """Made once per run (tests/dbtemplate.py): a new SQLite database gets the migrated schema by a page
    copy instead of running every Alembic migration again; seed 004 is imported once."""
    templates = TemplateDatabases(tmp_path_factory.mktemp("template-databases"), SEED004, db_engine.migrate)
    templates.build_all()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db_engine, "migrate", templates.migrate)
        yield templates


@pytest.fixture(autouse=True)
def no_unexpected_message_boxes(request, monkeypatch):
    """A modal message box nobody answers would hang the run (CI has no one to click): in a GUI test
    an unexpected one fails the test instead. Tests that expect a box patch it themselves."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtWidgets import QMessageBox

    def unexpected(kind):
        def fail(*args, **_kwargs):
            texts = [arg for arg in args if isinstance(arg, str)]
            raise AssertionError(f"unexpected QMessageBox.{kind}: {' / '.join(texts)}")
        return fail

    for kind in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, unexpected(kind))
    yield


@pytest.fixture(autouse=True)
def no_local_levels_left_over():
    """The local 一级/二级 additions in use are the last opened database's: none at a test's start."""
    from app.projects.levels import use_local_levels

    use_local_levels([])
    yield
    use_local_levels([])


def pytest_configure(config):
    config.addinivalue_line("markers", "confirm_keys: a first-seen signing key needs a person's confirmation "
                                       "(tests of issue 22 item 6); elsewhere tests stand for the operator who confirmed")
    config.addinivalue_line("markers", "confirm_submission: 上报's confirmation dialog runs modally as for a clerk "
                                       "(tests of issue 24 item 1); elsewhere the test clicks its 确认上报")


@pytest.fixture(autouse=True)
def clerk_confirms_submission(request, monkeypatch):
    """上报 asks for confirmation in a modal dialog (issue 24). In GUI tests of everything else the test is the
    clerk who clicks 确认上报 on the real dialog; the dialogs shown are kept in ``submission_confirmations``."""
    shown: list = []
    if "qtbot" in request.fixturenames and request.node.get_closest_marker("confirm_submission") is None:
        from ui.window import submit_confirm

        def click_confirm(dialog):
            shown.append({key: label.text() for key, label in dialog.fields.items()})
            dialog.confirm_button.click()
            return dialog.result() == dialog.DialogCode.Accepted

        monkeypatch.setattr(submit_confirm, "ask", click_confirm)
    yield shown


@pytest.fixture
def submission_confirmations(clerk_confirms_submission):
    return clerk_confirms_submission


@pytest.fixture(autouse=True)
def operator_confirms_new_keys(request, monkeypatch):
    """A first-seen signing key is accepted only when a person confirms its fingerprint (issue 22). Tests of
    everything else stand for that person; tests marked ``confirm_keys`` see the program as it is."""
    if request.node.get_closest_marker("confirm_keys") is None:
        monkeypatch.setattr("app.exchange.package.trust.operator_confirmed", lambda _unit, _fingerprint: True)
    yield


def complete_project_amounts(dataset) -> None:
    """Give every project without an amount a share of what 项目支出 leaves, so that the projects add up
    (seed 004 leaves 17 of its 21 projects without one: P02, a 提示 while drafting, an 错误 at 上报)."""
    from decimal import ROUND_DOWN, Decimal

    from app.domain.quantities import value
    from app.projects import ProjectBook

    book = ProjectBook(dataset)
    choices = book.project_choices()
    missing = [project_id for project_id, _name, amount in choices if amount is None]
    if not missing:
        return
    rest = value(dataset, "project") - sum((amount for _id, _name, amount in choices if amount is not None),
                                           Decimal(0))
    share = (rest / len(missing)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    for number, project_id in enumerate(missing):
        last = number == len(missing) - 1
        book.update_project_fields(project_id, amount=rest - share * (len(missing) - 1) if last else share)


def explain_all_findings(dataset, text: str = "已核实。", *, complete_amounts: bool = True) -> None:
    """Make the dataset ready to be marked 已上报: every project with its amount (complete_project_amounts),
    and a 说明 for every 提示 (seed 004 then has 43: 18 P13 on cost indicators against the amounts, 19 S09
    on vague wording, 6 more on its targets and funds)."""
    from app.checks.rules import check_dataset, set_explanation

    if complete_amounts:
        complete_project_amounts(dataset)
    for finding in check_dataset(dataset):
        if finding.severity == "warning" and not finding.explanation:
            set_explanation(dataset, finding.key, text)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "budget.sqlite3"


@pytest.fixture
def store(db_path):
    from app.store.service import Store

    store = Store(str(db_path))
    yield store
    store.close()


@pytest.fixture
def seed_dataset(store, template_databases):
    """Seed 004 (unit 359, 2023) in the test's store: copied from the session's template, which was made by
    the same import; imported for real when a fixture has already written into the store."""
    from app.exchange.interchange import import_file

    if template_databases.fill_with_seed(store):
        return store.open_dataset("359", 2023)
    return import_file(store, SEED004)


@pytest.fixture
def window(qtbot, store, seed_dataset, tmp_path):
    """The main window on the seed-004 dataset, with settings kept out of the user's profile."""
    from PySide6.QtCore import QSettings

    from ui.window.main_window import MainWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    main_window = MainWindow(store)
    qtbot.addWidget(main_window)
    main_window.show()
    main_window.open_dataset("359", 2023)
    return main_window


# ---- the command line on a SQLite file (tests of bad input: the file must not change) ------------------

def run(capsys, *args):
    from app.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def dump(db: Path) -> list[str]:
    import sqlite3

    connection = sqlite3.connect(db)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture
def seeded_db(tmp_path, template_databases):
    """The file ``budgetdesk --db cli.sqlite3 import-json seed004`` makes (made once per run, copied)."""
    return template_databases.copy_cli_seeded(tmp_path / "cli.sqlite3")


# ---- the finance bureau's side (packages, 批注, resubmission, screening, the tree) ----------------
PG_URL = os.environ.get("BUDGETDESK_TEST_POSTGRES_URL")


@pytest.fixture
def key_dir(tmp_path, monkeypatch):
    """Signing keys (units' and the bureau's) in a scratch folder, never the user's."""
    from app.exchange import signing

    folder = tmp_path / "keys"
    monkeypatch.setenv(signing.KEY_DIR_ENV, str(folder))
    return folder


def _drop_all(store):
    from sqlalchemy import text

    from db.models import Base

    with store.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _make_store(kind, tmp_path, name):
    from app.store.service import Store

    if kind == "postgres":
        if not PG_URL:
            pytest.skip("BUDGETDESK_TEST_POSTGRES_URL not set")
        store = Store(PG_URL)
    else:
        store = Store(str(tmp_path / f"{name}.sqlite3"))
    return store


@pytest.fixture(params=["sqlite", "postgres"])
def bureau(request, tmp_path):
    """The bureau's database: a SQLite file, or the PostgreSQL scratch database emptied afterwards."""
    store = _make_store(request.param, tmp_path, "bureau")
    yield store
    if request.param == "postgres":
        _drop_all(store)
    store.close()
