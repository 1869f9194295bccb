"""筛查 to xlsx in the core (``app.bureau.screening_excel``): the figures read back as the Decimal amounts,
the columns follow the threshold file, and a failed write leaves nothing."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from app.base.errors import InputError
from app.bureau.screening import default_config_path, load_config, screen
from app.bureau.screening_excel import export_screening
from tests.test_screening import build_department

pytestmark = pytest.mark.usefixtures("key_dir")  # signing keys in a scratch folder (tests/conftest.py)


def _sheet_xml(path, number: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


def test_amounts_are_written_exactly(store, tmp_path):
    build_department(store)
    result = screen(store, 2023)
    target = export_screening(result, tmp_path / "screen.xlsx")
    # An xlsx number is a double: the file holds the double nearest each Decimal, and the shortest text of
    # that double (as the workbook importer reads it back, Decimal(repr(...))) is the amount itself.
    written = {Decimal(repr(float(text))) for text in re.findall(r"<v>([-0-9.E]+)</v>", _sheet_xml(target, 1))}
    growth = [outlier for outlier in result.outliers if outlier.kind == "growth"]
    assert growth
    for outlier in growth:  # 本年 and 上年 (10859.85, 6033.25, 83.79 …)
        assert outlier.value in written and outlier.reference in written
    assert not list(tmp_path.glob("*.part"))


def test_columns_follow_the_threshold_file(store, tmp_path, monkeypatch):
    build_department(store)
    data = json.loads(default_config_path().read_text(encoding="utf-8"))
    data["growth"]["quantities"] = data["growth"]["quantities"][:1]
    data["shares"]["items"] = data["shares"]["items"][:1]
    custom = tmp_path / "screening.json"
    custom.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = screen(store, 2023, config=load_config(custom))
    book = openpyxl.load_workbook(export_screening(result, tmp_path / "one.xlsx"))
    header = [cell.value for cell in book["各单位指标"][3]]
    share = result.config.shares[0].title
    assert header == ["单位编码", "单位名称", "部门", "金额单位", "上年数来源", "收支总计增长", share, f"{share}（同组中位数）"]


def test_a_write_that_fails_is_refused_in_words(store, tmp_path):
    build_department(store)
    result = screen(store, 2023)
    with pytest.raises(InputError, match="无法写入"):
        export_screening(result, tmp_path / "missing" / "screen.xlsx")
    assert not (tmp_path / "missing").exists()
