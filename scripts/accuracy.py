"""Accuracy of the parser as figures: answer-key scores plus a report over a whole corpus.

    python scripts/accuracy.py [--shared ../shared] [--corpus DIR ...]

1. Runs the answer-key scorer (shared/tools/score_answers.py) over the seed keys and the real
   keys with `ogi parse --json`, printing its per-report lines and final figure.
2. Parses every file of each corpus and prints: parsed / flagged / failed, templates detected,
   the share of reports whose hard identities all hold, every issue code with its count, and
   the median parse time per file format.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from dagster_project.parsing.files import parse_files, parse_safely
from dagster_project.parsing.records import to_json
from dagster_project.parsing.report import ParsedReport

REPO = Path(__file__).resolve().parent.parent


def score(shared: Path) -> int:
    ogi = Path(sys.executable).with_name("ogi")
    worst = 0
    for keys, files in (("seeds", REPO / "raw"), ("real", shared / "corpus" / "real")):
        if not (shared / "answers" / keys).exists():
            continue
        print(f"== answer keys: {keys}")
        proc = subprocess.run(
            [
                sys.executable,
                str(shared / "tools" / "score_answers.py"),
                "--answers",
                str(shared / "answers" / keys),
                "--files",
                str(files),
                "--cmd",
                f"{ogi} parse --json",
            ],
            capture_output=True,
            text=True,
        )
        print(proc.stdout.rstrip())
        worst = max(worst, proc.returncode)
    return worst


def corpus_report(folder: Path) -> None:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() != ".tsv")
    status: Counter[str] = Counter()
    templates: Counter[str] = Counter()
    quality: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    stat_files, stat_rows = 0, Counter[str]()
    times: dict[str, list[float]] = defaultdict(list)

    def timed(path: Path) -> ParsedReport:
        started = time.perf_counter()
        report = parse_safely(path)
        times[path.suffix.lower().lstrip(".")].append((time.perf_counter() - started) * 1000)
        return report

    reports = parse_files(files, neighbours=False, parse=timed)  # decided as a refresh over the corpus does
    for record in map(to_json, reports):
        status[record["parse_status"]] += 1
        templates[(record["template"] or "none") + (" hybrid" if record["is_hybrid"] else "")] += 1
        quality[record["quality_status"]] += 1
        codes.update(i["code"] for i in record["issues"])
        if record.get("statistics"):
            stat_files += 1
            stat_rows.update(r["status"] for r in record["statistics"])
    n = len(files)
    print(f"== corpus {folder} ({n} files)")
    print("status:    " + ", ".join(f"{k} {status[k]}" for k in ("parsed", "flagged", "failed")))
    print("templates: " + ", ".join(f"{k} {v}" for k, v in sorted(templates.items())))
    statused = sum(v for k, v in quality.items())
    print(
        f"identities all hold (consistent): {quality['consistent']}/{statused} "
        f"({100 * quality['consistent'] / max(statused, 1):.0f}%); inconsistent {quality['inconsistent']}; "
        f"not assessable {quality['not_assessable']}"
    )
    print("issue codes: " + ", ".join(f"{k} {v}" for k, v in codes.most_common()))
    print(
        f"表二 rows decided after parsing: by a neighbouring year (X-2/X-3) {codes['cells_decided_across_years']}, "
        f"by the report's text {codes['cells_decided_by_narrative']}, by the plausibility rules "
        f"{codes['cells_chosen_by_plausibility']}; still open {codes['cells_ambiguous']}"
    )
    print(
        f"pre-2019 统计表 staged: {stat_files} of {templates['pre2019']} pre-2019 reports, "
        f"{sum(stat_rows.values())} rows (" + ", ".join(f"{k} {v}" for k, v in sorted(stat_rows.items())) + ")"
    )
    print(
        "median parse time per format: "
        + ", ".join(f"{fmt} {statistics.median(ms):.1f} ms ({len(ms)})" for fmt, ms in sorted(times.items()))
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--corpus", type=Path, nargs="*", help="folders to report on (default: the real corpus)")
    args = ap.parse_args()
    worst = score(args.shared)
    for folder in args.corpus or [args.shared / "corpus" / "real"]:
        if folder.exists():
            corpus_report(folder)
    return worst


if __name__ == "__main__":
    sys.exit(main())
