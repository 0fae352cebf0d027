"""`ogi`: the command line for people who do not open the Dagster UI."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import gc
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from importlib.metadata import version
from pathlib import Path
from types import FrameType

import duckdb

from .connect import connect
from .export import export_marts
from .parsing.files import parse_files
from .parsing.records import to_json
from .pipeline.guards import alarm_handler, doc_timeout_s, limit_memory, parse_guarded, worker_memory_mb
from .pipeline.libreoffice import convert_to_docx
from .pipeline.locking import end_children
from .pipeline.publish import checksum_problem, prefetch_sha256
from .pipeline.steps import RefreshSummary
from .pipeline.store import DBT_PROJECT_DIR, Store
from .synth import main as synth_main


def cmd_parse(args: argparse.Namespace) -> int:
    """`ogi parse`: print what each file reads as (one JSON object per file with --json)."""
    missing = [name for name in args.files if not Path(name).is_file()]
    for name in missing:
        print(f"ogi parse: no such file: {name}", file=sys.stderr)
    names = [name for name in args.files if name not in missing]
    limit_memory(worker_memory_mb())  # as a refresh's workers: a file that would take all memory fails alone
    with alarm_handler() as can_time:
        timeout = doc_timeout_s() if can_time else None
        reports = parse_files(
            [Path(n) for n in names],
            neighbours=not args.alone,
            parse=lambda path: parse_guarded(path, timeout),
            convert=convert_to_docx,  # the legacy Word files among them, in one LibreOffice call
        )
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


def _connect(quiet: bool = False, command: str = "ogi") -> duckdb.DuckDBPyConnection | None:
    """The published warehouse, read-only (`connect`: always the latest publish), after checking
    it against its checksum; None, with one line saying why unless `quiet`, when it cannot be used."""
    store = Store.from_env()
    path = store.published_db
    if not path.exists():
        if not quiet:
            print(f"no published warehouse at {path}; run `ogi refresh` (or `make run`) first", file=sys.stderr)
        return None
    problem = checksum_problem(store)
    if problem and store.read_checksum() is not None:  # a warehouse published before checksums is opened as is
        if not quiet:
            print(f"{command}: {problem}: run `ogi refresh`", file=sys.stderr)
        return None
    try:
        return connect(path)
    except (duckdb.Error, OSError) as exc:
        if not quiet:
            print(f"{command}: {_unreadable(path, exc)}", file=sys.stderr)
        return None


def _unreadable(path: Path, exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return f"the published warehouse {path} cannot be read ({first}): run `ogi refresh`"


def _display_width(text: str) -> int:
    """Terminal columns `text` takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns (with … when cut)."""
    if _display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        used += _display_width(c)
        if used > width - 1:
            break
        out.append(c)
    return "".join(out) + "…"


def _print_table(header: list[str], rows: list[tuple], width: int | None = None) -> None:
    """Rows in aligned columns; with `width`, the last column is cut to fit the terminal."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([_display_width(h)] + [_display_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    if width:
        widths[-1] = max(10, min(widths[-1], width - sum(widths[:-1]) - 2 * (len(widths) - 1)))

    def line(values: list[str]) -> str:
        fitted = [_fit(v, w) for v, w in zip(values, widths, strict=True)]
        return "  ".join(v + " " * (w - _display_width(v)) for v, w in zip(fitted, widths, strict=True)).rstrip()

    print(line(header))
    for r in cells:
        print(line(r))


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
    con = _connect(command="ogi status")
    if con is None:
        return 1
    path = Store.from_env().published_db
    try:
        with con:
            built, n = con.execute("select built_at, n_reports from meta.build_info").fetchall()[0]
            rows = con.execute(
                "select parse_status, quality_status, count(*) from dim_report group by all order by all"
            ).fetchall()
    except duckdb.Error as exc:
        print(f"ogi status: {_unreadable(path, exc)}", file=sys.stderr)
        return 1
    print(f"warehouse: {path}  built {built:%Y-%m-%d %H:%M:%S %Z}  {n} reports  {path.stat().st_size / 1e6:.1f} MB")
    _print_table(["parse_status", "quality_status", "reports"], rows)
    return 0


SEVERITY_ORDER = ("error", "warning", "info")


