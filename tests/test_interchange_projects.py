"""The interchange document's projects, overall_targets, procurement and assets parts."""

import copy
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.base.errors import InputError
from app.exchange.interchange import dumps, export_document, import_document
from app.projects import ProjectBook
from app.store.service import Store
from db import models
from tests.conftest import SEED004

FULL_PROJECT = {
    "name": "影视产业发展资金",
    "code": "P2021-001",
    "amount": "242.50",
    "funding": {"local_fiscal": "242.50", "higher_level": "0.00", "other_funds": "0.00"},
    "period_total": "500.00",
    "executed_before": "120.00",
    "function_code": "2070699",
    "attribute": "recurring",
    "period_start": "2021-01-01",
    "period_end": "2021-12-31",
    "competent_department": "区影视产业发展中心",
    "implementing_unit": "区影视产业发展中心",
    "manager": "黄靖",
    "period_goal": "建成影视专家智库",
    "annual_goal": "年度目标：①吸纳5名专家进入新区影视专家智库",
    "indicators": [
        {"level1": "1", "level2": "11", "name": "举办专家智库纳新仪式", "description": "", "comparator": "",
         "value": "1", "unit": "次", "basis": "", "note": "新区影视行业专家库"},
        {"level1": "1", "level2": "13", "name": "项目完成时间", "description": "", "comparator": "定性",
         "value": "2021年12月31日前", "unit": "", "basis": "", "period_value": "2021年12月31日前"},
        {"level1": "3", "level2": "31", "name": "受培训企业满意度", "description": "", "comparator": "≥",
         "value": "95", "unit": "%", "basis": "问卷调查"},
    ],
}


def base_document() -> dict:
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    for key in ("projects", "overall_targets", "procurement", "assets"):
        document.pop(key)
    return document


def count(store, model) -> int:
    with store.Session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_every_project_field_round_trips(store, tmp_path):
    document = base_document()
    document["projects"] = [FULL_PROJECT]
    document["procurement"] = [{"project": FULL_PROJECT["name"], "item_name": "电视服务", "catalogue_code": "C06020200",
                                "measure_unit": "项", "quantity": "2.5", "unit_price": "4.00",
                                "funding": {"general_budget": "6.00", "unit_funds": "4.00"}, "sme_reserved": "10.00"}]
    document["assets"] = {"as_of": "2022-12-31", "rows": {"buildings": {"quantity": "1200.5", "value": "300.00"},
                                                          "office_buildings": {"quantity": "800"}}}
    exported = export_document(import_document(store, document))
    assert exported["projects"] == [FULL_PROJECT]
    assert exported["procurement"] == document["procurement"]
    assert exported["assets"] == document["assets"]
    assert "overall_targets" not in exported
    other = Store(str(tmp_path / "other.sqlite3"))
    assert dumps(export_document(import_document(other, exported))) == dumps(exported)
    other.close()


def test_document_without_projects_exports_without_the_new_parts(store):
    exported = export_document(import_document(store, base_document()))
    assert not {"projects", "overall_targets", "procurement", "assets"} & set(exported)


def test_level_names_import_as_codes(store):
    document = base_document()
    project = copy.deepcopy(FULL_PROJECT)
    project["indicators"][0].update(level1="产出指标", level2="数量指标")
    project["indicators"][2].update(level1="满意度指标", level2="31-服务对象满意度")
    document["projects"] = [project]
    exported = export_document(import_document(store, document))
    assert [(ind["level1"], ind["level2"]) for ind in exported["projects"][0]["indicators"]] == [
        ("1", "11"), ("1", "13"), ("3", "31")]


