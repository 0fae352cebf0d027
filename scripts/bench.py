"""Benchmark: parse throughput per format, the engines, then full / incremental / no-change refreshes.

    .venv/bin/python scripts/bench.py [--sizes 10000,100000] [--out DIR] [--keep] [--formats]
                                      [--engine-sample 2000]

`--formats` prints only the per-format table: the median time to read and parse one document
of each format (PDF through PDFium and through pdfplumber), each beside its floor (reading and
decoding the file; `pdftotext -layout` for PDFs), and OCR / .doc conversion where installed.

Reports come from `ogi synth` (seeded, so every run measures the same corpus), written into the
scratch raw/ with their answer keys beside it (raw/ holds the reports only). Every refresh is
the real `ogi refresh` (the Dagster job, dbt build and publish included), run as a user runs it
(no `--verbose`), in a scratch directory chosen through OGI_RAW_DIR / OGI_WAREHOUSE_DIR /
DAGSTER_HOME; each step's time is read back from the run's record in that Dagster instance. Peak memory is the largest sum
of the resident set sizes of the refresh process and all its children (parse workers, dbt),
sampled every 0.2 s. Each size is refreshed full, +1% (an incremental dbt build), with no
change, with the 1% removed again (incremental), and rebuilt with `--full`; every dashboard page
is timed on the warehouse with the 1% added (`dashboard.bench.page_query_times`). The engines
table refreshes one corpus on the process pool and on a local Ray cluster (OGI_ENGINE=ray), and
the projection scales the per-stage costs of the largest size to 1M reports. The figures are what this
machine did at that moment: other work on it (load average printed) makes them slower, never
faster, and a virtual machine's speed drifts too: a speed probe (a fixed pure-Python loop) is
timed at the start and at the end, so two runs can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import psutil
import pypdfium2

from dagster_project.dashboard.bench import page_query_times
from dagster_project.parsing import metadata
from dagster_project.parsing.cells import clear_caches
from dagster_project.parsing.readers.encoding import decode
from dagster_project.parsing.readers.pdf import read_pdf
from dagster_project.parsing.report import ParsedReport, parse_file, parse_text
from dagster_project.synth.pdf import write_pdfs

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OGI = BIN / "ogi"
STEPS = ("raw_reports", "staged_reports", "ogi_dbt_models", "published_warehouse")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def speed_probe() -> float:
    """CPU milliseconds of a fixed pure-Python workload (the best of 5): the same machine gives
    other figures at other moments, and this says how fast it was when the benchmark ran."""
    best = float("inf")
    for _ in range(5):
        t0 = time.process_time()
        total = 0
        for i in range(5_000_000):
            total += i % 7
        best = min(best, time.process_time() - t0)
    return best * 1000


def synth(n: int, out: Path, seed: int, answers: Path | None = None) -> float:
    """`ogi synth`: n reports in out, their answer keys in `answers` (default out/answers)."""
    started = time.monotonic()
    keys = ["--answers", str(answers)] if answers else []
    subprocess.run(
        [str(OGI), "synth", "--n", str(n), "--out", str(out), "--seed", str(seed), *keys],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


# -- parse throughput ---------------------------------------------------------------------------


def parse_throughput(sample_dir: Path, per_format: int, min_parses: int = 200) -> list[dict]:
    """The pure parsing function, one process, over up to `per_format` files of each format:
    passes over the files until `min_parses` parses (3 passes at least), each pass with emptied
    caches; the median pass is reported (five files once over are too few to time)."""
    by_format: dict[str, list[Path]] = defaultdict(list)
    for p in sorted(sample_dir.iterdir()):
        if p.is_file() and p.suffix != ".json":
            by_format[p.suffix.lstrip(".").lower()].append(p)
    for p in sorted((REPO / "raw").iterdir()):  # the real sample reports, as their own row
        if p.is_file():
            by_format[f"{p.suffix.lstrip('.').lower()} (raw/ samples)"].append(p)
    rows = []
    for fmt, files in sorted(by_format.items()):
        files = files[:per_format]
        for f in files:  # warm-up: imports, compiled patterns, the converter's dictionaries (a worker's one-off)
            parse_file(f)
        passes = []
        for _ in range(max(3, -(-min_parses // len(files)))):
            clear_caches()  # each pass benefits only from rows recurring across its reports
            metadata.clear_caches()
            wall, cpu = time.perf_counter(), time.process_time()
            for f in files:
                parse_file(f)
            passes.append((time.process_time() - cpu, time.perf_counter() - wall))
        cpu, wall = sorted(passes)[len(passes) // 2]
        size = sum(f.stat().st_size for f in files) / len(files)
        rows.append(
            {
                "format": fmt,
                "files": len(files),
                "passes": len(passes),
                "avg_kb": size / 1024,
                "wall_s": wall,
                "cpu_s": cpu,
                "per_core_wall": len(files) / wall,
                "per_core_cpu": len(files) / cpu if cpu else 0.0,
            }
        )
    return rows


# -- per format: one document at a time, beside the floor of its format ------------------------


def _timed(fn, items: list) -> tuple[float, float]:
    """Median wall and CPU seconds of fn(item) (CPU of child processes included), after a warm-up."""
    fn(items[0])
    wall, cpu = [], []
    for item in items:
        t, c = time.perf_counter(), _cpu()
        fn(item)
        wall.append(time.perf_counter() - t)
        cpu.append(_cpu() - c)
    return sorted(wall)[len(wall) // 2], sorted(cpu)[len(cpu) // 2]


def _cpu() -> float:
    used = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return sum(u.ru_utime + u.ru_stime for u in used)


def _row(fmt: str, reader: str, docs: int, wall: float, cpu: float | None, floor: float | None = None, pages=None):
    return {
        "format": fmt,
        "reader": reader,
        "docs": docs,
        "pages": pages,
        "wall_s": wall,
        "cpu_s": cpu,
        "floor_s": floor,
    }


def _parse_pdf(path: Path, fast: bool) -> None:
    data = path.read_bytes()
    parse_text(ParsedReport(path.name, str(path), "0" * 64, "pdf", len(data)), read_pdf(data, fast=fast).text)


def format_times(sample_dir: Path, scratch: Path, n: int = 20) -> list[dict]:
    """Median read + parse time of one txt, md, html and PDF document (PDF through PDFium and
    through pdfplumber), each beside its floor: reading and decoding the same files, and
    `pdftotext -layout` on the same PDFs. PDFs: `synth.pdf` reports and the real corpus's."""
    real = REPO.parent / "shared" / "corpus" / "real"
    files = {
        "txt": sorted(sample_dir.glob("*.txt"))[:n],
        "md": sorted((REPO / "raw").glob("*.md")) + sorted(real.glob("*.md")),
        "html": sorted(sample_dir.glob("*.html"))[:n],
    }
    try:
        files["pdf"] = write_pdfs(n, scratch / "pdfs", seed=0) + sorted(real.glob("*.pdf"))
    except FileNotFoundError as why:
        print(f"pdf: generated PDFs skipped: {why}", flush=True)
        files["pdf"] = sorted(real.glob("*.pdf"))
    rows = []
    for fmt, paths in files.items():
        if not paths:
            continue
        if fmt != "pdf":
            floor = _timed(lambda p: decode(p.read_bytes()), paths)
            rows += [_row(fmt, "read + parse", len(paths), *_timed(parse_file, paths), floor[0])]
            rows += [_row(fmt, "floor: read + decode", len(paths), *floor, floor[0])]
            continue
        pages = sum(len(pypdfium2.PdfDocument(p)) for p in paths) / len(paths)
        base = None
        if shutil.which("pdftotext"):
            floor = _timed(lambda p: subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True), paths)
            base = floor[0]
        else:
            print("pdf floor skipped: pdftotext is absent (apt-get install poppler-utils)", flush=True)
        for reader, fast in (("PDFium, read + parse", True), ("pdfplumber, read + parse", False)):
            rows.append(_row(fmt, reader, len(paths), *_timed(lambda p, f=fast: _parse_pdf(p, f), paths), base, pages))
        if base is not None:
            rows.append(_row(fmt, "floor: pdftotext -layout", len(paths), *floor, base, pages))
    return rows + _ocr_and_conversion_times()