def cmd_check(args: argparse.Namespace) -> int:
    """`ogi check`: the quality issues recorded for the published reports, errors first."""
    con = _connect(command="ogi check")
    if con is None:
        return 1
    severities = args.severity or (list(SEVERITY_ORDER) if args.all else ["error", "warning"])
    filters = ["list_contains(?, severity)"]
    params: list[object] = [severities]
    if args.code:
        filters.append("list_contains(?, code)")
        params.append(args.code)
    if args.report:
        filters.append("(file_name ilike ? or report_id = ?)")
        params += [f"%{args.report}%", args.report]
    query = (
        "select file_name, severity, code, place, message from report_quality where "
        + " and ".join(filters)
        + " order by case severity when 'error' then 0 when 'warning' then 1 else 2 end, file_name, code, place"
    )
    try:
        with con:
            rows = con.execute(query, params).fetchall()
    except duckdb.Error as exc:
        print(f"ogi check: {_unreadable(Store.from_env().published_db, exc)}", file=sys.stderr)
        return 1
    if args.json:
        for row in rows:
            print(json.dumps(dict(zip(("report", "severity", "code", "place", "message"), row)), ensure_ascii=False))
        return 0
    width = args.width or shutil.get_terminal_size((160, 24)).columns
    _print_table(["report", "severity", "code", "place", "message"], rows, width)
    print(f"{len(rows)} issues")
    return 0


def _summary_rows(summary: RefreshSummary, published: bool, success: bool) -> list[tuple[str, str, str]]:
    inv, staged = summary.inventory, summary.staging

    def counts(d: dict[str, int], keys: tuple[str, ...]) -> str:
        return " / ".join(str(d.get(k, 0)) for k in keys)

    changes = " / ".join(str(v) for v in inv.changes.as_dict().values()) if inv else "? / ? / ? / ?"
    rows = [("files", "new / changed / unchanged / removed", changes)]
    if inv and inv.rejected:
        rows.append(("files", "not read as reports (see dim_source_file)", str(inv.rejected)))
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
    held = None
    if con is not None:
        try:
            with con:
                held = _warehouse_counts(con)
        except duckdb.Error:
            held = None
    if held is not None:
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
    build = (
        [("warehouse", "dbt build", summary.published.build)] if summary.published and summary.published.build else []
    )
    return [*rows, *build, ("warehouse", "published", state)]


def cmd_refresh(args: argparse.Namespace) -> int:
    """`ogi refresh`: run the refresh job and print what it did; exit 1 if it failed."""
    started = time.monotonic()
    prefetch_sha256(Store.from_env().published_db)  # every refresh checks it; hashed while Dagster loads
    # the Dagster definitions read dbt's manifest at import: only this command needs them
    from .runs import run_refresh, step_failures, summarize, was_interrupted  # noqa: PLC0415

    # The ~360,000 objects Dagster's and dbt's modules just made live as long as the process:
    # left out of the collector's full passes, which the inventory of 100k files triggers.
    gc.freeze()
    os.environ.setdefault("OGI_PROGRESS", "1" if sys.stderr.isatty() else "")
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    # outside the run's steps; inside them Dagster turns SIGINT and SIGTERM into an interrupt of the step
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = run_refresh(verbose=args.verbose, full=args.full)
        interrupted = was_interrupted(result)
    except KeyboardInterrupt:
        result, interrupted = None, True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if interrupted:
        end_children()  # dbt and the parse workers are ended by the steps; anything left, here
        # inside a step Dagster takes SIGINT and SIGTERM alike, so the signal is known only outside one
        name = signal.Signals(received[0]).name if received else "SIGINT/SIGTERM"
        print(
            f"refresh interrupted ({name}): its subprocesses are ended and the published warehouse is unchanged; "
            "run `ogi refresh` again to finish",
            file=sys.stderr,
        )
        return 128 + (received[0] if received else signal.SIGINT)
    assert result is not None
    summary = summarize(result)
    rows = _summary_rows(summary, summary.published is not None, result.success)
    _print_table(["", "", ""], [*rows, ("time", "wall", f"{time.monotonic() - started:.1f} s")])
    print(f"refresh {'succeeded' if result.success else 'FAILED'} (run {result.run_id})")
    if result.success:
        cmd_status(args)
    else:
        for line in step_failures(result):
            print(f"  {line}")
        if not args.verbose:
            print(f"  dbt's log: {Store.from_env().dbt_log}")
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
    if done.returncode != 0:
        return done.returncode
    print(f"dbt docs: {store.docs_target / 'static_index.html'}")
    if args.serve:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(store.docs_target))
        with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
            print(f"serving http://127.0.0.1:{server.server_address[1]}/static_index.html  (^C stops it)", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """`ogi export`: every mart of the published warehouse as Parquet or CSV files."""
    store = Store.from_env()
    out = Path(args.out) if args.out else store.warehouse_dir / "export"
    try:
        written = export_marts(store.published_db, out, args.format, bom=args.bom)
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"ogi export: {exc}", file=sys.stderr)
        return 1
    print(f"{len(written)} files in {out} (README.md describes them)")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """The analysts' dashboard on http://127.0.0.1:PORT over the published warehouse, until ^C."""
    from .dashboard.launch import HOST, serve  # noqa: PLC0415 - only this command needs Streamlit

    store = Store.from_env()
    if not store.published_db.exists():
        print(f"no published warehouse at {store.published_db} yet: run `ogi refresh` first", file=sys.stderr)
    proc = serve(args.port, store.warehouse_dir)
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    print(f"dashboard: http://{HOST}:{args.port}  (^C stops it)")
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


