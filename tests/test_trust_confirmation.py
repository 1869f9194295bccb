"""No trust on first sight without a person (issue 22, item 6): a signing key seen for the first time is
accepted only with its fingerprint confirmed (CLI ``--trust-fingerprint``, the GUI's dialog) or entered
beforehand (``trust``) — for unit packages, the units inside a department package, and the bureau's
退回 file on a clerk's machine. A forger's key is refused with nothing written."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.bureau import comments as cm
from app.bureau import intake
from app.exchange.interchange import import_document
from app.exchange.package import reader, trust
from app.store.service import Store
from tests.conftest import dump, explain_all_findings, run
from tests.test_crash_steps import department_file, fingerprints_of  # noqa: F401 - a fixture
from tests.test_package import make_package, seed_document

pytestmark = [pytest.mark.usefixtures("key_dir"), pytest.mark.confirm_keys]


@pytest.fixture
def empty_db(tmp_path):
    db = tmp_path / "bureau.sqlite3"
    Store(str(db)).close()
    return db


def test_cli_refuses_a_first_seen_key_until_its_fingerprint_is_confirmed(empty_db, tmp_path, capsys):
    path = make_package(tmp_path / "359.bdp", seed_document(status="submitted"))
    fingerprint = reader.open_package(path).fingerprint
    before = dump(empty_db)
    code, _out, err = run(capsys, "--db", str(empty_db), "import-package", str(path))
    assert code != 0 and "第一次见到" in err and fingerprint in err and f"--trust-fingerprint {fingerprint}" in err
    assert "Traceback" not in err and dump(empty_db) == before
    code, _out, err = run(capsys, "--db", str(empty_db), "import-package", str(path),
                          "--trust-fingerprint", "0000-0000-0000-0000")  # not the one on the paper
    assert code != 0 and dump(empty_db) == before
    code, _out, err = run(capsys, "--db", str(empty_db), "import-package", str(path),
                          "--trust-fingerprint", fingerprint.lower().replace("-", " "))
    assert code == 0, err
    store = Store(str(empty_db))
    try:
        [key] = trust.trusted_keys(store, "359")
        assert key.fingerprint == fingerprint and "人工核对" in key.reason
    finally:
        store.close()


def test_a_fingerprint_entered_beforehand_is_enough(tmp_path):
    path = make_package(tmp_path / "359.bdp", seed_document(status="submitted"))
    store = Store(str(tmp_path / "b.sqlite3"))
    try:
        with pytest.raises(trust.UntrustedKeyError):
            intake.import_package(store, path, backup=False)
        trust.trust_key(store, "359", reader.open_package(path).fingerprint)
        assert not intake.import_package(store, path, backup=False).first_trust
    finally:
        store.close()


def test_a_forged_package_for_a_new_unit_is_refused(tmp_path):
    forged = make_package(tmp_path / "forged.bdp", seed_document(status="submitted"), key=Ed25519PrivateKey.generate())
    store = Store(str(tmp_path / "b.sqlite3"))
    try:
        with pytest.raises(trust.UntrustedKeyError):
            intake.import_package(store, forged, backup=False)
        result = intake.import_packages(store, forged.parent)  # the folder import says so and goes on
        assert not result.imported and "第一次见到" in result.failed[0][1]
        assert store.list_datasets() == [] and trust.trusted_keys(store, "359") == []
    finally:
        store.close()


def test_units_inside_a_department_package_need_confirmed_keys(tmp_path, department_file):  # noqa: F811
    store = Store(str(tmp_path / "b.sqlite3"))
    try:
        department = reader.open_package(department_file)
        with pytest.raises(trust.UntrustedKeyError) as refused:
            intake.import_package(store, department_file, backup=False, trust_fingerprints=[department.fingerprint])
        assert {code for code, _name, _fp in refused.value.keys} == {"801001", "801002", "801003"}
        assert store.list_datasets() == []
        keys = fingerprints_of(department_file)[1::2]
        outcome = intake.import_package(store, department_file, backup=False, trust_fingerprints=keys)
        assert len(outcome.units) == 3
    finally:
        store.close()


@pytest.fixture
def clerk_with_return(tmp_path):
    bureau = Store(str(tmp_path / "bureau.sqlite3"))
    clerk = Store(str(tmp_path / "clerk.sqlite3"))
    import_document(bureau, seed_document(status="submitted"), backup=False)
    import_document(clerk, seed_document(), backup=False)
    dataset = clerk.open_dataset("359", 2023)
    explain_all_findings(dataset)
    dataset.set_status("submitted")
    path = cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "359_2023_退回.bdr").path
    bureau.close()
    yield clerk, path
    clerk.close()


def test_the_bureaus_first_return_file_needs_its_fingerprint(clerk_with_return):
    clerk, path = clerk_with_return
    fingerprint = cm.open_return(path).fingerprint
    with pytest.raises(trust.UntrustedKeyError, match=fingerprint):
        cm.import_return(clerk, path)
    assert clerk.dataset_info("359", 2023).status == "submitted" and cm.bureau_fingerprint(clerk) is None
    outcome = cm.import_return(clerk, path, trust_fingerprints=[fingerprint])
    assert outcome.first_trust and cm.bureau_fingerprint(clerk) == fingerprint


def test_gui_shows_the_fingerprint_and_imports_only_when_confirmed(qtbot, window, store, seed_dataset, tmp_path,
                                                                   monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.editor.comments_panel import import_return_gui

    bureau = Store(str(tmp_path / "bureau.sqlite3"))
    import_document(bureau, seed_document(status="submitted"), backup=False)
    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    path = cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "359_2023_退回.bdr").path
    bureau.close()
    fingerprint = cm.open_return(path).fingerprint
    window.open_dataset("359", 2023)
    shown, answers = [], [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, title, text, *_a: shown.append((title, text))
                        or answers.pop(0))
    monkeypatch.setattr(QMessageBox, "warning", lambda *_a: pytest.fail("no warning expected"))
    assert not import_return_gui(window, str(path), report=lambda *_a: None)  # 不一致: nothing happens
    assert store.dataset_info("359", 2023).status == "submitted" and cm.bureau_fingerprint(store) is None
    assert import_return_gui(window, str(path), report=lambda *_a: None)  # 一致
    assert [title for title, _text in shown] == ["核对密钥指纹", "核对密钥指纹"]
    assert fingerprint in shown[0][1] and "纸质材料" in shown[0][1]
    assert window.dataset.status == "draft" and cm.bureau_fingerprint(store) == fingerprint


def test_bad_fingerprint_text_is_refused_in_words(empty_db, tmp_path, capsys):
    path = make_package(tmp_path / "359.bdp", seed_document(status="submitted"))
    code, _out, err = run(capsys, "--db", str(empty_db), "import-package", str(path), "--trust-fingerprint", "xyz")
    assert code != 0 and "格式不对" in err and "Traceback" not in err


def test_bureau_window_asks_to_confirm_a_new_units_fingerprint(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.bureau.window import BureauWindow

    store = Store(str(tmp_path / "b.sqlite3"))
    path = make_package(tmp_path / "a.bdp", seed_document())
    fingerprint = reader.open_package(path).fingerprint
    asked, answers = [], [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, title, text, *_a: asked.append((title, text))
                        or answers.pop(0))
    told = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, title, text, *_a, kind=kind: told.append((kind, text)))
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    try:
        window.import_file(str(path), ask=lambda _preview: True)  # 不一致: nothing imported
        qtbot.waitUntil(lambda: len(asked) == 1, timeout=120000)
        assert asked[0][0] == "核对密钥指纹" and fingerprint in asked[0][1] and "单位 359" in asked[0][1]
        assert store.list_datasets() == [] and trust.trusted_keys(store, "359") == []
        window.import_file(str(path), ask=lambda _preview: True)  # 一致
        qtbot.waitUntil(lambda: window.table.rowCount() == 1, timeout=120000)
        assert [key.fingerprint for key in trust.trusted_keys(store, "359")] == [fingerprint]
        assert all(kind != "warning" for kind, _text in told)
    finally:
        store.close()


def test_bureau_folder_import_confirms_the_new_keys_in_one_dialog(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from ui.bureau.window import BureauWindow

    store = Store(str(tmp_path / "b.sqlite3"))
    folder = tmp_path / "usb"
    folder.mkdir()
    first = make_package(folder / "a.bdp", seed_document())
    second = make_package(folder / "b.bdp", seed_document(code="360", name="第二个单位"))
    fingerprints = {reader.open_package(path).unit_code: reader.open_package(path).fingerprint for path in (first, second)}
    asked, answers = [], [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, title, text, *_a: asked.append((title, text))
                        or answers.pop(0))
    window = BureauWindow(store, 2023)
    qtbot.addWidget(window)
    try:
        window.import_folder(str(folder))  # 不一致: nothing imported, both listed as not imported
        qtbot.waitUntil(lambda: len(asked) == 1, timeout=120000)
        title, text = asked[0]
        assert title == "核对密钥指纹" and "单位 359" in text and "单位 360 第二个单位" in text
        assert all(fingerprint in text for fingerprint in fingerprints.values())
        assert store.list_datasets() == [] and trust.trusted_keys(store) == []
        assert "2 个数据包未导入：未登记密钥 2" in window.folder_import.heading.text()
        window.import_folder(str(folder))  # 一致: both imported with their keys registered
        qtbot.waitUntil(lambda: window.table.rowCount() == 2, timeout=120000)
        qtbot.waitUntil(lambda: "成功 2 个，未导入 0 个" in window.folder_import.heading.text(), timeout=120000)
        assert len(asked) == 2
        assert {key.unit_code: key.fingerprint for key in trust.trusted_keys(store)} == fingerprints
    finally:
        store.close()
