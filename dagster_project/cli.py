"""`ogi`: the command line for people who do not open the Dagster UI."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

NEIGHBOUR_LIMIT = 2000  # beyond this many files in a folder, `ogi parse` does not read them all


def _folder_neighbours(names: list[str], reports: list) -> list:
    """The other reports in the given files' folders by the agencies whose glued 表二 rows a
    neighbouring year could decide (X-2/X-3). They are read but not printed."""
    import re

    from .incremental import is_report_name
    from .parsing.series import CONSTRAINTS, OPEN_ROW
    from .parsing.staging import parse_safely

    def open_rows(r) -> bool:
        items = (re.match(OPEN_ROW, i.place) for i in r.issues if i.code == "cells_ambiguous")
        return bool(r.agency_name and r.table2) and any(
            m and (r.table2.variant, m.group(1)) in CONSTRAINTS for m in items
        )

    agencies = {r.agency_name for r in reports if open_rows(r)}
    if not agencies:
        return []
    given = {Path(n).resolve() for n in names}
    hashes = {r.content_hash for r in reports}
    folders = sorted({Path(n).resolve().parent for n, r in zip(names, reports) if r.agency_name in agencies})
    files = [
        f
        for folder in folders
        for f in sorted(folder.iterdir())
        if is_report_name(f.name) and f.is_file() and f not in given
    ]
    if len(files) > NEIGHBOUR_LIMIT:
        print(
            f"ogi parse: {len(files)} other files beside the given ones; not reading them for neighbouring "
            "years (pass those years' files explicitly, or use `ogi refresh`)",
            file=sys.stderr,
        )
        return []
    if len(files) > 50:
        print(
            f"ogi parse: reading {len(files)} other files beside the given ones for neighbouring years "
            "(--alone skips this)",
            file=sys.stderr,
        )
    others = (parse_safely(f) for f in files)
    return [r for r in others if r.agency_name in agencies and r.content_hash not in hashes]


def cmd_parse(args) -> int:
    from .parsing.records import to_json
    from .parsing.series import link_reports
    from .parsing.staging import parse_safely

    missing = [name for name in args.files if not Path(name).is_file()]
    for name in missing:
        print(f"ogi parse: no such file: {name}", file=sys.stderr)
    names = [name for name in args.files if name not in missing]
    reports = [parse_safely(Path(name)) for name in names]
    neighbours = [] if args.alone else _folder_neighbours(names, reports)
    link_reports(reports + neighbours)  # neighbouring years decide glued 表二 rows; then plausibility
    for name, report in zip(names, reports):
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


def _connect(quiet: bool = False):
    import duckdb

    from . import settings

    path = settings.published_db_path()
    if not path.exists():
        if not quiet:
            print(f"no published warehouse at {path}; run `ogi refresh` (or `make run`) first", file=sys.stderr)
        return None
    return duckdb.connect(str(path), read_only=True)


def _print_table(header: list[str], rows: list[tuple]) -> None:
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def _warehouse_counts(con) -> dict[str, int]:
    """Reports in the published warehouse by parse status and by quality status."""
    counts: dict[str, int] = {}
    for column in ("parse_status", "quality_status"):
        for status, n in con.execute(f"select {column}, count(*) from dim_report group by all").fetchall():
            counts[str(status)] = counts.get(str(status), 0) + n
    counts["total"] = con.execute("select count(*) from dim_report").fetchall()[0][0]
    return counts


def cmd_status(args) -> int:
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


def cmd_check(args) -> int:
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


def _metadata(result, key: str) -> dict:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key.to_user_string() == key:
            return {k: v.value for k, v in mat.metadata.items()}
    return {}


def _fail_dead_runs(instance) -> None:
    """Runs left `STARTED` by an `ogi refresh` that was killed are recorded as failed."""
    import psutil
    from dagster import DagsterRunStatus, RunsFilter

    for run in instance.get_runs(filters=RunsFilter(job_name="refresh", statuses=[DagsterRunStatus.STARTED])):
        pid = run.tags.get("ogi/pid")
        if not pid or run.tags.get("ogi/host") != _host():
            continue
        try:
            alive = psutil.Process(int(pid)).create_time() <= float(run.tags.get("ogi/started", "0")) + 1
        except (psutil.Error, ValueError):
            alive = False
        if not alive:
            instance.report_run_failed(run, "the process running this refresh died before it finished")


def _host() -> str:
    import socket

    return socket.gethostname()


def cmd_refresh(args) -> int:
    import os

    import psutil
    from dagster import DagsterInstance

    from . import settings
    from .definitions import defs
    from .incremental import refresh_lock

    os.environ.setdefault("OGI_PROGRESS", "1" if sys.stderr.isatty() else "")
    started = time.monotonic()
    instance = DagsterInstance.get()
    me = psutil.Process()
    tags = {"ogi/pid": str(me.pid), "ogi/host": _host(), "ogi/started": f"{me.create_time():.3f}"}
    # one refresh at a time per warehouse: a second one waits; the first to run after a killed
    # one ends what the killed one left running and marks its run failed
    with refresh_lock(settings.warehouse_dir(), lambda m: print(m, file=sys.stderr)):
        _fail_dead_runs(instance)
        level = "DEBUG" if args.verbose else "INFO"  # DEBUG lists every Dagster event
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance,
            tags=tags,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": level}}}},
        )
    elapsed = time.monotonic() - started
    files, staged = _metadata(result, "raw_reports"), _metadata(result, "staging/reports")
    published = bool(_metadata(result, "published_warehouse"))

    def counts(d: dict, prefix: str, keys) -> str:
        return " / ".join(str(d.get(f"{prefix}{k}", 0)) for k in keys)

    rows = [
        (
            "files",
            "new / changed / unchanged / removed",
            " / ".join(str(files.get(f"files_{k}", "?")) for k in ("new", "changed", "unchanged", "removed")),
        ),
        ("this run", "reports parsed now / reused", f"{staged.get('rows_written', 0)} / {staged.get('reused', 0)}"),
        ("this run", "parsed / flagged / failed", counts(staged, "parsed_", ("parsed", "flagged", "failed"))),
        (
            "this run",
            "consistent / inconsistent / not assessable",
            counts(staged, "quality_", ("consistent", "inconsistent", "not_assessable")),
        ),
    ]
    con = _connect(quiet=True)
    if con is not None:
        with con:
            held = _warehouse_counts(con)
        rows += [
            ("warehouse", "reports", str(held["total"])),
            ("warehouse", "parsed / flagged / failed", counts(held, "", ("parsed", "flagged", "failed"))),
            (
                "warehouse",
                "consistent / inconsistent / not assessable",
                counts(held, "", ("consistent", "inconsistent", "not_assessable")),
            ),
        ]
    rows += [
        (
            "warehouse",
            "published",
            "yes" if published else ("unchanged (up to date)" if result.success else "NO (kept the last good build)"),
        ),
        ("time", "wall", f"{elapsed:.1f} s"),
    ]
    _print_table(["", "", ""], rows)
    print(f"refresh {'succeeded' if result.success else 'FAILED'} (run {result.run_id})")
    if result.success:
        cmd_status(args)
    else:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"  step {event.step_key} failed: {event.event_specific_data.error.message.strip()[:500]}")
    return 0 if result.success else 1


def main(argv: list[str] | None = None) -> int:
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
    y = sub.add_parser(
        "synth", help="write a synthetic corpus with answer keys (for scale tests and benchmarks)", add_help=False
    )
    y.set_defaults(func=None)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["synth"]:  # the generator owns its options (see `ogi synth --help`)
        from .synth import main as synth_main

        return synth_main(argv[1:])
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
