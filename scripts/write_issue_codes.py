"""Write the dbt seed `dim_issue_code.csv` from the issue catalogue (dagster_project/parsing/catalogue.py).

    python scripts/write_issue_codes.py [--check]

The catalogue is the one source; the seed mirrors it so the warehouse can explain every issue
code. `--check` exits 1 when the committed seed differs from the catalogue (the test suite
asserts the same).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from dagster_project.parsing.catalogue import CATALOGUE

SEED = Path(__file__).resolve().parent.parent / "dbt" / "seeds" / "dim_issue_code.csv"
COLUMNS = ["code", "severity", "other_severities", "meaning", "meaning_zh", "action"]


def render() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for code, info in CATALOGUE.items():
        writer.writerow(
            [
                code.value,
                info.severity.value,
                "|".join(s.value for s in info.also),
                info.meaning,
                info.meaning_zh,
                info.action,
            ]
        )
    return out.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only compare; exit 1 when the seed is out of date")
    args = ap.parse_args()
    text = render()
    if args.check:
        current = SEED.read_text(encoding="utf-8") if SEED.exists() else ""
        if current != text:
            print(f"{SEED} is out of date: run python scripts/write_issue_codes.py", file=sys.stderr)
            return 1
        return 0
    SEED.write_text(text, encoding="utf-8")
    print(f"wrote {SEED} ({len(CATALOGUE)} codes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
