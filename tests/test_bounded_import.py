"""Bounded input through the data file import: every case of issue 11 item 7 is refused with a Chinese
message, exit code 2, no traceback, and the database unchanged (a dump of every row compared)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.base.errors import InputError
from app.domain.records import UnitInfo
from tests.conftest import SEED004, dump, run

ROOT = Path(__file__).resolve().parent.parent



def seed_text() -> str:
    return SEED004.read_text(encoding="utf-8")


def seed_with(change) -> str:
    document = json.loads(seed_text())
    change(document)
    return json.dumps(document, ensure_ascii=False)


def _deep(depth: int) -> str:
    return '{"format": "budgetdesk.dataset", "x": ' + "[" * depth + "]" * depth + "}"


# (file text or bytes, words the message must contain)
BAD_FILES = {
    "2,000-deep nesting": (_deep(2000), "嵌套超过 32 层"),
    "40-deep nesting": (_deep(40), "嵌套超过 32 层"),
    "lone surrogate escape in the unit name": (
        seed_text().replace('"秦皇岛经济技术开发区融媒体中心"', '"秦皇岛\\udc00"', 1), "unit/name"),
    "lone surrogate escape in a key": (seed_text().replace('"year"', '"y\\ud800"', 1), "不成对的代理码位"),
    "invalid UTF-8": (b'{"format": "budgetdesk.dataset", "unit": "\xff\xfe"}', "不是 UTF-8"),
    "encoded surrogate (CESU) bytes": (b'{"format": "\xed\xb0\x80"}', "不是 UTF-8"),
    "duplicate key": (seed_text().replace('"year": 2023', '"year": 2023, "year": 2024', 1), "键“year”出现了两次"),
    "duplicate key inside the unit": (seed_text().replace('"code": "359"', '"code": "359", "code": "360"', 1),
                                      "键“code”出现了两次"),
    "format_version 1.0": (seed_text().replace('"format_version": 1', '"format_version": 1.0', 1),
                           "format_version 的类型不对：应为整数 1，文件中是小数"),
    "format_version \"1\"": (seed_with(lambda d: d.update(format_version="1")),
                             "format_version 的类型不对：应为整数 1，文件中是字符串 \"1\""),
    "format_version true": (seed_with(lambda d: d.update(format_version=True)), "文件中是布尔值 true"),
    "format_version missing": (seed_with(lambda d: d.pop("format_version")), "缺少 format_version"),
    "format_version 2": (seed_with(lambda d: d.update(format_version=2)), "不支持的数据格式版本 2"),
    "zero-width space in the unit code": (seed_with(lambda d: d["unit"].update(code="359\u200b")),
                                          "单位编码“359<U+200B>”的第 4 个字符是零宽空格"),
    "right-to-left override in the unit code": (seed_with(lambda d: d["unit"].update(code="\u202e953")),
                                                "从右至左覆盖符（U+202E）"),
    "NUL in the unit name": (seed_with(lambda d: d["unit"].update(name="秦皇岛\x00融媒体中心")), "空字符 NUL"),
    "control character in the preparer": (seed_with(lambda d: d["unit"].update(preparer="张\x07三")), "填表人"),
    "overlong head": (seed_with(lambda d: d["unit"].update(head="张" * 51)), "单位负责人过长：最多 50 个字"),
    "overlong unit name (schema)": (seed_with(lambda d: d["unit"].update(name="名" * 201)), "最多 200 个字，现有 201 个字"),
    "bidi isolate in a project name": (seed_with(lambda d: d["projects"][0].update(name="报刊\u2067宣传费")),
                                       "项目名称“报刊<U+2067>宣传费”"),
    "zero-width joiner in an indicator": (
        seed_with(lambda d: d["projects"][0]["indicators"][0].update(description="刊发\u200d报道")), "指标描述"),
    "overlong annual goal": (seed_with(lambda d: d["projects"][0].update(annual_goal="目" * 5001)), "年度绩效目标过长"),
    "full-width space in a project code": (seed_with(lambda d: d["projects"][0].update(code="12\u3000 3")), "项目编码"),
    "NUL in a procurement item": (seed_with(lambda d: d["procurement"][0].update(item_name="新闻\x00服务")), "采购物品名称"),
    "BOM inside the overall goal": (seed_with(lambda d: d["overall_targets"].update(goal="加强\ufeff合作")), "总体绩效目标"),
    "NUL in a value's row": (seed_with(lambda d: d["values"][0].update(row="2070699\x00")), "values 第 1 项"),
    "NaN": ('{"format": NaN}', "NaN"),
    "Infinity": ('{"format": "budgetdesk.dataset", "year": -Infinity}', "Infinity"),
    "integer of 5,000 digits": ('{"format": "budgetdesk.dataset", "year": ' + "9" * 5000 + "}", "位数过多"),
    "not JSON at all": (b"\x89PNG\r\n\x1a\n", "以字节 0x89 开始"),
    "truncated JSON": (seed_text()[:500], "不是有效的 JSON"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_data_files_are_refused_with_exit_2_and_change_nothing(capsys, tmp_path, seeded_db, case):
    content, words = BAD_FILES[case]
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = dump(seeded_db)
    code, _, err = run(capsys, "--db", str(seeded_db), "import-json", str(path), "--replace")
    assert code == 2, err
    assert err.startswith("错误：") and words in err, err
    assert "Traceback" not in err and "\u202e" not in err and "\x00" not in err
    assert dump(seeded_db) == before


def test_format_version_1_as_a_string_does_not_claim_the_same_version(capsys, tmp_path, seeded_db):
    path = tmp_path / "v.json"
    path.write_text(BAD_FILES['format_version "1"'][0], encoding="utf-8")
    _, _, err = run(capsys, "--db", str(seeded_db), "import-json", str(path))
    assert "不支持的数据格式版本 1，本软件支持版本 1" not in err


def test_full_width_unit_code_is_the_existing_unit(capsys, tmp_path, seeded_db):
    path = tmp_path / "fw.json"
    path.write_text(seed_with(lambda d: d["unit"].update(code="３５９")), encoding="utf-8")
    code, _, err = run(capsys, "--db", str(seeded_db), "import-json", str(path))
    assert code == 1 and "单位 359" in err and "已存在" in err  # the same unit and year, not a new unit
    assert run(capsys, "--db", str(seeded_db), "import-json", str(path), "--replace")[0] == 0
    _, out, _ = run(capsys, "--db", str(seeded_db), "units", "--json")
    assert [entry["unit"] for entry in json.loads(out)] == ["359"]


def test_full_width_codes_in_rows_values_and_projects_are_normalised(store):
    from app.exchange.interchange import import_document

    document = json.loads(seed_text())
    document["values"][0]["row"] = "".join(chr(ord(c) + 0xFEE0) for c in document["values"][0]["row"])
    document["projects"][0]["function_code"] = "２０７０６９９"
    dataset = import_document(store, document)
    from app.projects import ProjectBook

    assert ProjectBook(dataset).content().projects[0].function_code == "2070699"
    assert dataset.entered_values() == import_document(store, json.loads(seed_text()), replace=True).entered_values()


def test_too_large_a_file_is_refused_by_the_bound_not_by_stat(capsys, tmp_path, seeded_db, monkeypatch):
    import app.base.jsondoc

    monkeypatch.setattr(app.base.jsondoc, "MAX_DOCUMENT_BYTES", 64 * 1024)
    path = tmp_path / "big.json"
    path.write_text("{" + " " * 70000 + "}", encoding="utf-8")
    before = dump(seeded_db)
    code, _, err = run(capsys, "--db", str(seeded_db), "import-json", str(path))
    assert code == 2 and "超过 64 KB" in err and "不是 BudgetDesk 数据文件" in err
    assert dump(seeded_db) == before


def test_too_many_values_are_refused_before_parsing(capsys, tmp_path, seeded_db, monkeypatch):
    import app.base.jsondoc

    monkeypatch.setattr(app.base.jsondoc, "MAX_ITEMS", 1000)
    path = tmp_path / "many.json"
    path.write_text('{"format": "budgetdesk.dataset", "x": [' + ",".join(["1.5"] * 2000) + "]}", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(seeded_db), "import-json", str(path))
    assert code == 2 and "超过上限 1000" in err


def test_brackets_and_commas_inside_strings_do_not_count(tmp_path):
    from app.base.jsondoc import parse_document

    text = json.dumps({"format": "x", "deep": "[" * 100 + "{" * 100, "escaped": '\\"[[[[' * 50})
    assert parse_document(text.encode())["deep"] == "[" * 100 + "{" * 100
    with pytest.raises(InputError, match="不是有效的 JSON"):  # unterminated string full of escaped quotes
        parse_document(b'{"a": "' + b'\\"[' * 100000)


def test_documents_given_as_data_are_checked_too(store):
    """A document built in memory (another importer) meets the same text rules as a file."""
    from app.exchange.interchange import import_document

    for change, words in (
        (lambda d: d["unit"].update(name="秦皇岛\udc00"), "不成对的代理码位"),
        (lambda d: d["narrative"].append({"section": "other", "text": "文字\u202e"}) if "narrative" in d
         else d.update(narrative=[{"section": "other", "text": "文字\u202e"}]), "情况说明文字"),
        (lambda d: d["explanations"].append({"finding": "T09", "text": "说\x00明"}) if "explanations" in d
         else d.update(explanations=[{"finding": "T09", "text": "说\x00明"}]), "说明"),
    ):
        document = json.loads(seed_text())
        change(document)
        with pytest.raises(InputError, match=words):
            import_document(store, document)
    assert store.list_datasets() == []


def test_the_core_refuses_the_same_unit_codes_and_names(store):
    created = store.create_unit(UnitInfo(code="３６０", name="全角编码单位"))
    assert created.code == "360"
    from app.base.errors import ConflictError

    with pytest.raises(ConflictError, match="单位编码“360”已存在"):
        store.create_unit(UnitInfo(code="360", name="另一个"))
    for info, words in ((UnitInfo(code="359\u200b", name="甲"), "零宽空格"),
                        (UnitInfo(code="\u202e953", name="甲"), "从右至左覆盖符"),
                        (UnitInfo(code="361", name="秦皇岛\x00"), "单位名称"),
                        (UnitInfo(code="361", name="乙", phone="\u2066123"), "联系电话"),
                        (UnitInfo(code="361", name="乙", parent_code="36\u200b0"), "上级单位编码")):
        with pytest.raises(InputError, match=words):
            store.create_unit(info)
    assert [unit.code for unit in store.list_units()] == ["360"]


# ---- /dev/zero and a 190 MB file, in a child process whose peak memory is measured ------------------

_MEASURE = textwrap.dedent("""
    import resource, subprocess, sys
    result = subprocess.run([sys.executable, "-m", "app", "--db", sys.argv[1], "import-json", sys.argv[2]],
                            capture_output=True, text=True, encoding="utf-8")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    sys.stdout.write(f"{result.returncode}\\n{peak_mb:.0f}\\n{result.stderr}")
