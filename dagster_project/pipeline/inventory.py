"""raw/ by content hash: every file a refresh has seen, and which of them are reports.

Every entry under raw/ gets a row: a report file (status `report`, with its SHA-256) or a file
that is not read, with the reason as an issue code (status `rejected`): hidden names, names of no
report format, symbolic links pointing outside raw/ (followed only with OGI_RAW_FOLLOW_SYMLINKS=1),
files and folders that cannot be read. Nothing is skipped silently; `dim_source_file` shows them
all. The previous hash of a file whose path, size and modification time are unchanged is reused,
so an unchanged raw/ of 100k files is listed, not read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from ..parsing.catalogue import IssueCode
from ..parsing.readers import is_report_name

INVENTORY_SCHEMA = {
    "path": pl.Utf8,
    "file_name": pl.Utf8,
    "byte_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "content_hash": pl.Utf8,  # null for a rejected file
    "status": pl.Utf8,  # report | rejected
    "reason": pl.Utf8,  # rejected: the IssueCode saying why (hidden_file, unsupported_suffix, …)
}


@dataclass(frozen=True)
class Entry:
    """One entry under raw/: its path (as found, under raw/), and why it is not a report, if not."""

    path: str
    name: str
    reason: IssueCode | None = None


def _follow_symlinks() -> bool:
    return os.environ.get("OGI_RAW_FOLLOW_SYMLINKS", "") not in ("", "0")


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root + os.sep)


def _scan(folder: str, root: str, seen: set[str]) -> Iterator[Entry]:
    """Every entry under folder, recursively: one directory read per folder and no path
    resolving except for symbolic links (at 100k files this keeps an unchanged inventory cheap)."""
    try:
        with os.scandir(folder) as found:
            entries = list(found)
    except OSError:
        yield Entry(folder, os.path.basename(folder), IssueCode.FILE_UNREADABLE)
        return
    for entry in entries:
        if entry.name.startswith("."):
            yield Entry(entry.path, entry.name, IssueCode.HIDDEN_FILE)
            continue
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not (_inside(target, root) or _follow_symlinks()):
                    yield Entry(entry.path, entry.name, IssueCode.SYMLINK_OUTSIDE_RAW)
                    continue
                if os.path.isdir(target):
                    if target not in seen:  # a folder reached twice (or a loop) is read once
                        seen.add(target)
                        yield from _scan(entry.path, root, seen)
                    continue
            elif entry.is_dir(follow_symlinks=False):
                yield from _scan(entry.path, root, seen)
                continue
            if not entry.is_file():
                yield Entry(entry.path, entry.name, IssueCode.FILE_UNREADABLE)  # a dangling link, a device
            elif is_report_name(entry.name):
                yield Entry(entry.path, entry.name)
            else:
                yield Entry(entry.path, entry.name, IssueCode.UNSUPPORTED_SUFFIX)
        except OSError:
            yield Entry(entry.path, entry.name, IssueCode.FILE_UNREADABLE)


def _entries(raw_dir: Path) -> list[Entry]:
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        return []
    return sorted(_scan(str(root), str(root), {str(root)}), key=lambda e: e.path)


def list_raw_files(raw_dir: Path) -> list[Path]:
    """The report files under raw_dir, sorted."""
    return [Path(e.path) for e in _entries(raw_dir) if e.reason is None]


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def raw_fingerprint(raw_dir: Path) -> str:
    """Cheap fingerprint of raw/: every entry's name, size and modification time (no file reads)."""
    h = hashlib.sha256()
    for entry in _entries(raw_dir):
        st = _stat(entry.path)
        size, mtime = (st.st_size, st.st_mtime_ns) if st else (-1, -1)
        h.update(f"{entry.path}\0{size}\0{mtime}\0{entry.reason or ''}\n".encode())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def take_inventory(raw_dir: Path, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every entry under raw_dir (INVENTORY_SCHEMA): report files with their size, mtime and
    SHA-256, and the files that are not read with the reason."""
    known = {}
    if previous is not None and previous.height:
        reports = previous.filter(pl.col("status") == "report") if "status" in previous.columns else previous
        known = {
            (path, size, mtime): digest
            for path, size, mtime, digest in reports.select("path", "byte_size", "mtime_ns", "content_hash").iter_rows()
        }
    rows = []
    for entry in _entries(raw_dir):
        st = _stat(entry.path)
        size, mtime = (st.st_size, st.st_mtime_ns) if st else (None, None)
        reason, digest = entry.reason, None
        if reason is None:
            try:
                digest = known.get((entry.path, size, mtime)) or _sha256(Path(entry.path))
            except OSError:
                reason = IssueCode.FILE_UNREADABLE
        status = "rejected" if reason else "report"
        rows.append((entry.path, entry.name, size, mtime, digest, status, reason.value if reason else None))
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA, orient="row")


def report_files(inventory: pl.DataFrame) -> pl.DataFrame:
    """The rows of the inventory that are report files."""
    return inventory.filter(pl.col("status") == "report")


@dataclass
class Changes:
    """How raw/ changed, file by file."""

    new: int
    changed: int
    unchanged: int
    removed: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def compare(previous: pl.DataFrame | None, current: pl.DataFrame) -> Changes:
    """How the report files of `current` differ from `previous`'s, by path, then content hash."""
    current = report_files(current)
    if previous is None or previous.height == 0:
        return Changes(current.height, 0, 0, 0)
    if "status" in previous.columns:  # an inventory written before rejected files were listed has none
        previous = report_files(previous)
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
