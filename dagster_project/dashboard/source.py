"""Where the published warehouse is, which build it is, and a connection per request.

A connection is opened at most once per page request and closed when the request ends (see
`Reader`), through `dagster_project.connect.connect` (`:memory:` + ATTACH … READ_ONLY), so the
dashboard never holds the file between requests and always sees the latest publish.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

import duckdb

from ..connect import connect
from ..pipeline.store import Store

Identity = tuple[int, int, int, int]  # device, inode, mtime (ns), size of the published file


def warehouse_path() -> Path:
    """The published warehouse the environment names (OGI_WAREHOUSE_DIR, default warehouse/)."""
    return Store.from_env().published_db


def identity(db: Path) -> Identity | None:
    """The identity of the file now at `db` (a publish renames a new file over it, which changes
    the inode), or None when there is none. Query results are cached under it."""
    try:
        st = os.stat(db)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class Reader:
    """The connection of one request, opened on first use and closed by `close()`."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._con: duckdb.DuckDBPyConnection | None = None

    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = connect(self.db)
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