""")


def _import_in_child(db: Path, source: str) -> tuple[int, float, str]:
    result = subprocess.run([sys.executable, "-c", _MEASURE, str(db), source], capture_output=True, text=True,
                            encoding="utf-8", cwd=ROOT, check=True)
    code, peak, err = result.stdout.split("\n", 2)
    return int(code), float(peak), err


@pytest.mark.skipif(not Path("/dev/zero").exists() or sys.platform != "linux", reason="Linux /dev/zero")
def test_dev_zero_is_refused_with_little_memory(tmp_path, seeded_db):
    before = dump(seeded_db)
    code, peak_mb, err = _import_in_child(seeded_db, "/dev/zero")
    assert code == 2 and "不是普通文件" in err and "Traceback" not in err  # a device: refused unopened
    assert peak_mb < 200, f"peak {peak_mb} MB"
    assert dump(seeded_db) == before


@pytest.mark.skipif(sys.platform != "linux", reason="sparse files and ru_maxrss in KB")
def test_a_190_mb_file_is_refused_by_size_with_little_memory(tmp_path, seeded_db):
    path = tmp_path / "huge.json"
    with open(path, "wb") as stream:  # sparse: "{" and then 190 MB of NUL bytes, almost no disk used
        stream.write(b'{"format": "budgetdesk.dataset", "pad": "')
        stream.truncate(190 * 1024 * 1024)
    before = dump(seeded_db)
    code, peak_mb, err = _import_in_child(seeded_db, str(path))
    assert code == 2 and "超过 32 MB" in err and "Traceback" not in err
    assert peak_mb < 200, f"peak {peak_mb} MB"
    assert dump(seeded_db) == before


def test_standard_input_is_read_bounded(tmp_path, seeded_db):
    """``import-json -`` reads standard input: a seed document imports, an endless stream is refused."""
    command = [sys.executable, "-m", "app", "--db", str(seeded_db), "import-json", "-", "--replace"]
    result = subprocess.run(command, input=SEED004.read_bytes(), capture_output=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr.decode()
    before = dump(seeded_db)
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        child.stdin.write(b"{")
        while True:
            child.stdin.write(b" " * (1 << 20))
    except (BrokenPipeError, OSError):
        pass
    err = child.communicate(timeout=120)[1].decode("utf-8")
    assert child.returncode == 2 and "“标准输入”超过 32 MB" in err and "Traceback" not in err
    assert dump(seeded_db) == before


def test_explain_refuses_invisible_characters_in_a_note(capsys, seeded_db):
    before = dump(seeded_db)
    code, _, err = run(capsys, "--db", str(seeded_db), "explain", "T09", "含公务接待费\u202e", "--unit", "359",
                       "--year", "2023")
    assert code == 2 and "说明“含公务接待费<U+202E>”" in err
    assert dump(seeded_db) == before