def test_import_refuses_every_bad_part_and_writes_nothing(store):
    document = base_document()
    bad_level = copy.deepcopy(FULL_PROJECT)
    bad_level["indicators"][0]["level2"] = "21"
    document["projects"] = [bad_level, {"name": "宣传费", "amount": "10.00", "function_code": "2070698",
                                        "indicators": []}, {"name": "宣传费", "indicators": []}]
    document["overall_targets"] = {"goal": "x", "indicators": [{"level1": "", "level2": "", "name": "场次",
                                                                "comparator": "≥", "value": "多"}]}
    document["procurement"] = [{"project": "不存在的项目", "item_name": "新闻服务", "catalogue_code": "C06010000"},
                               {"project": "宣传费", "item_name": "电视服务", "catalogue_code": "C0602",
                                "quantity": "1.00001", "funding": {"general_budget": "1.00"}}]
    document["assets"] = {"rows": {"vehicles": {"quantity": "1.5"}}}
    with pytest.raises(InputError) as error:
        import_document(store, document)
    message = str(error.value)
    assert message.startswith("数据文件有 7 处问题，未导入任何数据：")
    assert ("projects 第 1 项（影视产业发展资金）：第 1 条绩效指标（举办专家智库纳新仪式）："
            "二级指标“经济效益指标”（21）不属于一级指标“产出指标”（1）。") in message
    assert "projects 第 2 项（宣传费）：功能分类科目“2070698”不在支出功能分类科目（2023版）中。" in message
    assert "projects 第 3 项（宣传费）：项目名称与第 2 项重复。" in message
    assert "overall_targets：第 1 条绩效指标（场次）：指标值“多”不是数字" in message
    assert "procurement 第 1 项（新闻服务）：项目来源“不存在的项目”不在 projects 中。" in message
    assert "procurement 第 2 项（电视服务）：数量最多保留 4 位小数（录入的是 1.00001）。" in message
    assert "assets：2、车辆（台、辆）的数量应为整数（录入的是 1.5）。" in message
    assert store.list_datasets() == [] and count(store, models.Project) == 0


@pytest.mark.parametrize(("change", "message"), [
    (lambda doc: doc["projects"][0].update(amount=72),
     "项目[1]（报刊机构合作宣传费）.本年度预算安排数：类型不对：应为文字（带引号的字符串），文件中是整数 72"),
    (lambda doc: doc["projects"][0].update(amount="-72.00"),
     "项目[1]（报刊机构合作宣传费）.本年度预算安排数：“-72.00”格式不对：应为精确到分的金额数字字符串（万元最多 6 位小数，元最多 2 位；不带负号）"),
    (lambda doc: doc["projects"][0].update(period_start="2023/1/1"),
     "项目[1]（报刊机构合作宣传费）.实施周期开始：“2023/1/1”格式不对：应为2023-01-01 这样的日期字符串"),
    (lambda doc: doc["projects"][0].update(budget="1"), "项目[1]（报刊机构合作宣传费）：有无法识别的字段（budget）"),
    (lambda doc: doc["projects"][0]["indicators"][0].update(comparator="≈"),
     "项目[1]（报刊机构合作宣传费）.绩效指标[1]（发布报道数量）.比较符：取值“≈”不在允许范围内：应为空（\"\"）、“≥”"),
    (lambda doc: doc["procurement"][0].pop("catalogue_code"),
     "政府采购[1]（新闻服务）：缺少必填项 政府采购目录序号（catalogue_code）"),
    (lambda doc: doc["assets"]["rows"].update(land={"value": "1.00"}), "固定资产.资产：有无法识别的字段（land）"),
])
def test_schema_refusals(store, change, message):
    document = json.loads(SEED004.read_text(encoding="utf-8"))
    change(document)
    with pytest.raises(InputError) as error:
        import_document(store, document)
    assert str(error.value).startswith("数据文件格式有误，未导入任何数据：")
    assert message in str(error.value)
    assert store.list_datasets() == []


def test_replace_swaps_projects_in_one_go(store, seed_dataset):
    book = ProjectBook(seed_dataset)
    book.delete_project(book.list_projects()[0].id)
    document = base_document()
    document["projects"] = [FULL_PROJECT]
    replaced = import_document(store, document, replace=True)
    assert [p.name for p in ProjectBook(replaced).list_projects()] == ["影视产业发展资金"]
    assert count(store, models.ProcurementItem) == 0 and count(store, models.OverallIndicator) == 0
    assert count(store, models.Project) == 1 and count(store, models.Indicator) == 3


def test_deleting_the_dataset_deletes_its_projects_and_tables(store, seed_dataset):
    store.delete_dataset("359", 2023)
    for model in (models.Project, models.Indicator, models.OverallTarget, models.OverallIndicator,
                  models.ProcurementItem, models.AssetTable, models.AssetRow):
        assert count(store, model) == 0, model.__tablename__


def test_fixture_amounts_are_strings_and_in_canonical_order(seed_dataset):
    exported = export_document(seed_dataset)
    assert [p["name"] for p in exported["projects"]][:3] == ["报刊机构合作宣传费", "报纸、广播、电视、客户端稿酬", "服务外包专项资金"]
    assert exported["procurement"][0]["unit_price"] == "60.00"
    assert sum(Decimal(p["amount"]) for p in exported["projects"] if "amount" in p) == Decimal("268.08")
