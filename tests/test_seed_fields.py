"""The measuring tool (devtools/seed_fields.py) runs on a seed, so its table cannot rot; its field rules."""

from __future__ import annotations

import re

from devtools import seed_fields


def test_fields_are_cells_normalised_and_separators_are_not_fields():
    text = "项目名称\t总计\t财政拨款\n合计\t8,777.20\t8,777.20\n-----------\t-------\n实施周期指标值:  每月 推荐\n"
    assert seed_fields.seed_fields(text) == ["项目名称", "总计", "财政拨款", "合计", "8,777.20", "实施周期指标值:",
                                             "每月", "推荐"]
    assert seed_fields.normalised("实施周期指标值：１００％ （全年）") == "实施周期指标值:100%(全年)"


def test_a_field_is_found_only_printed_whole():
    """A field starts and ends where printed cells or lines do: a figure is not found in a longer figure,
    nor a name inside a longer printed cell (经济效益 in 经济效益指标, 本级财政 in 其中：本级财政)."""
    printed = "资金总额（万元）242.50 其中：本级财政 0.00 年度指标值：\n≥10场 合计 8777.20 经济效益指标"
    fields, missing = seed_fields.compare("242.5\t0\t≥10场\t8777.20\t8,777.20\t其中:本级财政\t经济效益\t本级财政\n",
                                          printed)
    assert fields == ["242.5", "0", "≥10场", "8777.20", "8,777.20", "其中:本级财政", "经济效益", "本级财政"]
    assert missing == ["242.5", "0", "8,777.20", "经济效益", "本级财政"]


def test_a_cell_the_seed_wrapped_is_found_joined_but_figures_never_run_together():
    """Neighbouring seed fields joined are one printed cell (一级 / 绩效指标); a cell a page end divided reads
    as one once the repeated （续） label and the page footer are removed; 1 and 0 are not the printed 10."""
    printed = seed_fields.Printed("单位：万元 预算年度：2023 一级绩效指标 10 吸纳专家进入新区影视专家智库 全年开展\n"
                                  "第 3 页 共 9 页\n年度总体目标（续）\n文化活动")
    assert seed_fields.fields_matching(["预算年度:", "2023", "一级", "绩效指标", "吸纳专家进入新区影视专家智", "库",
                                        "全年开展文化活动"], printed) == (7, 7, [])
    assert seed_fields.fields_matching(["1", "0", "3", "年度总体目标(续)"], printed) == (
        0, 4, ["1", "0", "3", "年度总体目标(续)"])


def test_the_tool_measures_seed_003_with_the_programs_own_print(capsys, tmp_path):
    assert seed_fields.main(["--seed", "003", "--pdf-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| seed | fields matching N of M | fields missing (first 10) |")
    row = next(line for line in out.splitlines() if line.startswith("| 003 "))
    matching, total = map(int, re.search(r"\| (\d+) of (\d+) \|", row).groups())
    assert total > 100 and 0.9 * total <= matching <= total  # the 部门整体自评表 prints nearly all of it
    assert (tmp_path / "seed003.pdf").stat().st_size > 10_000
    assert set(seed_fields.fixtures()) >= {"000", "001", "002", "003", "004"}
