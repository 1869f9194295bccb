import json

import pytest

from app.base.errors import InputError
from app.base.paths import resource
from app.domain.codes import (
    CODE_LENGTHS,
    default_shipped_table,
    shipped_editions,
    simple_list,
    validate_items,
)

SEED004_FUNCTION = {
    "207": "文化旅游体育与传媒支出", "20706": "新闻出版电影", "2070699": "其他新闻出版电影支出",
    "208": "社会保障和就业支出", "20805": "行政事业单位养老支出", "2080502": "事业单位离退休",
    "2080505": "机关事业单位基本养老保险缴费支出", "2080506": "机关事业单位职业年金缴费支出",
    "210": "卫生健康支出", "21011": "行政事业单位医疗", "2101102": "事业单位医疗", "2101103": "公务员医疗补助",
    "221": "住房保障支出", "22102": "住房改革支出", "2210201": "住房公积金",
}
SEED004_ECONOMIC = {
    "301": "工资福利支出", "30101": "基本工资", "30102": "津贴补贴", "30103": "奖金", "30107": "绩效工资",
    "30108": "机关事业单位基本养老保险缴费", "30109": "职业年金缴费", "30110": "职工基本医疗保险缴费",
    "30111": "公务员医疗补助缴费", "30112": "其他社会保障缴费", "30113": "住房公积金", "302": "商品和服务支出",
    "30201": "办公费", "30202": "印刷费", "30207": "邮电费", "30211": "差旅费", "30213": "维修（护）费",
    "30216": "培训费", "30217": "公务接待费", "30226": "劳务费", "30228": "工会经费", "30229": "福利费",
    "30231": "公务用车运行维护费", "30299": "其他商品和服务支出", "303": "对个人和家庭的补助",
    "30302": "退休费", "30399": "其他对个人和家庭的补助",
}


@pytest.mark.parametrize("kind", ["function", "economic"])
def test_shipped_code_files_are_structurally_sound(kind):
    assert shipped_editions(kind), f"no shipped {kind} edition"
    for edition in shipped_editions(kind):
        data = json.loads(resource("codes", f"{kind}_{edition}.json").read_text(encoding="utf-8"))
        assert data["kind"] == kind and data["edition"] == edition
        rows = [(item[0], item[1], item[2] if len(item) > 2 else None) for item in data["items"]]
        assert validate_items(kind, rows) == []
        codes = [row[0] for row in rows]
        assert len(codes) == len(set(codes)), "duplicate codes"
        for code, name, _attr in rows:
            assert name.strip() == name and name
            assert len(code) in CODE_LENGTHS[kind]
            if len(code) > 3:
                assert code[:-2] in codes, f"{code} has no parent"


def test_function_codes_cover_county_classes_and_seed004():
    table = default_shipped_table("function", 2023)
    classes = {item.code for item in table.classes()}
    for code in ("201", "204", "205", "206", "207", "208", "210", "211", "212", "213", "214", "220", "221", "224", "229"):
        assert code in classes
        assert table.children.get(code), f"类 {code} has no 款"
        assert any(table.children.get(kuan) for kuan in table.children[code]), f"类 {code} has no 项"
    for code, name in SEED004_FUNCTION.items():
        assert table.name(code) == name


def test_economic_codes_are_complete_and_classed():
    table = default_shipped_table("economic", 2023)
    for code, name in SEED004_ECONOMIC.items():
        assert table.name(code) == name
    for code in ("301", "302", "303", "307", "309", "310", "399"):
        assert code in table
    assert table.get("30101").attribute == "personnel"
    assert table.get("30302").attribute == "personnel"
    assert table.get("30217").attribute == "public"


def test_indicator_levels_and_lists():
    levels = {item[0]: (item[1], item[2]) for item in simple_list("indicator_levels")}
    assert levels["1"][0] == "产出指标" and levels["11"] == ("数量指标", "1")
    assert levels["14"][1] == "1" and levels["24"][1] == "2" and levels["31"][1] == "3"
    assert {"2", "3", "12", "13", "21", "22", "23"} <= set(levels)
    assert len(simple_list("income_sources")) == 7
    assert len(simple_list("fund_types")) == 3


def test_validation_reports_problems_in_chinese():
    problems = validate_items("function", [("201", "一般公共服务支出", None), ("20101", "", None),
                                           ("2019901", "孤儿", None), ("201", "重复", None), ("20x", "坏", None)])
    text = "\n".join(problems)
    assert "缺少科目名称" in text and "上级科目 20199 不存在" in text and "重复" in text and "数字" in text


def test_code_import_from_csv_and_xlsx(store, tmp_path):
    from openpyxl import Workbook

    from app.exchange.codes_io import read_code_file

    csv_path = tmp_path / "f2024.csv"
    csv_path.write_text("编码,名称\n201,一般公共服务支出\n20101,人大事务\n2010101,行政运行\n", encoding="utf-8")
    table = store.import_code_edition("function", "2024", read_code_file(csv_path, "function"))
    assert len(table.items) == 3
    assert store.code_tables(2024)["function"].edition == "2024"
    assert store.code_tables(2023)["function"].edition == "2023"

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["科目编码", "科目名称"])
    sheet.append([301, "工资福利支出"])
    sheet.append([30101, "基本工资"])
    xlsx_path = tmp_path / "e2025.xlsx"
    workbook.save(xlsx_path)
    table = store.import_code_edition("economic", "2025", read_code_file(xlsx_path, "economic"))
    assert table.get("30101").attribute == "personnel"  # classification kept from the shipped list


def test_bad_code_file_changes_nothing(store, tmp_path):
    from app.exchange.codes_io import read_code_file

    bad = tmp_path / "bad.csv"
    bad.write_text("编码,名称\n201,一般公共服务支出\n2019999,没有上级\n", encoding="utf-8")
    with pytest.raises(InputError, match="上级科目 20199 不存在"):
        store.import_code_edition("function", "2024", read_code_file(bad, "function"))
    assert store.code_tables(2024)["function"].edition == "2023"
    pdf = tmp_path / "x.pdf"
    pdf.write_text("x")
    with pytest.raises(InputError, match="不支持的文件类型"):
        read_code_file(pdf, "function")
