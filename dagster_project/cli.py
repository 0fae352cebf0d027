"""`ogi`: the command line for people who do not open the Dagster UI."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from .parsing.files import parse_files
from .parsing.records import to_json
from .pipeline.steps import RefreshSummary
from .pipeline.store import DBT_PROJECT_DIR, Store
from .synth import main as synth_main


def cmd_parse(args: argparse.Namespace) -> int:
    """`ogi parse`: print what each file reads as (one JSON object per file with --json)."""
    missing = [name for name in args.files if not Path(name).is_file()]
    for name in missing:
        print(f"ogi parse: no such file: {name}", file=sys.stderr)
    names = [name for name in args.files if name not in missing]
    reports = parse_files([Path(n) for n in names], neighbours=not args.alone)
    for name, report in zip(names, reports, strict=True):
        record = to_json(report)
        record["file"] = name
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(
                f"{name}: {record['agency'] or '(agency not named)'} {record['year']} "
                f"template={record['template']} {record['parse_status']}/{record['quality_status']}, "
                f"{len(record['issues'])} issues"
            )
            for issue in record["issues"]:
                print(f"  [{issue['severity']}] {issue['code']}: {issue['message']}")
    return 1 if missing else 0


def _connect(quiet: bool = False) -> duckdb.DuckDBPyConnection | None:
    path = Store.from_env().published_db
    if not path.exists():
        if not quiet:
            print(f"no published warehouse at {path}; run `ogi refresh` (or `make run`) first", file=sys.stderr)
        return None
    return duckdb.connect(str(path), read_only=True)


def _print_table(header: list[str], rows: list[tuple]) -> None:
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


def _warehouse_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Reports in the published warehouse by parse status and by quality status."""
    counts: dict[str, int] = {}
    for column in ("parse_status", "quality_status"):
        for status, n in con.execute(f"select {column}, count(*) from dim_report group by all").fetchall():
            counts[str(status)] = counts.get(str(status), 0) + n
    counts["total"] = sum(n for (n,) in con.execute("select count(*) from dim_report").fetchall())
    return counts


