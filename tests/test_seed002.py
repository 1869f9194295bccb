"""Seed 002 (项目支出绩效目标表（含转移支付项目）, 中共广州市黄埔区委员会宣传部 2023) entered by hand through the
interchange format as published — all 27 projects under their three 资金使用单位, 121 indicators — then
printed and the PDF text compared with the published text field by field.

What the published text itself lost cannot be entered: where a page end cut 知识产权专项资金's last indicator
the text repeats it garbled (“她对社会及展期市米影响…”); 黄埔区创文奖励经费 runs over a page end and the next
page repeats its row as “黄埔区创文补助经费” with the same 150.00 (the 合计 8,777.20 and the 宣传部's 5,805.56
count it once, so it is one project), and the cut lost its third indicator's words after “宣传氛围营造；实施周”
(the next page has indicators 3 and 4 whole) — that next page begins in the middle of a cell, “值: >85分。3、1-产出指标;”,
pieces no print holds whole."""

from __future__ import annotations

import json
from decimal import Decimal

from app.base.jsondoc import read_document
from app.checks.rules import check_dataset
from app.exchange.interchange import import_document
from app.printing.document import build_document
from app.projects import ProjectBook
from app.store.service import Store
from devtools.seed_fields import PUBLISHED, compare, normalised, pdf_text
from tests.conftest import FIXTURES

SEED002 = FIXTURES / "seed002_2023.json"
# Fields of the published text that the page ends garbled (see above): no entry can print them.
GARBLED = ("她对社会及展期市米影响", "宣传氛围营造;实施周", "黄埔区创文补助经费")
PAGE_CUT = ("值:", ">85分。3、1-产出指标;")  # the published text's next page, begun inside a cell (fields whole)


def test_seed002_enters_as_published_and_prints_every_field(tmp_path):
    document = json.loads(SEED002.read_text(encoding="utf-8"))
    assert len(document["projects"]) == 27
    assert sum(len(project["indicators"]) for project in document["projects"]) == 121
    store = Store(str(tmp_path / "seed002.sqlite3"))
    try:
        dataset = import_document(store, read_document(SEED002))
        projects = ProjectBook(dataset).list_projects()
        assert sum((project.amount for project in projects), Decimal(0)) == Decimal("8777.20")
        music = next(project for project in projects if project.name == "文化工作经费").indicators
        assert [(i.comparator, i.value, i.unit) for i in music[:2]] == [("≥", "10", "场"), ("定性", "1个季度内", "")]
        # “1个季度内” entered as 定性 is words: no P12 “是数字…” on it (issue 25)
        assert not [f for f in check_dataset(dataset) if f.rule == "P12" and "1个季度内" in f.message]

        out = tmp_path / "seed002.pdf"
        build_document(dataset, out, forms=["project_targets_summary"])
        printed = pdf_text(out)
    finally:
        store.close()
    fields, missing = compare((PUBLISHED / "seed002.txt").read_text(encoding="utf-8"), printed)
    assert len(fields) > 170
    # amounts over 999 are printed with thousands separators on this form only once the form says so
    # (issue 25 item 3); until then 8,777.20 prints 8777.20 — the figure itself is right
    separated = [field for field in missing if "," in field and field.replace(",", "") in normalised(printed)]
    garbled = [field for field in missing if any(mark in field for mark in GARBLED) or field in PAGE_CUT]
    assert [field for field in missing if field not in separated and field not in garbled] == []
    assert len(garbled) <= 5
    for sentence in ("3、3-满意度指标;31-服务对象满意度;户外音乐季群众满意度;实施周期指标值:调查问卷;年度指标值:100%。",
                     "1、1-产出指标;11-数量指标;户外音乐季活动场次;实施周期指标值:户外音乐季活动场次;年度指标值:≥10场。",
                     "2、1-产出指标;13-时效指标;户外音乐季活动时间;实施周期指标值:户外音乐季活动场次;年度指标值:1个季度内。"):
        assert sentence in normalised(printed)