def main(argv: list[str] | None = None) -> int:
    """The `ogi` command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="ogi",
        description="OGI Warehouse: government information-disclosure "
        "annual reports (政府信息公开工作年度报告) as a checked DuckDB warehouse.",
    )
    parser.add_argument("--version", action="version", version=f"ogi {version('ogi-warehouse')}")
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
    r.add_argument(
        "--verbose",
        action="store_true",
        help="print dbt's log and every Dagster event (by default dbt's log goes to warehouse/logs/dbt.log)",
    )
    r.add_argument(
        "--full",
        action="store_true",
        help="rebuild every dbt model from the staged parts, even when nothing changed (by default dbt "
        "starts from the published warehouse and redoes only the reports added, changed or removed)",
    )
    r.set_defaults(func=cmd_refresh)
    s = sub.add_parser(
        "status",
        help="what the published warehouse holds and when it was built",
        description="When the published warehouse was built, its size, and its reports by parse and quality "
        "status; exit 1 when there is none or it does not match its checksum.",
    )
    s.set_defaults(func=cmd_status)
    c = sub.add_parser(
        "check",
        help="list the quality issues recorded for the published reports",
        description="The issues of the published reports, errors first, then warnings (and info with --all). "
        "Codes are explained in the warehouse's dim_issue_code and in ARCHITECTURE.md.",
    )
    c.add_argument("--all", action="store_true", help="include info-level issues")
    c.add_argument("--severity", action="append", choices=SEVERITY_ORDER, help="only this severity (repeatable)")
    c.add_argument("--code", action="append", metavar="CODE", help="only this issue code (repeatable)")
    c.add_argument("--report", metavar="NAME", help="only reports whose file name contains NAME (or this report id)")
    c.add_argument("--json", action="store_true", help="one JSON object per issue, one per line")
    c.add_argument("--width", type=int, help="columns to fit the table in (default: the terminal's)")
    c.set_defaults(func=cmd_check)
    d = sub.add_parser(
        "docs",
        help="build the dbt docs of the published warehouse as one HTML file",
        description="dbt docs generate --static on a copy of the published warehouse (dbt opens its database "
        "read-write): warehouse/docs/target/static_index.html.",
    )
    d.add_argument("--serve", action="store_true", help="then serve them on http://127.0.0.1:PORT until ^C")
    d.add_argument("--port", type=int, default=8080, help="port for --serve (default 8080; 0 picks a free one)")
    d.set_defaults(func=cmd_docs)
    e = sub.add_parser(
        "export",
        help="write every mart of the published warehouse as Parquet or CSV files",
        description="Every mart as one file (Parquet, or CSV in UTF-8 with a header), written atomically — no "
        "half-written file is ever visible — with a README.md describing the files and their columns.",
    )
    e.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    e.add_argument("--out", metavar="DIR", help="output folder (default: warehouse/export)")
    e.add_argument("--bom", action="store_true", help="CSV with a UTF-8 byte-order mark, for Excel")
    e.set_defaults(func=cmd_export)
    b = sub.add_parser(
        "dashboard",
        help="the analysts' dashboard on http://127.0.0.1:8501 (read-only)",
        description="A read-only Streamlit dashboard over the published warehouse, served on 127.0.0.1 only; "
        "it follows every publish and never blocks a refresh. See docs/dashboard.md.",
    )
    b.add_argument("--port", type=int, default=8501)
    b.set_defaults(func=cmd_dashboard)
    y = sub.add_parser(
        "synth",
        help="write a synthetic corpus with answer keys (for scale tests and benchmarks)",
        description="See `ogi synth --help`.",
        add_help=False,
    )
    y.set_defaults(func=None)
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["synth"]:  # the generator owns its options (see `ogi synth --help`)
            return synth_main(argv[1:])
        args = parser.parse_args(argv)
        return args.func(args)
    except BrokenPipeError:  # `ogi check | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


def run() -> None:
    """The `ogi` executable: `main`, then an exit that skips the interpreter's teardown.

    Tearing down the thousands of modules Dagster and dbt load takes most of a second, after
    every command's work is done. What a normal exit does that matters is kept: threads still
    running are waited for, atexit handlers run (logging, Ray, multiprocessing), output is
    flushed. An exception ends the process the usual way, with its traceback."""
    try:
        code = main()
    except SystemExit as done:  # argparse: --help, --version, a usage error
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:  # sys.exit("message"), as the interpreter would
            print(done.code, file=sys.stderr)
            code = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
