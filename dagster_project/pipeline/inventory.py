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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

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


class Entry(NamedTuple):
    """One entry under raw/: its path (as found, under raw/), why it is not a report (if not),
    and the size and mtime of what it names (a link's target), when it could be read."""

    path: str
    name: str
    reason: IssueCode | None = None
    size: int | None = None
    mtime_ns: int | None = None


def _follow_symlinks() -> bool:
    return os.environ.get("OGI_RAW_FOLLOW_SYMLINKS", "") not in ("", "0")


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root + os.sep)


def _entry(entry: os.DirEntry[str], reason: IssueCode | None) -> Entry:
    try:
        st = entry.stat()  # the directory read's own stat (of a link's target), made once
    except OSError:
        return Entry(entry.path, entry.name, reason)
    return Entry(entry.path, entry.name, reason, st.st_size, st.st_mtime_ns)


def _scan(folder: str, root: str, seen: set[str], out: list[Entry]) -> None:
    """Every entry under folder, recursively, appended to `out`: one directory read per folder
    and no path resolving except for symbolic links (at 100k files this keeps an unchanged
    inventory cheap)."""
    try:
        with os.scandir(folder) as found:
            entries = list(found)
    except OSError:
        st = _stat(folder)
        size, mtime = (st.st_size, st.st_mtime_ns) if st else (None, None)
        out.append(Entry(folder, os.path.basename(folder), IssueCode.FILE_UNREADABLE, size, mtime))
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            out.append(_entry(entry, IssueCode.HIDDEN_FILE))
            continue
        if entry.is_file(follow_symlinks=False):  # a plain file, most of raw/: the short way
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                out.append(Entry(entry.path, name, IssueCode.FILE_UNREADABLE))
                continue
            reason = None if is_report_name(name) else IssueCode.UNSUPPORTED_SUFFIX
            out.append(Entry(entry.path, name, reason, st.st_size, st.st_mtime_ns))
            continue
        try:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not (_inside(target, root) or _follow_symlinks()):
                    out.append(_entry(entry, IssueCode.SYMLINK_OUTSIDE_RAW))
                    continue
                if os.path.isdir(target):
                    if target not in seen:  # a folder reached twice (or a loop) is read once
                        seen.add(target)
                        _scan(entry.path, root, seen, out)
                    continue
            elif entry.is_dir(follow_symlinks=False):
                _scan(entry.path, root, seen, out)
                continue
            if not entry.is_file():
                out.append(_entry(entry, IssueCode.FILE_UNREADABLE))  # a dangling link, a device
            else:
                out.append(_entry(entry, None if is_report_name(name) else IssueCode.UNSUPPORTED_SUFFIX))
        except OSError:
            out.append(_entry(entry, IssueCode.FILE_UNREADABLE))


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _entries(raw_dir: Path) -> list[Entry]:
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        return []
    found: list[Entry] = []
    _scan(str(root), str(root), {str(root)}, found)
    return sorted(found, key=lambda e: e.path)


def list_raw_files(raw_dir: Path) -> list[Path]:
    """The report files under raw_dir, sorted."""
    return [Path(e.path) for e in _entries(raw_dir) if e.reason is None]


def raw_fingerprint(raw_dir: Path) -> str:
    """Cheap fingerprint of raw/: every entry's name, size and modification time (no file reads)."""
    h = hashlib.sha256()
    for entry in _entries(raw_dir):
        size, mtime = (entry.size, entry.mtime_ns) if entry.size is not None else (-1, -1)
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
    SHA-256, and the files that are not read with the reason. A report file whose path, size
    and mtime are those of a `previous` row keeps that row's hash (a join, not a read)."""
    entries = _entries(raw_dir)
    listed = pl.DataFrame(
        {
            "path": [e.path for e in entries],
            "file_name": [e.name for e in entries],
            "byte_size": [e.size for e in entries],
            "mtime_ns": [e.mtime_ns for e in entries],
            "reason": [e.reason.value if e.reason else None for e in entries],
        },
        schema={k: v for k, v in INVENTORY_SCHEMA.items() if k not in ("content_hash", "status")},
    )
    known = _known_hashes(previous)
    listed = listed.join(known, on=["path", "byte_size", "mtime_ns"], how="left", maintain_order="left")
    digests, reasons = listed["content_hash"].to_list(), listed["reason"].to_list()
    for i in (listed["reason"].is_null() & listed["content_hash"].is_null()).arg_true().to_list():
        try:
            digests[i] = _sha256(Path(entries[i].path))
        except OSError:
            reasons[i] = IssueCode.FILE_UNREADABLE.value
    return listed.with_columns(
        content_hash=pl.Series(digests, dtype=pl.Utf8), reason=pl.Series(reasons, dtype=pl.Utf8)
    ).select(
        *[c for c in INVENTORY_SCHEMA if c not in ("status", "reason")],
        status=pl.when(pl.col("reason").is_null()).then(pl.lit("report")).otherwise(pl.lit("rejected")),
        reason=pl.col("reason"),
    )


def _known_hashes(previous: pl.DataFrame | None) -> pl.DataFrame:
    """The hashes of `previous`'s report files by path, size and mtime (one row per path)."""
    keys = {"path": pl.Utf8, "byte_size": pl.Int64, "mtime_ns": pl.Int64, "content_hash": pl.Utf8}
    if previous is None or previous.height == 0:
        return pl.DataFrame(schema=keys)
    reports = previous.filter(pl.col("status") == "report") if "status" in previous.columns else previous
    return reports.select(pl.col(k).cast(t) for k, t in keys.items()).unique("path", keep="last")


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
