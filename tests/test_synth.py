"""The synthetic corpus: deterministic, keys in the README shape, identities and series intact,
and the published files saying what the keys say."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from dagster_project.parsing.vocabulary import T2_ITEMS, T3_ROWS
from dagster_project.synth import DEFECT_KINDS, LAYOUTS, generate_corpus, main

T3_KEYS = {t: [r.key for r in rows] for t, rows in T3_ROWS.items()}
T2_METRICS = {t: {it.key: it.metrics for it in items} for t, items in T2_ITEMS.items()}
KEY_FIELDS = ["file", "agency", "year", "template", "table2", "table3", "table4", "notes"]


def _keys(out: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "answers").glob("*.json"))]


def _tags(key: dict) -> set[str]:
    return {n.split(": ", 1)[0] for n in key["notes"]}


def _layout(key: dict) -> str:
    return next(n.split(": ", 1)[1].split(" ")[0] for n in key["notes"] if n.startswith("layout: "))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    paths = generate_corpus(400, out, seed=123, defect_rate=0.25)
    return out, paths, _keys(out)


def _z(v):
    return 0 if v is None else v


def _identities_hold(key: dict) -> bool:
    t3, t4 = key["table3"], key["table4"]
    leaves = [k for k in t3 if k not in ("new_received", "carried_over", "total_handled", "carried_forward")]
    for c in range(7):
        total = _z(t3["total_handled"][c])
        if sum(_z(t3[k][c]) for k in leaves) != total:
            return False
        if _z(t3["new_received"][c]) + _z(t3["carried_over"][c]) != total + _z(t3["carried_forward"][c]):
            return False
    if any(sum(map(_z, row[:6])) != _z(row[6]) for row in t3.values()):
        return False
    return all(sum(map(_z, t4[b : b + 4])) == _z(t4[b + 4]) for b in (0, 5, 10))


def test_determinism_and_worker_independence(tmp_path):
    runs = [(tmp_path / "a", 1), (tmp_path / "b", 1), (tmp_path / "c", 2)]
    for out, workers in runs:
        generate_corpus(120, out, seed=7, workers=workers)

    def snapshot(out: Path) -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    first = snapshot(runs[0][0])
    assert len(first) == 240
    assert snapshot(runs[1][0]) == first
    assert snapshot(runs[2][0]) == first
    generate_corpus(120, tmp_path / "d", seed=8)
    assert snapshot(tmp_path / "d") != first


def test_paths_and_keys_pair_up(corpus):
    out, paths, keys = corpus
    assert len(paths) == len(keys) == 400
    assert all(p.parent == out and p.is_file() for p in paths)
    assert sorted(p.name for p in paths) == sorted(k["file"] for k in keys)
    for p in paths:
        assert (out / "answers" / (p.stem + ".json")).is_file()


def test_every_key_follows_the_readme(corpus):
    _, _, keys = corpus
    for key in keys:
        assert list(key) == KEY_FIELDS
        assert isinstance(key["agency"], str) and key["agency"]
        assert 2019 <= key["year"] <= 2025
        assert key["template"] == ("2019" if key["year"] <= 2020 else "2021")
        rows = list(key["table3"])
        if "hybrid" in _tags(key):
            assert key["template"] == "2021" and rows == T3_KEYS["2019"]
        else:
            assert rows == T3_KEYS[key["template"]]
        for cells in key["table3"].values():
            assert len(cells) == 7
            assert all(v is None or (type(v) is int and v >= 0) for v in cells)
        assert len(key["table4"]) == 15
        assert all(v is None or (type(v) is int and v >= 0) for v in key["table4"])
        metrics = T2_METRICS[key["template"]]
        items = list(key["table2"])
        assert items == [i for i in metrics if i in key["table2"]]  # official order, subset
        assert set(metrics) - set(items) <= {"regulations"}
        for item, row in key["table2"].items():
            assert tuple(row) == metrics[item]
            for m, v in row.items():
                assert type(v) in (int, float)
                assert m == "change" or v >= 0
        assert all(isinstance(n, str) for n in key["notes"])


def test_identities_hold_unless_a_defect_breaks_them(corpus):
    _, _, keys = corpus
    broken = [k for k in keys if "defect:identity" in _tags(k)]
    assert broken, "the fixture corpus should contain identity defects"
    for key in keys:
        assert _identities_hold(key) == (key not in broken), key["file"]


def test_all_layouts_and_defect_kinds_appear(corpus):
    out, _, keys = corpus
    assert {_layout(k) for k in keys} == set(LAYOUTS)
    assert {f"defect:{d}" for d in DEFECT_KINDS} <= set().union(*map(_tags, keys))
    assert any("hybrid" in _tags(k) for k in keys)
    for key in keys:
        raw = (out / key["file"]).read_bytes()
        layout = _layout(key)
        if layout == "html":
            assert key["file"].endswith(".html") and raw.startswith(b"<!DOCTYPE html>")
            continue
        text = raw.decode("utf-8")
        title = f"{key['agency']}{key['year']}年政府信息公开工作年度报告"
        if layout == "crawler":
            lines = text.split("\n")
            assert lines[0] == f"标题: {title}" and lines[8].startswith("=" * 20) and len(lines) == 10
        else:
            assert text.startswith(title + "\n")
            marker = {"tabcell": "\n\t总计\n", "pipe": "\n总计 |\n", "tabrow": "\t总计"}[layout]
            assert marker in text


def test_gbk_html_is_really_gbk(corpus):
    out, _, keys = corpus
    gbk = [k for k in keys if any(n.startswith("layout: html (G") for n in k["notes"])]
    assert gbk
    for key in gbk:
        raw = (out / key["file"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gbk")
        assert re.search(r'charset=(gbk|gb2312)"', text)
        assert f"<title>{key['agency']}{key['year']}年政府信息公开工作年度报告</title>" in text


def test_carried_over_continues_last_years_carried_forward(corpus):
    _, _, keys = corpus
    by_agency = defaultdict(dict)
    for key in keys:
        assert key["year"] not in by_agency[key["agency"]], "one report per agency and year"
        by_agency[key["agency"]][key["year"]] = key
    pairs = 0
    for years in by_agency.values():
        for year, key in years.items():
            prev = years.get(year - 1)
            if prev is None or "continuity_break" in _tags(key):
                continue
            pairs += 1
            assert list(map(_z, key["table3"]["carried_over"])) == list(map(_z, prev["table3"]["carried_forward"])), (
                key["file"]
            )
    assert pairs >= 150
    assert sum(1 for y in by_agency.values() if len(y) >= 3) >= 20


# -- what the files say ---------------------------------------------------------------------------
def _cell(s: str):
    s = s.strip()
    return None if s in ("", "&nbsp;") else 0 if s == "无" else int(s)


def _lost(key: dict) -> tuple[str, int] | None:
    cols = ["natural_person", "commercial", "research", "social_welfare", "legal_services", "other", "total"]
    for n in key["notes"]:
        m = re.match(r"defect:lost_cell: 表三 row (\w+) prints 6 of its 7 cells; the missing (\w+) =", n)
        if m:
            return m.group(1), cols.index(m.group(2))
    return None


def _expected_row(key: dict, row: str) -> list:
    cells = list(key["table3"][row])
    lost = _lost(key)
    if lost and lost[0] == row:
        del cells[lost[1]]
    return cells


def _wan(text: str) -> float:
    """The test's own reading of a 采购总金额 cell, in 万元."""
    for unit, factor in (("亿元", 10000), ("亿", 10000), ("万元", 1), ("元", 0.0001)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def _change(text: str) -> int:
    if text == "无":
        return 0
    return -int(text[1:]) if text.startswith("减") else int(text.lstrip("增+"))


def test_tabrow_files_print_the_key(tmp_path):
    paths = generate_corpus(150, tmp_path, seed=5, layouts=("tabrow",), defect_rate=0.5)
    keys = {k["file"]: k for k in _keys(tmp_path)}
    checked_money = checked_change = 0
    for path in paths:
        key = keys[path.name]
        lines = path.read_text(encoding="utf-8").split("\n")
        start = next(i for i, ln in enumerate(lines) if "本年新收政府信息公开申请数量" in ln)
        rows = lines[start : start + len(key["table3"])]
        for row, line in zip(key["table3"], rows):
            fields = line.split("\t")
            assert [_cell(v) for v in fields[3:]] == _expected_row(key, row), (path.name, row)
        t4 = lines[lines.index(next(ln for ln in lines if ln.startswith("行政复议"))) + 3]
        assert [_cell(v) for v in t4.split("\t")] == key["table4"]
        for line in lines:
            label, _, rest = line.partition("\t")
            if label == "政府集中采购" and key["template"] == "2019":
                amount = rest.split("\t")[1]
                assert abs(_wan(amount) - key["table2"]["centralized_procurement"]["amount_wan_yuan"]) < 1e-6
                checked_money += 1
            if label == "行政许可" and key["template"] == "2019" and "administrative_licensing" in key["table2"]:
                assert _change(rest.split("\t")[1]) == key["table2"]["administrative_licensing"]["change"]
                checked_change += 1
    assert checked_money and checked_change


def test_html_rows_match_the_key(tmp_path):
    paths = generate_corpus(60, tmp_path, seed=9, layouts=("html",), defect_rate=0.5)
    keys = {k["file"]: k for k in _keys(tmp_path)}
    value = re.compile(r"^(\d+|无|&nbsp;)$")
    for path in paths:
        key = keys[path.name]
        raw = path.read_bytes()
        text = raw.decode("gbk" if b"charset=gb" in raw[:200] else "utf-8")
        table3 = text.split("<table")[2]
        trs = re.findall(r"<tr>(.*?)</tr>", table3)[3:]
        assert len(trs) == len(key["table3"])
        for row, tr in zip(key["table3"], trs):
            tds = re.findall(r"<td[^>]*>(.*?)</td>", tr)
            n = 0
            while n < len(tds) and value.match(tds[len(tds) - 1 - n]):
                n += 1
            assert [_cell(v) for v in tds[len(tds) - n :]] == _expected_row(key, row), (path.name, row)


def test_defects_are_visible_in_the_source(tmp_path):
    paths = generate_corpus(200, tmp_path, seed=3, layouts=("tabcell",), defect_rate=1.0)
    keys = {k["file"]: k for k in _keys(tmp_path)}
    seen = set()
    for path in paths:
        key = keys[path.name]
        kinds = {t.split(":")[1] for t in _tags(key) if t.startswith("defect:")}
        assert len(kinds) == 1
        kind = kinds.pop()
        seen.add(kind)
        text = path.read_text(encoding="utf-8")
        if kind == "blank":
            assert any(None in row for row in key["table3"].values())
        elif kind == "wu_zero":
            assert "\t无\n" in text
        elif kind == "lost_cell":
            assert _lost(key)
    assert seen == set(DEFECT_KINDS)


def test_cli(tmp_path, capsys):
    assert (
        main(["--n", "7", "--out", str(tmp_path), "--seed", "4", "--layouts", "pipe", "crawler", "--defect-rate", "0"])
        == 0
    )
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"synth: 7 reports in {tmp_path}, keys in {tmp_path / 'answers'}") and "reports/s" in line
    assert len(list(tmp_path.glob("*.txt"))) == 7 and len(list((tmp_path / "answers").glob("*.json"))) == 7
    assert all(_tags(k) == {"layout"} for k in _keys(tmp_path))
    # the keys elsewhere (outside a raw/ folder): the same bytes, none beside the reports
    raw, keys = tmp_path / "raw", tmp_path / "keys"
    assert (
        main(
            [
                "--n",
                "7",
                "--out",
                str(raw),
                "--answers",
                str(keys),
                "--seed",
                "4",
                "--layouts",
                "pipe",
                "crawler",
                "--defect-rate",
                "0",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in raw.iterdir()) == sorted(p.name for p in tmp_path.glob("*.txt"))
    assert all((keys / k.name).read_bytes() == k.read_bytes() for k in (tmp_path / "answers").glob("*.json"))
    assert len(list(keys.glob("*.json"))) == 7
    capsys.readouterr()
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    assert main(["--n", "2", "--out", str(tmp_path / "more"), "--answers", str(blocked / "keys")]) == 1
    assert capsys.readouterr().err.startswith(f"synth: cannot write {blocked / 'keys'}: Not a directory")
    assert main(["--n", "3", "--out", str(tmp_path), "--defect-rate", "2"]) == 2
    help_text = subprocess.run(
        [sys.executable, "-m", "dagster_project.synth", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--defect-rate" in help_text and "--layouts" in help_text
