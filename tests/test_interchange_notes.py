"""The interchange document carries the 说明 of 提示 and the clerk's wording of 情况说明 sections."""

import json

import pytest
from sqlalchemy import func, select

from app.base.errors import ConflictError, InputError
from app.checks.rules import check_dataset, explanations, set_explanation
from app.exchange.interchange import dumps, export_document, import_document
from app.projects import narrative
from db import models
from tests.conftest import SEED004, explain_all_findings

OTHER_SECTION_TEXT = "我部门本年度无其他需要说明的事项，特此说明。"


def seed_document() -> dict:
    return json.loads(SEED004.read_text(encoding="utf-8"))


def note_count(store) -> int:
    with store.Session() as session:
        return session.scalar(select(func.count()).select_from(models.DatasetNote))


def test_explanations_and_narrative_edits_travel_with_the_data(store, seed_dataset, tmp_path):
    explain_all_findings(seed_dataset, "已核实，见附件。")
    set_explanation(seed_dataset, "P14:智能云广播“二期”建设费|媒资数据库安全防护费", "两个项目同属宣传活动，指标相同。")
    assert narrative.save_text(seed_dataset, "other", OTHER_SECTION_TEXT)
    document = export_document(seed_dataset)
    # every 提示 of seed 004 once its projects have their amounts: 18 P13 (cost against amount), 6 more on its
    # targets and funds, 19 S09 on vague wording
    assert len(document["explanations"]) == 18 + 6 + 19
    assert {"finding": "P14:智能云广播“二期”建设费|媒资数据库安全防护费",
            "text": "两个项目同属宣传活动，指标相同。"} in document["explanations"]
    [edit] = document["narrative"]
    assert edit["section"] == "other" and edit["text"] == OTHER_SECTION_TEXT
    assert edit["based_on"] == "我部门无其他需要说明的事项。"

    # the finance bureau's database: every 提示 arrives with its 说明, so the dataset can be 已上报
    bureau = type(store)(str(tmp_path / "bureau.sqlite3"))
    try:
        received = import_document(bureau, json.loads(dumps(document)))
        assert explanations(received) == explanations(seed_dataset)
        assert all(finding.explanation for finding in check_dataset(received))
        other = next(section for section in narrative.sections(received) if section.key == "other")
        assert other.text == OTHER_SECTION_TEXT and other.edited and not other.outdated
        received.set_status("submitted")
        assert export_document(received)["explanations"] == document["explanations"]
    finally:
        bureau.close()


def test_a_dataset_without_notes_exports_without_the_parts(seed_dataset):
    document = export_document(seed_dataset)
    assert "explanations" not in document and "narrative" not in document


@pytest.mark.parametrize(("part", "items", "message"), [
    ("explanations", [{"finding": "P13:广播电视机构宣传费", "text": "  "}], "说明是空的"),
    ("explanations", [{"finding": "广播电视机构宣传费", "text": "已核实。"}], "不是审核结果的编号"),
    ("explanations", [{"finding": "T09", "text": "甲"}, {"finding": "T09", "text": "乙"}], "出现了两次"),
    ("explanations", [{"finding": "T09", "text": "长" * 2001}], "不能超过 2000 字"),
    ("narrative", [{"section": "foreword", "text": "序言"}], "没有“foreword”这一部分"),
    ("narrative", [{"section": "other", "text": ""}], "文字是空的"),
    ("narrative", [{"section": "other", "text": "x"}, {"section": "other", "text": "y"}], "出现了两次"),
])
def test_bad_notes_refuse_the_whole_file(store, part, items, message):
    document = seed_document()
    document[part] = items
    with pytest.raises(InputError) as refused:
        import_document(store, document)
    assert message in str(refused.value) and "未导入任何数据" in str(refused.value)
    assert store.list_units() == [] and note_count(store) == 0


def test_schema_refuses_notes_of_the_wrong_shape(store):
    document = seed_document()
    document["explanations"] = [{"finding": "T09", "text": "已核实。", "by": "张三"}]
    with pytest.raises(InputError) as refused:
        import_document(store, document)
    assert "数据文件格式有误" in str(refused.value)
    assert note_count(store) == 0


def test_replacing_a_dataset_replaces_its_notes(store, seed_dataset):
    set_explanation(seed_dataset, "T09", "旧说明")
    document = seed_document()
    document["explanations"] = [{"finding": "P02", "text": "新说明"}]
    with pytest.raises(ConflictError):
        import_document(store, document)
    replaced = import_document(store, document, replace=True)
    assert explanations(replaced) == {"P02": "新说明"}
