"""The measuring tool (devtools/seed_fields.py) runs on a seed, so its table cannot rot; its field rules."""

from __future__ import annotations

import re

from devtools import seed_fields


def test_fields_are_cells_normalised_and_separators_are_not_fields():
    text = "项目名称\t总计\t财政拨款\n合计\t8,777.20\t8,777.20\n-----------\t-------\n实施周期指标值:  每月 推荐\n"
    assert seed_fields.seed_fields(text) == ["项目名称", "总计", "财政拨款", "合计", "8,777.20", "实施周期指标值:",
                                             "每月", "推荐"]
    assert seed_fields.normalised("实施周期指标值：１００％ （全年）") == "实施周期指标值:100%(全年)"


def test_a_figure_is_found_only_whole():
    printed = "资金总额（万元）242.50 其中：本级财政 0.00 年度指标值：≥10场 合计 8777.20"
    fields, missing = seed_fields.compare("242.5\t0\t≥10场\t8777.20\t8,777.20\t本级财政\n", printed)
    assert fields == ["242.5", "0", "≥10场", "8777.20", "8,777.20", "本级财政"]
    assert missing == ["242.5", "0", "8,777.20"]


def test_the_tool_measures_seed_003_with_the_programs_own_print(capsys, tmp_path):
    assert seed_fields.main(["--seed", "003", "--pdf-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| seed | fields matching N of M | fields missing (first 10) |")
    row = next(line for line in out.splitlines() if line.startswith("| 003 "))
    matching, total = map(int, re.search(r"\| (\d+) of (\d+) \|", row).groups())
    assert total > 100 and 0.9 * total <= matching <= total  # the 部门整体自评表 prints nearly all of it
    assert (tmp_path / "seed003.pdf").stat().st_size > 10_000
    assert set(seed_fields.fixtures()) >= {"000", "001", "002", "003", "004"}
