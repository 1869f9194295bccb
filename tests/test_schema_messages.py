"""Issue 25 item 5: every refusal of the interchange schema is Chinese, names the field by its Chinese
path (项目[2]（名称）.绩效指标[3].指标值) and says what is wrong — never jsonschema's English sentence."""

from __future__ import annotations

import copy
import json
import re

import pytest

from app.base.errors import InputError
from app.exchange.document_schema import schema_problems, schema_validator
from app.exchange.interchange import import_document
from app.exchange.schema_messages import field_label
from app.store.service import Store
from tests.conftest import FIXTURES, SEED004

SEED001 = FIXTURES / "seed001_2020.json"
ENGLISH = re.compile(r"is not|valid|schema|does not|expected|Additional|required property|\bshould\b")


def seed004() -> dict:
    return json.loads(SEED004.read_text(encoding="utf-8"))


def _set(path, value):
    def change(document):
        node = document
        for part in path[:-1]:
            node = node[part]
        if value is KeyError:
            node.pop(path[-1])
        else:
            node[path[-1]] = value
    return change


@pytest.mark.parametrize(("change", "expected"), [
    # type
    (_set(["projects", 1, "indicators", 2, "value"], 5),
     "项目[2]（报纸、广播、电视、客户端稿酬）.绩效指标[3]（稿费计算准确率）.指标值：类型不对：应为文字（带引号的字符串），文件中是整数 5"),
    # pattern (money: exact to the 分, so no more than six decimals of 万元)
    (_set(["projects", 1, "amount"], "80.6530001"),
     "项目[2]（报纸、广播、电视、客户端稿酬）.本年度预算安排数：“80.6530001”格式不对：应为精确到分的金额数字字符串（万元最多 6 位小数，元最多 2 位；不带负号）"),
    (_set(["projects", 1, "amount"], "-80.65"),
     "项目[2]（报纸、广播、电视、客户端稿酬）.本年度预算安排数：“-80.65”格式不对：应为精确到分的金额数字字符串"),
    # pattern (a code)
    (_set(["unit", "code"], "3 5"), "单位信息.单位编码：“3 5”格式不对：应为不含空格的文字"),
    # enum
    (_set(["money_unit"], "千元"), "金额单位：取值“千元”不在允许范围内：应为“万元”、“元”"),
    (_set(["projects", 0, "attribute"], "长期"), "项目[1]（报刊机构合作宣传费）.项目属性：取值“长期”不在允许范围内"),
    # required
    (_set(["procurement", 0, "catalogue_code"], KeyError), "政府采购[1]（新闻服务）：缺少必填项 政府采购目录序号（catalogue_code）"),
    (_set(["unit", "name"], KeyError), "单位信息：缺少必填项 单位名称（name）"),
    # additionalProperties
    (_set(["projects", 0, "indicators", 0, "weight"], "10"),
     "项目[1]（报刊机构合作宣传费）.绩效指标[1]（发布报道数量）：有无法识别的字段（weight）"),
    # minimum / maximum
    (_set(["year"], 1999), "预算年度：数值 1999 太小：不能小于 2000"),
    (_set(["year"], 2101), "预算年度：数值 2101 太大：不能大于 2100"),
    # minLength / maxLength
    (_set(["unit", "name"], ""), "单位信息.单位名称：不能为空"),
    (_set(["projects", 0, "indicators", 0, "unit"], "篇" * 33),
     "项目[1]（报刊机构合作宣传费）.绩效指标[1]（发布报道数量）.计量单位：文字过长：最多 32 个字，现有 33 个字"),
    # minItems / maxItems, and a position inside a fixed-length item
    (_set(["indicator_levels"], [["32", "社会公众满意度指标"]]), "本地指标体系[1]：项数不够：至少 3 项，现有 2 项"),
    (_set(["indicator_levels"], [["3x", "某某指标", "3"]]), "本地指标体系[1].编码：“3x”格式不对：应为1–16 位数字"),
    # a cell value, named by its form, row and column
    (lambda d: d["values"][3].update(value="1.2345678"),
     "表格数值[4]（income_summary 2080506 fiscal_appropriation）.金额：“1.2345678”格式不对：应为精确到分的金额数字字符串（万元最多 6 位小数，元最多 2 位）"),
])
def test_each_kind_of_schema_refusal_names_the_field_in_chinese(change, expected):
    document = seed004()
    change(document)
    problems = schema_problems(document)
    assert expected in "\n".join(problems)
    assert not [problem for problem in problems if ENGLISH.search(problem)]