def _ocr_and_conversion_times() -> list[dict]:
    """OCR time per page and .doc conversion time per file, where those readers are installed."""
    rows = []
    try:
        from dagster_project.parsing.readers import ocr  # noqa: PLC0415 - a reader that may be absent
    except ImportError:
        print("OCR: not available (no dagster_project.parsing.readers.ocr)", flush=True)
    else:
        scan = next(iter(sorted((REPO / "tests" / "fixtures" / "scanned").glob("*.pdf"))), None)
        if scan is not None:
            data, t, c = scan.read_bytes(), time.perf_counter(), _cpu()
            doc, pages = ocr.read_scanned_pdf(data), len(pypdfium2.PdfDocument(data))
            if doc.readable:
                rows.append(
                    _row("pdf (scanned)", "OCR, per page", 1, (time.perf_counter() - t) / pages, (_cpu() - c) / pages)
                )
            else:
                print(f"OCR: not available ({doc.issues[-1].message})", flush=True)
    try:
        from dagster_project.parsing.readers import legacy_word  # noqa: PLC0415 - a reader that may be absent
        from dagster_project.pipeline.libreoffice import convert_to_docx, soffice  # noqa: PLC0415
    except ImportError:
        print(".doc conversion: not available (no dagster_project.parsing.readers.legacy_word)", flush=True)
    else:
        docs = sorted((REPO / "tests" / "fixtures" / "legacy_word").glob("*.doc"))
        if docs and soffice():
            t, c = time.perf_counter(), _cpu()
            with legacy_word.conversions(convert_to_docx, docs):  # one LibreOffice run for all, as a refresh
                read = [legacy_word.read_legacy_word(p.read_bytes(), "doc") for p in docs]
            wall, cpu = (time.perf_counter() - t) / len(docs), (_cpu() - c) / len(docs)
            if all(d.readable for d in read):
                rows.append(_row("doc", "LibreOffice conversion + read, per file", len(docs), wall, cpu))
            else:
                print(f".doc conversion: not available ({read[0].issues[-1].message})", flush=True)
        elif docs:
            print(".doc conversion: not available (no soffice: apt-get install libreoffice-writer-nogui)", flush=True)
    return rows


