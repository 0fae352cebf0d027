"""Reading the published warehouse from Python: a read-only connection that always sees the
latest publish.

`duckdb.connect(path, read_only=True)` hands out the database instance DuckDB already holds
for `path` in this process while another connection to it is open, and that instance keeps
showing the file as it was when first opened — a build replaced since by a publish. Attaching
the file to a fresh in-memory database opens it anew every time.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .pipeline.store import Store


def sql_string(text: str) -> str:
    """`text` as a SQL string literal (quotes doubled), for the statements that take no parameters."""
    return "'" + text.replace("'", "''") + "'"


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (`path`, by default the one the
    environment names: OGI_WAREHOUSE_DIR/ogi.duckdb), attached as `ogi` and in use, so
    `select … from dim_report` works as on the file itself. Raises FileNotFoundError when there
    is no such file, duckdb.Error when it cannot be read."""
    db = Path(path) if path is not None else Store.from_env().published_db
    if not db.is_file():
        raise FileNotFoundError(f"no published warehouse at {db}")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {sql_string(str(db.resolve()))} as ogi (read_only)")
        con.execute("use ogi")
    except BaseException:
        con.close()
        raise
    return con
