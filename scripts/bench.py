"""Benchmark: parse throughput per format, then full / incremental / no-change refreshes.

    .venv/bin/python scripts/bench.py [--sizes 10000,100000] [--out DIR] [--keep]

Reports come from `ogi synth` (seeded, so every run measures the same corpus). Every refresh is
the real `ogi refresh` (the Dagster job, dbt build and publish included) in a scratch directory
chosen through OGI_RAW_DIR / OGI_WAREHOUSE_DIR / DAGSTER_HOME. Peak memory is the largest sum
of the resident set sizes of the refresh process and all its children (parse workers, dbt),
sampled every 0.2 s. The figures are what this machine did at that moment: other work on it
(load average printed) makes them slower, never faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
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

from dagster_project.parsing.report import parse_file

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


def synth(n: int, out: Path, seed: int) -> float:
    started = time.monotonic()
    subprocess.run(
        [str(OGI), "synth", "--n", str(n), "--out", str(out), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


# -- parse throughput ---------------------------------------------------------------------------


def parse_throughput(sample_dir: Path, per_format: int) -> list[dict]:
    """The pure parsing function, one process, over up to `per_format` files of each format."""
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
        parse_file(files[0])  # warm-up: imports, compiled patterns
        wall, cpu = time.perf_counter(), time.process_time()
        for f in files:
            parse_file(f)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(f.stat().st_size for f in files) / len(files)
        rows.append(
            {
                "format": fmt,
                "files": len(files),
                "avg_kb": size / 1024,
                "wall_s": wall,
                "cpu_s": cpu,
                "per_core_wall": len(files) / wall,
                "per_core_cpu": len(files) / cpu if cpu else 0.0,
            }
        )
    return rows


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


def refresh(root: Path, label: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
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
        proc = subprocess.Popen([str(OGI), "refresh", "--verbose"], env=env, stdout=out, stderr=subprocess.STDOUT)
        mem = TreeMemory(proc.pid)
        mem.start()
        rc = proc.wait()
        mem.stopped.set()
        mem.join()
    wall = time.monotonic() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    steps = {}
    for step, mins, secs, unit in re.findall(r'Finished execution of step "(\w+)" in (?:(\d+)m)?([\d.]+)(ms|s)', text):
        steps[step] = int(mins or 0) * 60 + float(secs) / (1000 if unit == "ms" else 1)
    files = re.search(r"new / changed / unchanged / removed\s+(\d+) / (\d+) / (\d+) / (\d+)", text)
    parsed = re.search(r"reports parsed now / reused\s+(\d+) / (\d+)", text)
    published = re.search(r"warehouse\s+published\s+(.+?)\s*$", text, re.MULTILINE)
    return {
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


def held(db: Path) -> dict:
    """What the published warehouse holds after a refresh."""
    if not db.exists():
        return {"warehouse_reports": None}
    with duckdb.connect(str(db), read_only=True) as con:
        reports = con.execute("select count(*) from dim_report").fetchall()[0][0]
        cells = con.execute("select count(*) from stg_cells").fetchall()[0][0]
    return {"warehouse_reports": reports, "warehouse_cells": cells, "db_mb": db.stat().st_size / 2**20}


def bench_size(n: int, scratch: Path) -> list[dict]:
    root = scratch / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "dagster_home").mkdir(parents=True)
    (root / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    print(f"[{n}] generating {n} reports ...", flush=True)
    gen_s = synth(n, root / "raw" / "base", seed=0)
    results = []
    for label, prepare in (
        ("full", None),
        ("incremental +1%", lambda: synth(max(1, n // 100), root / "raw" / "added", seed=1)),
        ("no change", None),
    ):
        if prepare:
            prepare()
        print(f"[{n}] {label} refresh ...", flush=True)
        r = refresh(root, label.split()[0])
        r.update(
            label=label, n=n, synth_s=gen_s if label == "full" else None, **held(root / "warehouse" / "ogi.duckdb")
        )
        results.append(r)
        print(
            f"[{n}] {label}: rc={r['rc']} wall={r['wall_s']:.1f} s peak={r['peak_rss_mb']:.0f} MB ({r['at_peak']}) "
            f"steps={ {k: round(v, 1) for k, v in r['steps'].items()} }",
            flush=True,
        )
        if r["rc"] != 0:
            print(f"[{n}] refresh failed: see {r['log']}", flush=True)
            break
    return results


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
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=args.out))

    cores = os.cpu_count()
    load = os.getloadavg()
    mem_gb = psutil.virtual_memory().total / 2**30
    print(
        f"machine: {cores} cores, {cpu_model()}, {mem_gb:.0f} GiB RAM; python {platform.python_version()}; "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
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
    synth(args.parse_sample * 3, sample, seed=0)
    parse_rows = parse_throughput(sample, args.parse_sample)
    results = []
    try:
        for n in sizes:
            results += bench_size(n, scratch)
    finally:
        summary = {
            "cores": cores,
            "cpu": cpu_model(),
            "ram_gib": mem_gb,
            "load_at_start": load,
            "load_at_end": os.getloadavg(),
            "parse": parse_rows,
            "refresh": results,
        }
        (args.out / "bench.json").write_text(json.dumps(summary, indent=2, default=str))
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(
        f"Machine: {cores} cores ({cpu_model()}), {mem_gb:.0f} GiB RAM. Load average at start "
        f"{load[0]:.2f}, at end {os.getloadavg()[0]:.2f} (other work on the machine slows every figure)."
    )
    print()
    print("Parse throughput (pure parsing function, one process; reports/s per core):")
    print()
    print("| format | files | avg size | reports/s per core (wall) | reports/s per core (CPU time) |")
    print("|---|---:|---:|---:|---:|")
    for r in parse_rows:
        print(
            f"| {r['format']} | {r['files']} | {r['avg_kb']:.1f} KB | {r['per_core_wall']:.0f} | "
            f"{r['per_core_cpu']:.0f} |"
        )
    print()
    print("Refreshes (`ogi refresh`: Dagster job, parse, dbt build + tests, publish):")
    print()
    print(
        "| reports | refresh | wall | peak RSS (process tree) | largest at the peak | parsed / reused | inventory | "
        "parse | dbt build | publish | published |"
    )
    print("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        s = r["steps"]
        print(
            f"| {r['n']:,} | {r['label']} | {fmt_s(r['wall_s'])} | {r['peak_rss_mb']:,.0f} MB | {r['at_peak']} | "
            f"{r['parsed_now']} / {r['reused']} | {fmt_s(s.get('raw_reports'))} | "
            f"{fmt_s(s.get('staged_reports'))} | {fmt_s(s.get('ogi_dbt_models'))} | "
            f"{fmt_s(s.get('published_warehouse'))} | {r['published']}{'' if r['rc'] == 0 else ' (FAILED)'} |"
        )
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
    print(f"\nraw figures: {args.out / 'bench.json'}" + ("" if not args.keep else f"; scratch kept in {scratch}"))
    return 0 if all(r["rc"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
