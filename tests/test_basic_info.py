"""基础信息 (人员, 车辆): stored per dataset through the door (audited, refused when 已上报), carried in the
interchange document (optional, so older files still import), no identity numbers, and the migration."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text

from app.base.errors import InputError, LockedError
from app.basic.book import BasicInfoBook
from app.basic.records import BasicInfo, StaffMember, Vehicle, basic_info_from_json, check_staff
from app.exchange.interchange import export_document, import_document
from app.store.audit import history
from db.engine import make_engine, run_alembic

TEN_STAFF = [StaffMember("在职事业", name=f"职工{i}", basic_pay=Decimal("5000.00")) for i in range(10)]


def test_staff_and_vehicles_are_written_through_the_door_and_audited(store, seed_dataset):
    book = BasicInfoBook(seed_dataset)
    changes = book.replace(BasicInfo(TEN_STAFF[:2], [Vehicle("一般公务用车", plate="冀C12345")]))
    assert changes.basic
    assert book.content() == BasicInfo(TEN_STAFF[:2], [Vehicle("一般公务用车", plate="冀C12345")])
    book.replace_staff([StaffMember("退休", basic_pay=Decimal("4321.05"))])
    assert book.content().staff == [StaffMember("退休", basic_pay=Decimal("4321.05"))]
    assert book.content().vehicles == [Vehicle("一般公务用车", plate="冀C12345")]  # kept
    places = [(r.place, r.old, r.new) for r in history(store, "359", 2023) if r.form in ("staff", "vehicles")]
    assert ("基础信息 / 人员 / 第 2 行", "职工1 在职事业 基本工资 5000.00 元/月 津贴补贴 0.00 元/月 奖金或绩效 0.00 元/年",
            None) in places  # the second person went
    assert any(place == "基础信息 / 车辆 / 第 1 行" and new and "冀C12345" in new for place, _old, new in places)
    assert any(new and "退休" in new and "4321.05" in new for _place, _old, new in places)


def test_a_submitted_dataset_refuses_a_roster_change(store, seed_dataset):
    from tests.conftest import explain_all_findings

    explain_all_findings(seed_dataset)
    seed_dataset.set_status("submitted")
    with pytest.raises(LockedError, match="已上报"):
        BasicInfoBook(seed_dataset).replace_staff(TEN_STAFF)
    assert BasicInfoBook(seed_dataset).content().is_empty()


def test_pay_is_exact_and_bad_values_are_named():
    assert check_staff({"category": "在职行政", "basic_pay": "5,000.50元"}).basic_pay == Decimal("5000.50")
    with pytest.raises(InputError, match="人员类别"):
        check_staff({"category": "临时工"})
    with pytest.raises(InputError, match="基本工资.*两位小数"):
        check_staff({"category": "在职行政", "basic_pay": "5000.555"})
    with pytest.raises(InputError, match="津贴补贴"):
        check_staff({"category": "在职行政", "allowance": "-3"})


def test_an_identity_number_is_refused_with_a_chinese_message():
    with pytest.raises(InputError, match="身份证.*不需要也不保存"):
        basic_info_from_json({"staff": [{"category": "在职行政", "身份证号": "130302199001011234"}]})


def test_the_interchange_carries_basic_info_and_old_files_still_import(store, seed_dataset):
    BasicInfoBook(seed_dataset).replace(BasicInfo(TEN_STAFF[:3], [Vehicle("执法执勤用车", False, 2018)]))
    document = export_document(seed_dataset)
    assert document["basic_info"]["staff"][0] == {"category": "在职事业", "name": "职工0", "staffing": "",
                                                  "grade": "", "basic_pay": "5000.00", "allowance": "0.00",
                                                  "bonus": "0.00"}
    assert document["basic_info"]["vehicles"] == [{"purpose": "执法执勤用车", "in_establishment": False,
                                                   "purchase_year": 2018, "plate": ""}]
    copied = import_document(store, json.loads(json.dumps({**document, "unit": {**document["unit"], "code": "901"}})))
    assert BasicInfoBook(copied).content() == BasicInfo(TEN_STAFF[:3], [Vehicle("执法执勤用车", False, 2018)])
    old = {key: value for key, value in document.items() if key != "basic_info"}
    older = import_document(store, {**old, "unit": {**old["unit"], "code": "902"}})
    assert BasicInfoBook(older).content().is_empty()


def test_a_document_with_a_bad_person_imports_nothing(store, seed_dataset):
    document = export_document(seed_dataset)
    document["unit"] = {**document["unit"], "code": "903"}
    document["basic_info"] = {"staff": [{"category": "在职行政", "basic_pay": "5000.123"}], "vehicles": []}
    with pytest.raises(InputError, match=r"基础信息\.人员\[1\]\.基本工资（元/月）：“5000\.123”格式不对：应为以元为单位、最多 2 位小数"):
        import_document(store, document)
    assert "903" not in [unit.code for unit in store.list_units()]


def test_migration_0013_adds_and_removes_the_tables(tmp_path):
    engine = make_engine(str(tmp_path / "m.sqlite3"))
    run_alembic(engine, "upgrade", "0012_amount_millionths")
    assert "staff_member" not in inspect(engine).get_table_names()
    run_alembic(engine, "upgrade", "0013")
    assert {"staff_member", "vehicle"} <= set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO unit (id, code, name, nature, rank, funding_form, competent_department, "
                                "head, finance_head, preparer, phone) VALUES (1, '1', '单位', '', '', '', '', '', '', '', '')"))
        connection.execute(text("INSERT INTO dataset (id, unit_id, year, money_unit, status, version, token) "
                                "VALUES (1, 1, 2025, '万元', 'draft', 0, 'x')"))
        connection.execute(text("INSERT INTO staff_member (dataset_id, position, name, category, staffing, grade, "
                                "basic_pay_fen, allowance_fen, bonus_fen) VALUES (1, 0, '', '退休', '', '', 432105, 0, 0)"))
    run_alembic(engine, "downgrade", "0012_amount_millionths")
    assert "staff_member" not in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.skipif(not __import__("os").environ.get("BUDGETDESK_TEST_POSTGRES_URL"),
                    reason="BUDGETDESK_TEST_POSTGRES_URL not set")
def test_basic_info_on_postgres():
    import os

    from app.exchange.interchange import import_file
    from app.store.service import Store
    from db.models import Base
    from tests.conftest import SEED004

    store = Store(os.environ["BUDGETDESK_TEST_POSTGRES_URL"])
    try:
        dataset = import_file(store, SEED004)
        BasicInfoBook(dataset).replace(BasicInfo(TEN_STAFF, [Vehicle("一般公务用车")]))
        reopened = store.open_dataset("359", 2023)
        assert BasicInfoBook(reopened).content() == BasicInfo(TEN_STAFF, [Vehicle("一般公务用车")])
    finally:
        with store.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        store.close()


def test_a_package_carries_basic_info_into_the_bureau(store, seed_dataset, bureau, key_dir, tmp_path):
    from app.bureau import intake
    from app.exchange.package import writer

    BasicInfoBook(seed_dataset).replace(BasicInfo(TEN_STAFF[:4], [Vehicle("一般公务用车"), Vehicle("其他用车", False)]))
    target = tmp_path / "359.bdp"
    writer.export_package(seed_dataset, target)
    intake.import_package(bureau, target)
    received = BasicInfoBook(bureau.open_dataset("359", 2023)).content()
    assert received == BasicInfo(TEN_STAFF[:4], [Vehicle("一般公务用车"), Vehicle("其他用车", False)])


def test_the_bureaus_screening_compares_per_head_figures(store, seed_dataset):
    from app.bureau.screening import screen

    document = export_document(seed_dataset)
    datasets = [seed_dataset] + [import_document(store, {**document, "unit": {**document["unit"], "code": code,
                                                                                "name": f"单位{code}"}})
                                 for code in ("801", "802", "803")]
    for dataset, heads in zip(datasets, (10, 10, 10, 2), strict=True):
        BasicInfoBook(dataset).replace_staff(TEN_STAFF[:heads])
    result = screen(store, 2023, peers="all")
    per_head = [o for o in result.outliers if o.kind == "per_head"]
    assert {(o.unit_code, o.measure) for o in per_head} == {("803", "personnel_per_head"), ("803", "public_per_head")}
    personnel = next(o for o in per_head if o.measure == "personnel_per_head")
    # the same 人员经费 over 2 heads against over 10: five times the median
    assert personnel.value == 5 * personnel.reference
    assert personnel.deviation_text == "+400.0%" and "元/人" in personnel.value_text
    assert "人均人员经费" in personnel.note


def test_the_next_year_starts_with_the_same_roster(store, seed_dataset):
    from app.exchange.year_cycle import new_year

    BasicInfoBook(seed_dataset).replace(BasicInfo(TEN_STAFF[:2], [Vehicle("一般公务用车", plate="冀C1")]))
    new_year(store, "359", 2023, 2024)
    assert BasicInfoBook(store.open_dataset("359", 2024)).content() == BasicInfo(
        TEN_STAFF[:2], [Vehicle("一般公务用车", plate="冀C1")])


def test_a_document_carrying_an_identity_number_is_refused_plainly(store, seed_dataset):
    BasicInfoBook(seed_dataset).replace(BasicInfo(TEN_STAFF[:1], []))
    document = export_document(seed_dataset)
    document["unit"] = {**document["unit"], "code": "904"}
    document["basic_info"]["staff"][0]["身份证号"] = "130302199001011234"
    with pytest.raises(InputError, match="人员第 1 项.*身份证.*不需要也不保存"):
        import_document(store, document)
    assert "904" not in [unit.code for unit in store.list_units()]
