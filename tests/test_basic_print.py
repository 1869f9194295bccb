"""人员情况表, 车辆情况表 (counts by 类别; names only when asked) and the 基本支出测算表, read back from the PDF."""

from decimal import Decimal

import pypdfium2

from app.basic.book import BasicInfoBook
from app.basic.records import BasicInfo, StaffMember, Vehicle
from tests.conftest import run


def _pages(path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def test_the_worksheets_print_counts_the_estimate_and_names_only_when_asked(store, seed_dataset, db_path, capsys,
                                                                             tmp_path):
    staff = [StaffMember("在职事业", name=f"职工{i}", basic_pay=Decimal("5000")) for i in range(10)]
    staff.append(StaffMember("退休", name="老王", basic_pay=Decimal("4200.50")))
    BasicInfoBook(seed_dataset).replace(BasicInfo(staff, [Vehicle("一般公务用车", plate="冀C12345"),
                                                          Vehicle("一般公务用车")]))
    out = tmp_path / "basic.pdf"
    code, _out, err = run(capsys, "--db", str(db_path), "basic-print", "--unit", "359", "--year", "2023",
                          "--out", str(out))
    assert code == 0, err
    text = "\n".join(_pages(out))
    assert "2023 年度人员情况表" in text and "2023 年度车辆情况表" in text and "2023 年度基本支出测算表" in text
    assert "在职事业" in text and "50,000.00" in text  # 10 × 5,000 a month, counted by 类别
    assert "职工3" not in text and "冀C12345" not in text  # no names unless asked
    assert "在职事业基本工资：10 人 × 5,000 元 × 12 月" in text
    assert "示例，请以财政局文件为准" in text
    assert "350.01" in text  # the typed 基本支出表 figure beside the 测算
    named = tmp_path / "named.pdf"
    code, _out, err = run(capsys, "--db", str(db_path), "basic-print", "--unit", "359", "--year", "2023",
                          "--out", str(named), "--names")
    assert code == 0, err
    named_text = "\n".join(_pages(named))
    assert "职工3" in named_text and "冀C12345" in named_text and "人员名单" in named_text
