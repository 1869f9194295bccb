"""A 退回 file (.bdr) cannot be replayed (issue 22, item 4): it carries an id and the package it answers;
the clerk's program applies each id once, and refuses one written before the budget's last 上报."""

from __future__ import annotations

import shutil

import pytest

from app.base.errors import ConflictError
from app.bureau import comments as cm
from app.exchange.interchange import import_document
from app.store.service import Store
from tests.conftest import explain_all_findings
from tests.test_package import seed_document

pytestmark = pytest.mark.usefixtures("key_dir")


@pytest.fixture
def clerk_and_bureau(tmp_path):
    bureau = Store(str(tmp_path / "bureau.sqlite3"))
    clerk = Store(str(tmp_path / "clerk.sqlite3"))
    import_document(bureau, seed_document(status="submitted"), backup=False)
    import_document(clerk, seed_document(), backup=False)
    dataset = clerk.open_dataset("359", 2023)
    explain_all_findings(dataset)
    dataset.set_status("submitted")
    yield clerk, bureau
    clerk.close()
    bureau.close()


def resubmit(clerk):
    dataset = clerk.open_dataset("359", 2023)
    if dataset.status == "submitted":
        dataset.set_status("draft", reason="自行修改")
    dataset.set_status("submitted")


def test_the_same_return_file_is_applied_once(clerk_and_bureau, tmp_path):
    clerk, bureau = clerk_and_bureau
    path = cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "359_2023_退回.bdr").path
    assert cm.import_return(clerk, path).status_changed
    resubmit(clerk)  # the clerk corrects and 上报 again
    copy = shutil.copy(path, tmp_path / "副本.bdr")
    for replay in (path, copy):
        with pytest.raises(ConflictError, match="已于 .* 导入过.*不能再次导入"):
            cm.import_return(clerk, replay)
    assert clerk.dataset_info("359", 2023).status == "submitted"  # not un-submitted again


def test_a_return_older_than_the_last_submission_is_refused(clerk_and_bureau, tmp_path):
    clerk, bureau = clerk_and_bureau
    old = cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "old.bdr").path
    resubmit(clerk)  # 上报 again after the bureau wrote that file
    with pytest.raises(ConflictError, match="早于本单位最近一次上报"):
        cm.import_return(clerk, old)
    assert clerk.dataset_info("359", 2023).status == "submitted"
    fresh = cm.write_return(bureau, "359", 2023, "请再修改", tmp_path / "fresh.bdr").path
    assert cm.import_return(clerk, fresh).status_changed  # a new file answering the new 上报 goes in


def test_the_file_names_its_id_and_the_package_it_answers(clerk_and_bureau, tmp_path):
    _clerk, bureau = clerk_and_bureau
    first = cm.open_return(cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "a.bdr").path)
    second = cm.open_return(cm.write_return(bureau, "359", 2023, "请修改", tmp_path / "b.bdr").path)
    assert first.payload["id"] != second.payload["id"] and len(first.payload["id"]) == 32
    assert "package_sha256" in first.payload