def print_format_times(rows: list[dict]) -> None:
    print("Per format (one document at a time in one process; medians; CPU includes child processes):")
    print()
    print("| format | reader | docs | pages/doc | ms/doc (wall) | ms/doc (CPU) | docs/s | × floor (wall) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cpu = f"{r['cpu_s'] * 1e3:.1f}" if r["cpu_s"] is not None else "-"
        pages = f"{r['pages']:.1f}" if r["pages"] else "-"
        ratio = f"{r['wall_s'] / r['floor_s']:.1f}" if r["floor_s"] else "-"
        print(
            f"| {r['format']} | {r['reader']} | {r['docs']} | {pages} | {r['wall_s'] * 1e3:.1f} | {cpu} | "
            f"{1 / r['wall_s']:.1f} | {ratio} |"
        )


# -- refreshes ----------------------------------------------------------------------------------


def _role(p: psutil.Process) -> str:
    cmd = " ".join(p.cmdline())
    for key, role in (
        ("bin/dbt", "dbt"),
        ("ogi refresh", "ogi refresh"),
        ("spawn_main", "parse worker"),
        ("resource_tracker", "resource tracker"),
    ):
        if key in cmd:
            return role
    return p.name()


class TreeMemory(threading.Thread):
    """Peak of (RSS of a process + RSS of all its descendants), sampled every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.samples = pid, interval, 0, 0
        self.at_peak: list[tuple[int, str]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stopped.is_set():
            total, parts = 0, []
            try:
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                break
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    total += rss
                    parts.append((rss, _role(p)))
                except psutil.Error:
                    pass
            if total > self.peak:
                self.peak, self.at_peak = total, sorted(parts, reverse=True)[:3]
            self.samples += 1
            self.stopped.wait(self.interval)


def refresh(root: Path, label: str, args: tuple[str, ...] = (), **extra_env: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    env.update(**extra_env)
    env.update(
        OGI_RAW_DIR=str(root / "raw"),
        OGI_WAREHOUSE_DIR=str(root / "warehouse"),
        DAGSTER_HOME=str(root / "dagster_home"),
        OGI_PROGRESS="",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
    )
    log = root / f"{label}.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen([str(OGI), "refresh", *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        mem = TreeMemory(proc.pid)
        mem.start()
        rc = proc.wait()
        mem.stopped.set()
        mem.join()
    wall = time.monotonic() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    run_id = re.search(r"refresh (?:succeeded|FAILED) \(run ([0-9a-f-]+)\)", text)
    steps = step_seconds(root / "dagster_home", run_id.group(1)) if run_id else {}
    files = re.search(r"new / changed / unchanged / removed\s+(\d+) / (\d+) / (\d+) / (\d+)", text)
    parsed = re.search(r"reports parsed now / reused\s+(\d+) / (\d+)", text)
    published = re.search(r"warehouse\s+published\s+(.+?)\s*$", text, re.MULTILINE)
    build = re.search(r"warehouse\s+dbt build\s+(.+?)\s*$", text, re.MULTILINE)
    return {
        "build": build.group(1) if build else "-",
        "decide_s": _between(text, r"parsed \d+/\d+ reports in", r"cells decided by"),
        "label": label,
        "rc": rc,
        "wall_s": wall,
        "peak_rss_mb": mem.peak / 2**20,
        "mem_samples": mem.samples,
        "at_peak": ", ".join(f"{role} {rss / 2**20:,.0f} MB" for rss, role in mem.at_peak),
        "steps": steps,
        "files": [int(x) for x in files.groups()] if files else None,
        "parsed_now": int(parsed.group(1)) if parsed else None,
        "reused": int(parsed.group(2)) if parsed else None,
        "published": published.group(1) if published else "?",
        "log": str(log),
    }


def step_seconds(dagster_home: Path, run_id: str) -> dict[str, float]:
    """How long each step of a run took, from the run's events in its Dagster instance (the
    steps skipped in a no-change refresh have none)."""
    import dagster as dg  # noqa: PLC0415 - only the refreshes need it
    from dagster._core.instance.ref import InstanceRef  # noqa: PLC0415

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        return {
            stats.step_key: stats.end_time - stats.start_time
            for stats in instance.get_run_step_stats(run_id)
            if stats.start_time is not None
            and stats.end_time is not None
            and stats.status is not None
            and stats.status.value == "SUCCESS"
        }


def _between(log: str, first: str, then: str) -> float | None:
    """Seconds between the last log line matching `first` and the next one matching `then`
    (Dagster's log lines start with their time)."""
    stamp = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)"
    a = [m for m in re.finditer(stamp + r".*" + first, log, re.MULTILINE)]
    b = [m for m in re.finditer(stamp + r".*" + then, log, re.MULTILINE)]
    if not a or not b:
        return None
    start = time.mktime(time.strptime(a[-1].group(1), "%Y-%m-%d %H:%M:%S"))
    end = time.mktime(time.strptime(b[-1].group(1), "%Y-%m-%d %H:%M:%S"))
    return end - start


