"""Parsing speed: reports per second per core (CPU time) and median ms per report, by format.

    python scripts/profile_parse.py FOLDER [FOLDER ...] [--formats txt md html] [--repeat N] [--profile]

Every file is parsed once to warm up (imports, compiled patterns, the traditional-character
converter's dictionaries: what a refresh's worker pays once, not per report), then every file
`--repeat` times, timed one by one with the process's CPU clock, so the figure is one core's throughput whatever else the machine runs. The cached cell
and row readings are emptied before each pass: a pass benefits only from rows that recur
across reports, as a refresh does. `--profile` prints the cProfile top 25 by cumulative and by
own time over one more pass.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections import defaultdict
from pathlib import Path

from dagster_project.parsing import metadata
from dagster_project.parsing.cells import clear_caches
from dagster_project.parsing.readers import is_report_name
from dagster_project.parsing.report import parse_file


def report_files(folders: list[Path], formats: set[str]) -> list[Path]:
    return sorted(
        p
        for folder in folders
        for p in folder.iterdir()
        if p.is_file() and is_report_name(p.name) and (not formats or p.suffix.lstrip(".").lower() in formats)
    )


def timings(files: list[Path], repeat: int) -> dict[str, list[float]]:
    """CPU seconds of each parse, by file format (the suffix)."""
    for path in files:  # warm-up: the one-off loads of a worker
        parse_file(path)
    by_format: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeat):
        clear_caches()
        metadata.clear_caches()
        for path in files:
            t0 = time.process_time()
            parse_file(path)
            by_format[path.suffix.lstrip(".").lower()].append(time.process_time() - t0)
    return by_format


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=3, help="timed passes over the files (default 3)")
    ap.add_argument("--formats", nargs="+", default=[], help="only files of these suffixes (txt md html ...)")
    ap.add_argument("--profile", action="store_true", help="print the cProfile top 25 of one more pass")
    args = ap.parse_args()
    files = report_files(args.folders, {f.lower().lstrip(".") for f in args.formats})
    if not files:
        raise SystemExit("no report files in the given folders")
    by_format = timings(files, args.repeat)
    every = [t for ts in by_format.values() for t in ts]
    print(f"{'format':<8}{'files':>7}{'reports/s/core':>16}{'median ms':>11}")
    for fmt, ts in sorted(by_format.items()) + [("all", every)]:
        n = len(ts) // args.repeat
        print(f"{fmt:<8}{n:>7}{len(ts) / sum(ts):>16,.0f}{statistics.median(ts) * 1000:>11.2f}")
    if args.profile:
        clear_caches()
        metadata.clear_caches()
        profiler = cProfile.Profile()
        profiler.enable()
        for path in files:
            parse_file(path)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            print(f"\n== top 25 by {order}")
            pstats.Stats(profiler).sort_stats(order).print_stats(25)


if __name__ == "__main__":
    main()
