"""Any file name a USB stick can carry (issue 22, item 9): a name that is not UTF-8 (GBK, written by
Windows) is read through surrogate escapes, shown readably, stored readably, and never ends in a traceback;
a GBK-named valid package imports through import-package and import-packages."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from app.base.paths import readable
from app.bureau import standing
from app.store.service import Store
from tests.conftest import run
from tests.test_package import make_package, seed_document

pytestmark = [pytest.mark.usefixtures("key_dir"),
              pytest.mark.skipif(sys.platform == "win32", reason="Windows file names are Unicode")]
GBK_NAME = "融媒体中心_2023_部门预算"


def gbk_path(folder, suffix: str = ".bdp") -> str:
    """The name as Linux hands it over from a FAT stick written by Windows: GBK bytes, surrogate-escaped."""
    os.makedirs(folder, exist_ok=True)
    return os.fsdecode(os.path.join(os.fsencode(folder), (GBK_NAME + suffix).encode("gbk")))


def test_readable_decodes_gbk_and_leaves_unicode_alone():
    assert readable(os.fsdecode((GBK_NAME + ".bdp").encode("gbk"))) == GBK_NAME + ".bdp"
    assert readable("正常的名字.bdp") == "正常的名字.bdp"
    assert "\udc80" not in readable(os.fsdecode(b"\xff\xfe.bdp"))


def test_a_gbk_named_package_imports_with_import_package(tmp_path, capsys):
    source = make_package(tmp_path / "p.bdp", seed_document(status="submitted"))
    named = gbk_path(tmp_path / "usb")
    shutil.copy(source, named)
    db = str(tmp_path / "b.sqlite3")
    code, out, err = run(capsys, "--db", db, "import-package", named)
    assert code == 0 and "Traceback" not in err, err
    code, out, err = run(capsys, "--db", db, "packages", "--unit", "359", "--year", "2023")
    assert code == 0 and GBK_NAME + ".bdp" in out  # stored and shown readably


def test_a_gbk_named_package_imports_with_import_packages(tmp_path, capsys):
    source = make_package(tmp_path / "p.bdp", seed_document(status="submitted"))
    shutil.copy(source, gbk_path(tmp_path / "usb"))
    db = str(tmp_path / "b.sqlite3")
    code, _out, err = run(capsys, "--db", db, "import-packages", str(tmp_path / "usb"))
    assert code == 0 and "成功 1 个" in err and "Traceback" not in err, err
    store = Store(db)
    try:
        assert [row.unit_code for row in standing.overview(store, 2023)] == ["359"]
    finally:
        store.close()


def test_a_bad_gbk_named_file_is_refused_readably(tmp_path, capsys):
    named = gbk_path(tmp_path / "usb")
    with open(named, "wb") as handle:
        handle.write(b"not a zip at all")
    code, _out, err = run(capsys, "--db", str(tmp_path / "b.sqlite3"), "import-package", named)
    assert code == 2 and GBK_NAME in err and "Traceback" not in err and "意外" not in err  # 2: bad input