def held(db: Path) -> dict:
    """What the published warehouse holds after a refresh."""
    if not db.exists():
        return {"warehouse_reports": None}
    with duckdb.connect(str(db), read_only=True) as con:
        reports = con.execute("select count(*) from dim_report").fetchall()[0][0]
        cells = con.execute("select count(*) from staging.stg_cells").fetchall()[0][0]
    return {"warehouse_reports": reports, "warehouse_cells": cells, "db_mb": db.stat().st_size / 2**20}


def bench_size(n: int, scratch: Path) -> tuple[list[dict], dict[str, dict[str, float]]]:
    """The refreshes of a corpus of `n` reports: full, +1% (incremental), no change, the 1%
    removed again (incremental), and a full rebuild of the same staging; the dashboard's query
    time per page on the warehouse with the 1% added."""
    pages: dict[str, dict[str, float]] = {}
    root = scratch / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "dagster_home").mkdir(parents=True)
    (root / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    print(f"[{n}] generating {n} reports ...", flush=True)
    # the answer keys beside raw/, not in it: raw/ holds the n reports and nothing else
    gen_s = synth(n, root / "raw" / "base", seed=0, answers=root / "answers" / "base")
    results = []
    one_percent = max(1, n // 100)
    steps = (
        ("full", None, ()),
        (
            "+1% (incremental)",
            lambda: synth(one_percent, root / "raw" / "added", seed=1, answers=root / "answers" / "added"),
            (),
        ),
        ("no change", None, ()),
        ("−1% removed (incremental)", lambda: shutil.rmtree(root / "raw" / "added"), ()),
        ("rebuild (--full, staged parts reused)", None, ("--full",)),
    )
    for label, prepare, flags in steps:
        if prepare:
            prepare()
        print(f"[{n}] {label} refresh ...", flush=True)
        r = refresh(root, label.split()[0].strip("+−"), flags)
        r.update(
            label=label, n=n, synth_s=gen_s if label == "full" else None, **held(root / "warehouse" / "ogi.duckdb")
        )
        results.append(r)
        print(
            f"[{n}] {label}: rc={r['rc']} wall={r['wall_s']:.1f} s peak={r['peak_rss_mb']:.0f} MB ({r['at_peak']}) "
            f"build={r['build']} steps={ {k: round(v, 1) for k, v in r['steps'].items()} }",
            flush=True,
        )
        if r["rc"] != 0:
            print(f"[{n}] refresh failed: see {r['log']}", flush=True)
            return results, {}
        if label.startswith("+1%"):  # the dashboard is timed on the warehouse with the 1% added
            print(f"[{n}] dashboard page query times ...", flush=True)
            pages = page_query_times(root / "warehouse" / "ogi.duckdb")
    return results, pages


def engine_runs(n: int, scratch: Path) -> list[dict]:
    """The same corpus of `n` reports refreshed on the local process pool and on a local Ray
    cluster of 2 workers (OGI_ENGINE=ray): the staging step and the whole refresh."""
    corpus = scratch / f"engines-{n}" / "corpus"
    synth(n, corpus, seed=0)
    runs = []
    for engine in ("local", "ray"):
        root = scratch / f"engines-{n}" / engine
        (root / "dagster_home").mkdir(parents=True)
        (root / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        shutil.copytree(corpus, root / "raw", ignore=shutil.ignore_patterns("answers"))
        print(f"[engines] {n} reports on {engine} ...", flush=True)
        r = refresh(root, engine, OGI_ENGINE=engine, OGI_WORKERS="2")
        r.update(label=engine, n=n)
        runs.append(r)
    return runs


def projection(results: list[dict], cores: int) -> list[tuple[str, str, str]]:
    """A 1M-report history from the per-stage costs measured at the largest size (linear in the
    reports; the incremental dbt step scales with the warehouse it updates, so it is scaled too)."""
    n = max((r["n"] for r in results), default=0)
    by = {r["label"]: r for r in results if r["n"] == n}
    full, plus, idle = by.get("full"), by.get("+1% (incremental)"), by.get("no change")
    if not n or not full or not plus or not idle:
        return []
    k = 1_000_000 / n
    parse_core_s = full["steps"].get("staged_reports", 0) * cores / max(1, full["parsed_now"] or 1)
    dbt_full = full["steps"].get("ogi_dbt_models", 0)
    # what a refresh costs whatever it does (process start, inventory, the up-to-date check),
    # plus the rest of the +1% refresh scaled with the warehouse
    fixed = idle["wall_s"]
    rows = [
        (
            "parse (distributable)",
            f"{parse_core_s * 1e3:.1f} ms CPU per report",
            f"{fmt_s(parse_core_s * 1e6 / cores)} on {cores} cores; {fmt_s(parse_core_s * 1e6 / 64)} on 64",
        ),
        ("dbt build, full (one machine)", fmt_s(dbt_full), fmt_s(dbt_full * k)),
        ("cross-year decisions (one machine)", fmt_s(full.get("decide_s")), fmt_s((full.get("decide_s") or 0) * k)),
        (
            "+1% refresh (incremental)",
            fmt_s(plus["wall_s"]),
            f"{fmt_s(fixed + (plus['wall_s'] - fixed) * k)} (10,000 reports added)",
        ),
        ("no-change refresh", fmt_s(fixed), f"{fmt_s(fixed * k)} at most (it hashes the inventory)"),
    ]
    return rows


def fmt_s(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min ({s:.0f} s)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="corpus sizes, comma-separated (default 10000,100000)")
    ap.add_argument("--out", type=Path, default=REPO / "warehouse" / "bench", help="scratch directory")
    ap.add_argument("--keep", action="store_true", help="keep the scratch corpora and warehouses")
    ap.add_argument("--parse-sample", type=int, default=200, help="files per format for parse throughput")
    ap.add_argument("--formats", action="store_true", help="only the per-format table (read + parse of one document)")
    ap.add_argument(
        "--engine-sample",
        type=int,
        default=2000,
        help="reports refreshed on the process pool and on a local Ray cluster (0: skip; default 2000)",
    )
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=args.out))

    cores = os.cpu_count()
    load = os.getloadavg()
    mem_gb = psutil.virtual_memory().total / 2**30
    probe = speed_probe()
    print(
        f"machine: {cores} cores, {cpu_model()}, {mem_gb:.0f} GiB RAM; python {platform.python_version()}; "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; speed probe {probe:.0f} ms",
        flush=True,
    )

    # the Dagster definitions need dbt's manifest of the project as it is now
    subprocess.run(
        [str(BIN / "dbt"), "parse", "--quiet", "--project-dir", ".", "--profiles-dir", "."],
        cwd=REPO / "dbt",
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    sample = scratch / "parse_sample"
    if args.formats:
        synth(60, sample, seed=0)
        rows = format_times(sample, scratch)
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        print()
        print_format_times(rows)
        return 0
    synth(args.parse_sample * 3, sample, seed=0)
    parse_rows = parse_throughput(sample, args.parse_sample)
    format_rows = format_times(sample, scratch)
    results, engines = [], []
    pages: dict[int, dict[str, dict[str, float]]] = {}
    try:
        if args.engine_sample:
            engines = engine_runs(args.engine_sample, scratch)
        for n in sizes:
            refreshes, pages[n] = bench_size(n, scratch)
            results += refreshes
    finally:
        probe_at_end = speed_probe()
        summary = {
            "speed_probe_ms": [probe, probe_at_end],
            "cores": cores,
            "cpu": cpu_model(),
            "ram_gib": mem_gb,
            "load_at_start": load,
            "load_at_end": os.getloadavg(),
            "parse": parse_rows,
            "formats": format_rows,
            "refresh": results,
            "engines": engines,
            "dashboard_pages": pages,
        }
        (args.out / "bench.json").write_text(json.dumps(summary, indent=2, default=str))
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(
        f"Machine: {cores} cores ({cpu_model()}), {mem_gb:.0f} GiB RAM. Load average at start "
        f"{load[0]:.2f}, at end {os.getloadavg()[0]:.2f} (other work on the machine slows every figure). "
        f"Speed probe (a fixed pure-Python loop, best of 5, CPU ms; lower is faster): {probe:.0f} at start, "
        f"{probe_at_end:.0f} at end."
    )
    print()
    print("Parse throughput (pure parsing function, one process; reports/s per core, the median of the passes):")
    print()
    print("| format | files × passes | avg size | reports/s per core (wall) | reports/s per core (CPU time) |")
    print("|---|---:|---:|---:|---:|")
    for r in parse_rows:
        print(
            f"| {r['format']} | {r['files']} × {r['passes']} | {r['avg_kb']:.1f} KB | {r['per_core_wall']:.0f} | "
            f"{r['per_core_cpu']:.0f} |"
        )
    print()
    print_format_times(format_rows)
    print()
    print("Refreshes (`ogi refresh`: Dagster job, parse, dbt build + tests, publish):")
    print()
    print(
        "| reports | refresh | wall | peak RSS (process tree) | largest at the peak | parsed / reused | inventory | "
        "parse | dbt build | publish | dbt build was | published |"
    )
    print("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        s = r["steps"]
        print(
            f"| {r['n']:,} | {r['label']} | {fmt_s(r['wall_s'])} | {r['peak_rss_mb']:,.0f} MB | {r['at_peak']} | "
            f"{r['parsed_now']} / {r['reused']} | {fmt_s(s.get('raw_reports'))} | "
            f"{fmt_s(s.get('staged_reports'))} | {fmt_s(s.get('ogi_dbt_models'))} | "
            f"{fmt_s(s.get('published_warehouse'))} | {r['build']} | "
            f"{r['published']}{'' if r['rc'] == 0 else ' (FAILED)'} |"
        )
    if engines:
        print()
        print(f"Engines ({engines[0]['n']:,} reports, a fresh warehouse each; 2 workers):")
        print()
        print("| engine | staging step (parse) | reports/s | whole refresh |")
        print("|---|---:|---:|---:|")
        for r in engines:
            stage = r["steps"].get("staged_reports")
            rate = f"{r['n'] / stage:.0f}" if stage else "-"
            print(
                f"| {r['label']} | {fmt_s(stage)} | {rate} | {fmt_s(r['wall_s'])}{'' if r['rc'] == 0 else ' (FAILED)'} |"
            )
    projected = projection(results, cores or 1)
    if projected:
        print()
        print("Projection to 1,000,000 reports (linear in the reports, from the largest size measured):")
        print()
        print("| stage | measured | at 1M |")
        print("|---|---:|---:|")
        for stage, measured, at_1m in projected:
            print(f"| {stage} | {measured} | {at_1m} |")
    for n in sizes:
        full = next((r for r in results if r["n"] == n and r["label"] == "full"), None)
        if full and full.get("warehouse_reports") is not None:
            parse_s = full["steps"].get("staged_reports")
            rate = (
                f"; parsing {full['parsed_now'] / parse_s / cores:.0f} reports/s per core in the pool"
                if parse_s and full["parsed_now"]
                else ""
            )
            print(
                f"\n{n:,}: corpus generated in {fmt_s(full['synth_s'])}; warehouse holds "
                f"{full['warehouse_reports']:,} reports, {full['warehouse_cells']:,} cells, "
                f"{full['db_mb']:.0f} MB{rate}."
            )
    for n, times in pages.items():
        if not times:
            continue
        print(
            f"\nDashboard query time per page at {n:,} reports (+1%), ms (a fresh connection per view, as a request):"
        )
        print()
        print("| page | p50 | p95 | max | first view after a publish |")
        print("|---|---:|---:|---:|---:|")
        for page, t in times.items():
            print(f"| {page} | {t['p50_ms']:.0f} | {t['p95_ms']:.0f} | {t['max_ms']:.0f} | {t['first_view_ms']:.0f} |")
    print(f"\nraw figures: {args.out / 'bench.json'}" + ("" if not args.keep else f"; scratch kept in {scratch}"))
    return 0 if all(r["rc"] == 0 for r in results + engines) else 1


if __name__ == "__main__":
    sys.exit(main())