def cmd_status(args: argparse.Namespace) -> int:
    """`ogi status`: when the published warehouse was built and what it holds."""
    con = _connect()
    if con is None:
        return 1
    with con:
        built, n = con.execute("select built_at, n_reports from meta.build_info").fetchall()[0]
        path = Path(con.execute("pragma database_list").fetchall()[0][2])
        print(f"warehouse: {path}  built {built:%Y-%m-%d %H:%M:%S %Z}  {n} reports  {path.stat().st_size / 1e6:.1f} MB")
        _print_table(
            ["parse_status", "quality_status", "reports"],
            con.execute(
                "select parse_status, quality_status, count(*) from dim_report group by all order by all"
            ).fetchall(),
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`ogi check`: the quality issues recorded for the published reports."""
    con = _connect()
    if con is None:
        return 1
    where = "" if args.all else "where severity <> 'info'"
    rows = con.execute(
        f"select file_name, severity, code, place, message from report_quality {where} "
        "order by file_name, severity desc, code"
    ).fetchall()
    _print_table(["report", "severity", "code", "place", "message"], rows)
    print(f"{len(rows)} issues")
    return 0


def _summary_rows(summary: RefreshSummary, published: bool, success: bool) -> list[tuple[str, str, str]]:
    inv, staged = summary.inventory, summary.staging

    def counts(d: dict[str, int], keys: tuple[str, ...]) -> str:
        return " / ".join(str(d.get(k, 0)) for k in keys)

    changes = " / ".join(str(v) for v in inv.changes.as_dict().values()) if inv else "? / ? / ? / ?"
    rows = [("files", "new / changed / unchanged / removed", changes)]
    if staged:
        rows += [
            ("this run", "reports parsed now / reused", f"{staged.parsed} / {staged.reused}"),
            ("this run", "parsed / flagged / failed", counts(staged.statuses, ("parsed", "flagged", "failed"))),
            (
                "this run",
                "consistent / inconsistent / not assessable",
                counts(staged.quality, ("consistent", "inconsistent", "not_assessable")),
            ),
        ]
    con = _connect(quiet=True)
    if con is not None:
        with con:
            held = _warehouse_counts(con)
        rows += [
            ("warehouse", "reports", str(held["total"])),
            ("warehouse", "parsed / flagged / failed", counts(held, ("parsed", "flagged", "failed"))),
            (
                "warehouse",
                "consistent / inconsistent / not assessable",
                counts(held, ("consistent", "inconsistent", "not_assessable")),
            ),
        ]
    state = "yes" if published else ("unchanged (up to date)" if success else "NO (kept the last good build)")
    return [*rows, ("warehouse", "published", state)]


def cmd_refresh(args: argparse.Namespace) -> int:
    # the Dagster definitions read dbt's manifest at import: only this command needs them
    """`ogi refresh`: run the refresh job and print what it did; exit 1 if it failed."""
    from .runs import run_refresh, step_failures, summarize  # noqa: PLC0415

    os.environ.setdefault("OGI_PROGRESS", "1" if sys.stderr.isatty() else "")
    started = time.monotonic()
    result = run_refresh(verbose=args.verbose)
    summary = summarize(result)
    rows = _summary_rows(summary, summary.published is not None, result.success)
    _print_table(["", "", ""], [*rows, ("time", "wall", f"{time.monotonic() - started:.1f} s")])
    print(f"refresh {'succeeded' if result.success else 'FAILED'} (run {result.run_id})")
    if result.success:
        cmd_status(args)
    else:
        for line in step_failures(result):
            print(f"  {line}")
    return 0 if result.success else 1


def cmd_docs(args: argparse.Namespace) -> int:
    """dbt docs as one static HTML file, generated on a copy of the published warehouse."""
    store = Store.from_env()
    if not store.published_db.exists():
        print(f"no published warehouse at {store.published_db}; run `ogi refresh` first", file=sys.stderr)
        return 1
    store.docs_db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(store.published_db, store.docs_db)  # same file name: dbt's database name still matches
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, **store.dbt_env(), "OGI_BUILD_DB": str(store.docs_db)}
    command = [str(dbt), "docs", "generate", "--static", "--project-dir", ".", "--profiles-dir", "."]
    done = subprocess.run([*command, "--target-path", str(store.docs_target)], cwd=DBT_PROJECT_DIR, env=env)
    if done.returncode == 0:
        print(f"dbt docs: {store.docs_target / 'static_index.html'}")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    """The `ogi` command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="ogi",
        description="OGI Warehouse: government information-disclosure "
        "annual reports (政府信息公开工作年度报告) as a checked DuckDB warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "parse",
        help="parse report files and print what was read",
        description="Parse report files (txt, md, html, pdf, docx) without touching the warehouse. "
        "A glued 表二 row that its own report cannot decide is decided, as a refresh does, by the "
        "same agency's report for a neighbouring year (identities X-2/X-3) — among the given "
        "files and the other report files in their folders, which are read but not printed — "
        "and otherwise, where exactly one reading is plausible, chosen and flagged "
        "cells_chosen_by_plausibility.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    p.add_argument(
        "--alone",
        action="store_true",
        help="do not read other files in the given files' folders for neighbouring years",
    )
    p.set_defaults(func=cmd_parse)
    r = sub.add_parser(
        "refresh",
        help="run the Dagster refresh job: raw/ → staging → dbt → warehouse/ogi.duckdb",
        description="Run the same job as the Dagster UI and the schedule; exit 1 if it failed.",
    )
    r.add_argument("--verbose", action="store_true", help="log every Dagster event, not only the steps' messages")
    r.set_defaults(func=cmd_refresh)
    s = sub.add_parser("status", help="what the published warehouse holds and when it was built")
    s.set_defaults(func=cmd_status)
    c = sub.add_parser("check", help="list the quality issues recorded for the published reports")
    c.add_argument("--all", action="store_true", help="include info-level issues")
    c.set_defaults(func=cmd_check)
    d = sub.add_parser("docs", help="build the dbt docs of the published warehouse as one HTML file")
    d.set_defaults(func=cmd_docs)
    y = sub.add_parser(
        "synth", help="write a synthetic corpus with answer keys (for scale tests and benchmarks)", add_help=False
    )
    y.set_defaults(func=None)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["synth"]:  # the generator owns its options (see `ogi synth --help`)
        return synth_main(argv[1:])
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
