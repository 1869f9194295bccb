"""人员 / 车辆 from Excel: the template, the clerk's own pay sheet, every unreadable cell named and nothing
written on error, identity numbers refused."""

from decimal import Decimal

import openpyxl

from app.basic.book import BasicInfoBook
from app.basic.records import StaffMember, Vehicle
from app.store.service import Store
from tests.conftest import dump, run


def _content(db):
    store = Store(str(db))
    try:
        return BasicInfoBook(store.open_dataset("359", 2023)).content()
    finally:
        store.close()


def test_the_template_filled_in_imports_staff_and_vehicles(seeded_db, capsys, tmp_path):
    template = tmp_path / "模板.xlsx"
    code, _out, err = run(capsys, "staff", "template", "--out", str(template))
    assert code == 0, err
    book = openpyxl.load_workbook(template)
    assert [cell.value for cell in book["人员"][1]][:7] == [
        "姓名", "人员类别", "编制类型", "职务或岗位等级", "基本工资（元/月）", "津贴补贴（元/月）", "奖金或绩效工资（元/年）"]
    book["人员"].append(["张三", "在职行政", "行政编制", "科员", 5000, "1,200.50", 24000])
    book["人员"].append(["李四", "退休", "", "", "4000.10", None, None])
    book["车辆"].append(["一般公务用车", "是", 2018, "冀C12345"])
    book.save(template)
    for command in ("staff", "vehicles"):
        code, _out, err = run(capsys, "--db", str(seeded_db), command, "import", str(template), "--unit", "359",
                              "--year", "2023")
        assert code == 0, err
    content = _content(seeded_db)
    assert content.staff == [
        StaffMember("在职行政", "张三", "行政编制", "科员", Decimal("5000.00"), Decimal("1200.50"), Decimal("24000.00")),
        StaffMember("退休", "李四", basic_pay=Decimal("4000.10"))]
    assert content.vehicles == [Vehicle("一般公务用车", True, 2018, "冀C12345")]


def test_a_pay_sheet_with_bad_cells_is_refused_naming_each_and_nothing_is_written(seeded_db, capsys, tmp_path):
    path = tmp_path / "工资表.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2023工资"
    sheet.append(["某单位 2023 年工资发放表"])
    sheet.append(["序号", "姓名", "人员类别", "基本工资", "津贴补贴", "绩效工资", "备注"])
    sheet.append([1, "王五", "在职事业", 5000, 800, 30000, ""])
    sheet.append([2, "赵六", "在职事业", "五千", 800, 30000, ""])
    sheet.append([3, "钱七", "临时", 3000, 0, 0, ""])
    book.save(path)
    before = dump(seeded_db)
    code, _out, err = run(capsys, "--db", str(seeded_db), "staff", "import", str(path), "--unit", "359",
                          "--year", "2023")
    assert code != 0 and "Traceback" not in err
    assert "工作表“2023工资”第 4 行第 D 列（基本工资（元/月））" in err
    assert "工作表“2023工资”第 5 行第 C 列（人员类别）" in err
    assert "未导入任何数据" in err
    assert dump(seeded_db) == before


def test_a_pay_sheet_in_its_own_words_is_read(seeded_db, capsys, tmp_path):
    path = tmp_path / "工资表.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "类别", "基本工资(元)", "津贴", "奖金"])
    sheet.append([1, "王五", "在职参公", 5000, 800, 12000])
    book.save(path)
    code, _out, err = run(capsys, "--db", str(seeded_db), "staff", "import", str(path), "--unit", "359",
                          "--year", "2023")
    assert code == 0, err
    assert _content(seeded_db).staff == [StaffMember("在职参公", "王五", basic_pay=Decimal("5000.00"),
                                                     allowance=Decimal("800.00"), bonus=Decimal("12000.00"))]


def test_an_identity_number_column_is_refused(seeded_db, capsys, tmp_path):
    path = tmp_path / "工资表.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "人员类别", "基本工资"])
    book.active.append(["王五", "130302199001011234", "在职行政", 5000])
    book.save(path)
    before = dump(seeded_db)
    code, _out, err = run(capsys, "--db", str(seeded_db), "staff", "import", str(path), "--unit", "359",
                          "--year", "2023")
    assert code != 0 and "身份证号" in err and "不需要也不保存" in err
    assert dump(seeded_db) == before


def test_a_roster_import_brings_the_estimate_in_again_when_the_dataset_follows_it(seeded_db, capsys, tmp_path):
    from app.basic.estimate import FOLLOW_NOTE

    store = Store(str(seeded_db))
    try:
        store.open_dataset("359", 2023).set_note(FOLLOW_NOTE, "1", source="保持跟随")
    finally:
        store.close()
    path = tmp_path / "工资表.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["人员类别", "基本工资"])
    for _ in range(10):
        book.active.append(["在职行政", 5000])
    book.save(path)
    code, _out, err = run(capsys, "--db", str(seeded_db), "staff", "import", str(path), "--unit", "359",
                          "--year", "2023")
    assert code == 0 and "保持跟随" in err, err
    store = Store(str(seeded_db))
    try:
        assert store.open_dataset("359", 2023).value("general_budget_basic_expenditure", "30101",
                                                     "personnel") == Decimal("60.00")
    finally:
        store.close()
