"""What a refresh has to do: inventory raw/ by content hash and reconcile it with staging.

Pure functions over files and Polars frames (no Dagster), so the plan is testable alone:
- the inventory reuses the previous hashes of files whose path, size and mtime are unchanged;
- staged parts written by another parser version, orphaned by a killed batch, or holding
  only removed files are deleted; only content not yet staged is parsed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .parsing.schema import PARSER_VERSION, TABLES

REPORT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps"}
INVENTORY_SCHEMA = {
    "path": pl.Utf8,
    "file_name": pl.Utf8,
    "byte_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "content_hash": pl.Utf8,
}


def is_report_name(name: str) -> bool:
    """A file name raw/ takes as a report: a supported suffix, not hidden."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in REPORT_SUFFIXES


def _scan(folder: str) -> Iterator[os.DirEntry]:
    """Report files under folder, recursively (one directory read per folder, no path resolving:
    at 100k files this is what keeps an unchanged inventory cheap)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _scan(entry.path)
            elif is_report_name(entry.name) and entry.is_file():
                yield entry


def list_raw_files(raw_dir: Path) -> list[Path]:
    root = Path(raw_dir).resolve()
    return sorted(Path(e.path) for e in _scan(str(root))) if root.is_dir() else []


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def take_inventory(raw_dir: Path, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    known = {}
    if previous is not None and previous.height:
        known = {
            (path, size, mtime): digest
            for path, size, mtime, digest in previous.select(
                "path", "byte_size", "mtime_ns", "content_hash"
            ).iter_rows()
        }
    rows = []
    root = Path(raw_dir).resolve()
    for entry in sorted(_scan(str(root)), key=lambda e: e.path) if root.is_dir() else []:
        st = entry.stat()
        digest = known.get((entry.path, st.st_size, st.st_mtime_ns)) or _sha256(Path(entry.path))
        rows.append((entry.path, entry.name, st.st_size, st.st_mtime_ns, digest))
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA, orient="row")


@dataclass
class Changes:
    new: int
    changed: int
    unchanged: int
    removed: int

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "removed": self.removed}


def compare(previous: pl.DataFrame | None, current: pl.DataFrame) -> Changes:
    if previous is None or previous.height == 0:
        return Changes(current.height, 0, 0, 0)
    joined = current.select("path", "content_hash").join(
        previous.select("path", pl.col("content_hash").alias("before")), on="path", how="full", coalesce=True
    )
    return Changes(
        new=joined.filter(pl.col("before").is_null()).height,
        changed=joined.filter(
            pl.col("content_hash").is_not_null()
            & pl.col("before").is_not_null()
            & (pl.col("content_hash") != pl.col("before"))
        ).height,
        unchanged=joined.filter(pl.col("content_hash") == pl.col("before")).height,
        removed=joined.filter(pl.col("content_hash").is_null()).height,
    )


@dataclass
class Plan:
    to_parse: list[str]  # one path per content hash that has no staged rows
    reused: int  # content hashes whose staged rows are kept
    dropped_parts: int  # parts deleted (stale parser version, orphaned, or all removed)
    pruned_parts: int = 0  # parts rewritten without the reports of removed or changed files


def _parts(staging_dir: Path, table: str) -> list[Path]:
    folder = staging_dir / table
    return sorted(folder.glob("part-*.parquet")) if folder.exists() else []


def _drop_batch(staging_dir: Path, batch_file: str) -> None:
    for table in TABLES:
        (staging_dir / table / batch_file).unlink(missing_ok=True)


def _prune_batch(staging_dir: Path, batch_file: str, keep: set[str]) -> None:
    """Rewrite a batch's parts with only the reports whose content is still in raw/ (atomically,
    part by part, `reports` last: a prune killed half-way is simply done again)."""
    reports = pl.read_parquet(staging_dir / "reports" / batch_file).filter(pl.col("content_hash").is_in(list(keep)))
    ids = reports["report_id"].to_list()
    for table in ("cells", "issues", "reports"):
        path = staging_dir / table / batch_file
        if not path.exists():
            continue
        df = reports if table == "reports" else pl.read_parquet(path).filter(pl.col("report_id").is_in(ids))
        tmp = path.with_name(f".{batch_file}.tmp")
        df.write_parquet(tmp)
        tmp.replace(path)


def plan(inventory: pl.DataFrame, staging_dir: Path) -> Plan:
    for leftover in staging_dir.glob("*/.part-*.tmp"):  # a write killed mid-way
        leftover.unlink()
    dropped = pruned = 0
    committed = {p.name for p in _parts(staging_dir, "reports")}
    for table in ("cells", "issues"):  # parts of a batch killed before its reports part
        for part in _parts(staging_dir, table):
            if part.name not in committed:
                part.unlink()
                dropped += 1
    current = set(inventory["content_hash"].to_list())
    staged: set[str] = set()
    for part in _parts(staging_dir, "reports"):
        meta = pl.read_parquet(part, columns=["content_hash", "parser_version"])
        hashes = set(meta["content_hash"].to_list())
        stale = meta.filter(pl.col("parser_version") != PARSER_VERSION).height > 0
        # a part repeating content another part holds (a batch finished by a process that
        # outlived its killed refresh) would stage a report twice: drop it, re-parse the rest
        if stale or not hashes & current or hashes & staged:
            _drop_batch(staging_dir, part.name)
            dropped += 1
        else:
            if hashes - current:  # some of its files were removed or changed: only the rest stays
                _prune_batch(staging_dir, part.name, hashes & current)
                pruned += 1
            staged |= hashes & current
    todo = inventory.filter(~pl.col("content_hash").is_in(list(staged))).unique(
        "content_hash", keep="first", maintain_order=True
    )
    return Plan(todo["path"].to_list(), len(current & staged), dropped, pruned)


def fingerprint(inventory: pl.DataFrame, dbt_dir: Path) -> str:
    """What the published warehouse is a function of: the files (path and content), the parser
    version and the dbt project. Equal fingerprints mean a rebuild would produce the same marts."""
    h = hashlib.sha256(PARSER_VERSION.encode())
    for path, digest in sorted(inventory.select("path", "content_hash").iter_rows()):
        h.update(f"{path}\0{digest}\n".encode())
    for path in sorted(
        p for sub in ("models", "seeds", "macros", "tests") for p in (dbt_dir / sub).rglob("*") if p.is_file()
    ) + [dbt_dir / "dbt_project.yml", dbt_dir / "profiles.yml"]:
        h.update(str(path.relative_to(dbt_dir)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def published_fingerprint(db_path: Path) -> str | None:
    """The fingerprint stamped into a published warehouse (None when absent or unreadable)."""
    import duckdb

    if not db_path.exists():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return con.execute("select fingerprint from meta.build_info").fetchall()[0][0]
    except (duckdb.Error, IndexError):
        return None


# -- crash safety ------------------------------------------------------------------------------
# One refresh at a time per warehouse directory: `refresh_lock` holds an exclusive flock on
# <warehouse>/.refresh.lock (released by the kernel when the process dies, however it dies).
# Whoever takes the lock first ends what a killed refresh left running (its dbt process),
# so the next refresh needs no manual cleanup.

_held: dict[str, int] = {}  # lock path -> file descriptor, for re-entry from the job's steps


def _children_file(warehouse_dir: Path) -> Path:
    return warehouse_dir / ".refresh.children"


def record_child(warehouse_dir: Path, pid: int) -> None:
    """Remember a subprocess of this refresh, to be ended if this process dies before it."""
    import psutil

    try:
        entry = {"pid": pid, "started": psutil.Process(pid).create_time(), "parent": os.getpid()}
    except psutil.Error:
        return
    with _children_file(warehouse_dir).open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def reap_orphans(warehouse_dir: Path) -> list[int]:
    """End the recorded subprocesses of a dead refresh that still run; returns their pids."""
    import psutil

    path = _children_file(warehouse_dir)
    if not path.exists():
        return []
    ended = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            proc = psutil.Process(entry["pid"])
            if abs(proc.create_time() - entry["started"]) > 0.01 or entry["parent"] == os.getpid():
                continue  # the pid was reused, or the process is ours
            proc.kill()
            proc.wait(10)
            ended.append(entry["pid"])
        except (ValueError, KeyError, psutil.Error):
            continue
    path.unlink(missing_ok=True)
    return ended


@contextmanager
def refresh_lock(warehouse_dir: Path, log=None) -> Iterator[None]:
    """Hold the warehouse's refresh lock; waits while another refresh holds it. Re-entrant."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    key = str(warehouse_dir / ".refresh.lock")
    if key in _held:
        yield
        return
    fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by subprocesses
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            (log or print)(f"another refresh of {warehouse_dir} is running: waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held[key] = fd
        ended = reap_orphans(warehouse_dir)
        if ended:
            (log or print)(f"ended processes left running by a killed refresh: {ended}")
        yield
    finally:
        _held.pop(key, None)
        os.close(fd)


def pause_point(phase: str) -> None:
    """Test hook: with OGI_TEST_PAUSE_AT=<phase> the process writes the marker file
    OGI_TEST_PAUSE_MARKER (default <warehouse>/.paused-<phase>) and sleeps, so a test can kill
    it at a known point. Phases: parse (first batch staged), dbt (dbt build running), publish
    (build stamped and flushed, not yet renamed). No effect when the variable is unset."""
    if os.environ.get("OGI_TEST_PAUSE_AT") != phase:
        return
    from . import settings

    marker = Path(os.environ.get("OGI_TEST_PAUSE_MARKER") or settings.warehouse_dir() / f".paused-{phase}")
    marker.write_text(str(os.getpid()), encoding="utf-8")
    print(f"paused at {phase} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get("OGI_TEST_PAUSE_S", "600")))