def test_80_653_in_a_yuan_dataset_is_refused_in_chinese_with_its_place(tmp_path):
    """The seed-001 project 文化产业管理 (80.653) typed into a 元 dataset: the 分 is the last place."""
    document = json.loads(SEED001.read_text(encoding="utf-8"))
    document["money_unit"] = "元"
    document["self_evaluation"]["projects"][0]["budget"] = "80.653"
    store = Store(str(tmp_path / "yuan.sqlite3"))
    try:
        with pytest.raises(InputError) as refused:
            import_document(store, document)
        message = str(refused.value)
        # refused by the schema (amounts to 0.01) or, where the schema takes the 分 of a 万元 amount, by
        # the import's check of a 元 amount: either way in Chinese, naming the field and the figure
        assert "项目年度预算金额" in message and "80.653" in message and "办公设备购置" in message
        assert not ENGLISH.search(message) and "anyOf" not in message
        assert store.list_datasets() == []
    finally:
        store.close()


def test_80_653_in_a_wanyuan_dataset_passes_the_schema_and_enters(tmp_path):
    document = json.loads(SEED001.read_text(encoding="utf-8"))
    assert document["money_unit"] == "万元"
    document["self_evaluation"]["projects"][0]["budget"] = "80.653"
    assert schema_problems(document) == []
    store = Store(str(tmp_path / "wan.sqlite3"))
    try:
        import_document(store, document)
        assert [d.unit_code for d in store.list_datasets()] == [document["unit"]["code"]]
    finally:
        store.close()


def test_one_of_several_forms_says_each_form_accepted():
    """anyOf (a 自评 amount: a decimal string or null for a blank) lists what each form would take."""
    document = json.loads(SEED001.read_text(encoding="utf-8"))
    document["self_evaluation"]["projects"][1]["actual_fund"] = "九十"
    problems = schema_problems(document)
    assert problems == ["绩效自评.项目绩效自评[2]（文博会）.政府性基金：“九十”不符合要求："
                        "应为精确到分的金额数字字符串（万元最多 6 位小数，元最多 2 位；不带负号），或null（空白）"]


def test_a_score_names_its_own_decimals():
    """A 自评得分 (points, two decimals) is described from its own pattern, not as money."""
    document = json.loads(SEED001.read_text(encoding="utf-8"))
    document["self_evaluation"]["department"] = {"groups": [{"name": "投入管理指标", "weight": "30.125", "items": []}]}
    assert schema_problems(document) == ["绩效自评.部门整体支出绩效自评.一级指标[1]（投入管理指标）.权重：“30.125”不符合要求："
                                         "应为最多 2 位小数的不带负号的数字字符串，或null（空白）"]


def test_an_amount_finer_than_the_schema_allows_is_refused_with_its_place():
    document = seed004()
    document["projects"][0]["amount"] = "72.1234567"  # seven decimals: finer than the 分 of 万元
    problems = schema_problems(document)
    assert len(problems) == 1 and not ENGLISH.search(problems[0])
    assert re.fullmatch(r"项目\[1\]（报刊机构合作宣传费）\.本年度预算安排数：“72\.1234567”格式不对：应为精确到分的金额数字字符串（万元最多 6 位小数，元最多 2 位；不带负号）",
                        problems[0]), problems[0]


def test_every_kind_the_validator_reports_on_a_broken_document_is_chinese():
    """Many faults at once (every field of a project, an indicator, a 自评 row given a wrong type):
    whatever kinds of finding jsonschema gives, none reaches the clerk in English."""
    document = seed004()
    project = document["projects"][0]
    for key in list(project):
        project[key] = True
    broken_self = json.loads(SEED001.read_text(encoding="utf-8"))["self_evaluation"]
    for key in list(broken_self["projects"][0]):
        broken_self["projects"][0][key] = [1]
    document["self_evaluation"] = broken_self
    document["assets"] = {"rows": {"vehicles": {"quantity": 3, "value": None}}, "as_of": "2022/12/31"}
    problems = schema_problems(copy.deepcopy(document))
    assert len(problems) >= 15
    for problem in problems:
        assert not ENGLISH.search(problem), problem
        place, _sep, wrong = problem.partition("：")
        assert wrong and not re.search(r"/\d+/", place), problem  # a Chinese path, never projects/0/name


def _schema_field_paths() -> list[list[str]]:
    """Every named property of the schema, as keys without array positions."""
    root = schema_validator().schema
    found: list[list[str]] = []

    def walk(node, keys, depth=0):
        if depth > 12 or not isinstance(node, dict):
            return
        while "$ref" in node:
            node = root["$defs"][node["$ref"].split("/")[-1]]
        for alternative in node.get("anyOf", []) + node.get("oneOf", []):
            walk(alternative, keys, depth + 1)
        for key, child in node.get("properties", {}).items():
            if [*keys, key] not in found:
                found.append([*keys, key])
            walk(child, [*keys, key], depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], keys, depth + 1)
        for position, _item in enumerate(node.get("prefixItems", [])):
            found.append([*keys, str(position)])

    walk(root, [])
    return found


def test_every_field_of_the_schema_has_a_chinese_name():
    paths = _schema_field_paths()
    assert len(paths) > 150
    unnamed = [".".join(keys) for keys in paths if field_label(keys) == keys[-1]]
    assert unnamed == []
    assert all(re.search(r"[\u4e00-\u9fff]", field_label(keys)) for keys in paths)
