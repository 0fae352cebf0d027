"""`python -m dagster_project.synth` / `ogi synth`: write a synthetic corpus with answer keys."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from .corpus import generate
from .render import LAYOUTS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m dagster_project.synth",
        description="Write N synthetic 政府信息公开工作年度报告 files into OUT and an answer key per report "
        "into OUT/answers/ or --answers (same bytes for the same seed).",
    )
    p.add_argument("--n", type=int, required=True, help="number of reports to write")
    p.add_argument("--out", type=Path, required=True, help="output directory (created if missing)")
    p.add_argument(
        "--answers",
        type=Path,
        default=None,
        help="where the answer keys go (default OUT/answers; a folder outside raw/ keeps them out of a refresh's inventory)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--layouts",
        nargs="+",
        choices=LAYOUTS,
        metavar="LAYOUT",
        help=f"layouts to draw from (default: all of {', '.join(LAYOUTS)})",
    )
    p.add_argument(
        "--defect-rate", type=float, default=0.05, help="share of reports given one recorded defect (default 0.05)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: one per CPU for large corpora); output does not depend on it",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.n < 0:
        print("synth: --n must be >= 0", file=sys.stderr)
        return 2
    answers = args.answers or args.out / "answers"
    start = time.perf_counter()
    try:
        records = generate(
            args.n,
            args.out,
            args.seed,
            tuple(args.layouts) if args.layouts else None,
            args.defect_rate,
            args.workers,
            answers,
        )
    except ValueError as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an --out or --answers that cannot be written
        print(f"synth: cannot write {exc.filename or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    secs = time.perf_counter() - start
    layouts = Counter(r[1] for r in records)
    defects = Counter(r[2] for r in records if r[2])
    rate = len(records) / secs if secs > 0 else float("inf")
    print(
        f"synth: {len(records)} reports in {args.out}, keys in {answers} (seed {args.seed}) in {secs:.1f}s, "
        f"{rate:.0f} reports/s; layouts "
        + " ".join(f"{k}={layouts[k]}" for k in LAYOUTS if layouts[k])
        + "; defects "
        + (" ".join(f"{k}={v}" for k, v in sorted(defects.items())) or "none")
    )
    return 0
