"""raw/ by content hash: what a refresh has to look at.

The inventory reuses the previous hash of a file whose path, size and modification time are
unchanged, so an unchanged raw/ of 100k files is listed, not read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from ..parsing.readers import is_report_name

INVENTORY_SCHEMA = {
    "path": pl.Utf8,
    "file_name": pl.Utf8,
    "byte_size": pl.Int64,
    "mtime_ns": pl.Int64,
    "content_hash": pl.Utf8,
}


def _scan(folder: str) -> Iterator[os.DirEntry]:
    """Report files under folder, recursively (one directory read per folder, no path resolving:
    at 100k files this is what keeps an unchanged inventory cheap)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _scan(entry.path)
            elif is_report_name(entry.name) and entry.is_file():
                yield entry


def _entries(raw_dir: Path) -> list[os.DirEntry]:
    root = Path(raw_dir).resolve()
    return sorted(_scan(str(root)), key=lambda e: e.path) if root.is_dir() else []


def list_raw_files(raw_dir: Path) -> list[Path]:
    """The report files under raw_dir, sorted."""
    return [Path(e.path) for e in _entries(raw_dir)]


def raw_fingerprint(raw_dir: Path) -> str:
    """Cheap fingerprint of raw/: names, sizes and modification times (no file reads)."""
    h = hashlib.sha256()
    for entry in _entries(raw_dir):
        st = entry.stat()
        h.update(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def take_inventory(raw_dir: Path, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every report file under raw_dir with its size, mtime and SHA-256 (INVENTORY_SCHEMA)."""
    known = {}
    if previous is not None and previous.height:
        known = {
            (path, size, mtime): digest
            for path, size, mtime, digest in previous.select(
                "path", "byte_size", "mtime_ns", "content_hash"
            ).iter_rows()
        }
    rows = []
    for entry in _entries(raw_dir):
        st = entry.stat()
        digest = known.get((entry.path, st.st_size, st.st_mtime_ns)) or _sha256(Path(entry.path))
        rows.append((entry.path, entry.name, st.st_size, st.st_mtime_ns, digest))
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA, orient="row")


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
    """How `current` differs from `previous`, file by file (by path, then content hash)."""
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
