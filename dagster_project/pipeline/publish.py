"""Publish a finished build by atomic rename: readers never see a half build.

Readers holding the old file keep their snapshot; new connections see the new build. A
process killed before the rename leaves the live file as it was; the next refresh builds
again (from a fresh copy of the live file when it can build incrementally).

The published file's SHA-256 is stamped beside it (`ogi.duckdb.sha256`, written atomically):
`ogi status` and every refresh check it, so a damaged file is found, said and rebuilt. While a
publish renames, the stamp lists both the old and the new digest: the live file always
matches it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..parsing.schema import PARSER_VERSION
from .plan import project_fingerprint
from .store import DBT_PROJECT_DIR, Store
from .testhooks import pause_point


def publish(store: Store, fingerprint: str) -> int:
    """Stamp the build, flush it to one file, rename it over the live warehouse and record
    the inventory it was built from. Returns the number of reports published."""
    build, live = store.build_db, store.published_db
    with duckdb.connect(str(build)) as con:
        con.execute("drop schema if exists delta cascade")  # an incremental build's rows for its tests
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.build_info as select ?::timestamptz as built_at, "
            "?::varchar as fingerprint, (select count(*) from main.dim_report) as n_reports, "
            "?::varchar as parser_version, ?::varchar as project_fingerprint",
            [datetime.now(UTC), fingerprint, PARSER_VERSION, project_fingerprint(DBT_PROJECT_DIR)],
        )
        stamp_build(con, store)
        con.execute("checkpoint")
        row = con.execute("select n_reports from meta.build_info").fetchone()
    live.parent.mkdir(parents=True, exist_ok=True)
    digest = file_sha256(build)
    previous = store.read_checksum() or []
    store.write_checksum([*[d for d in previous if d != digest], digest])  # old or new: both match
    pause_point("publish", store)
    os.replace(build, live)
    _fsync_dir(live.parent)
    store.write_checksum([digest])
    for done in store.build_leftovers():  # its stamp and the lists of what it redid
        done.unlink(missing_ok=True)
    store.mark_inventory_published()
    return int(row[0]) if row else 0


def stamp_build(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Store in the build the report signatures it was made from (`meta.report_signatures`:
    the next build compares them, see incremental.py)."""
    path = store.build_signatures_file
    if path.exists():
        con.execute("create or replace table meta.report_signatures as select * from read_parquet(?)", [str(path)])
    else:  # a build not laid out by a refresh (dbt run by hand): the next build is full
        con.execute("drop table if exists meta.report_signatures")


_DIGESTS: dict[tuple[str, int, int, int], Future[str]] = {}
_DIGESTS_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (once per state of the file: a refresh checks the
    published file in more than one step, and `prefetch_sha256` may have started it already)."""
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    with _DIGESTS_LOCK:
        found = _DIGESTS.get(key)
        digest = _DIGESTS[key] = found or Future()
        while len(_DIGESTS) > 8:  # the states of a refresh's two files are all it asks for
            del _DIGESTS[next(iter(_DIGESTS))]
    if found is None:  # this thread reads the file; any other asking meanwhile waits for it
        try:
            with open(path, "rb") as f:
                digest.set_result(hashlib.file_digest(f, "sha256").hexdigest())
        except BaseException as exc:  # noqa: BLE001 - raised below, and to any thread waiting for it
            with _DIGESTS_LOCK:
                _DIGESTS.pop(key, None)  # asked again, it is read again
            digest.set_exception(exc)
    return digest.result()


def prefetch_sha256(path: Path) -> None:
    """Start `file_sha256(path)` in a background thread: hashing runs outside the GIL, so it
    overlaps with what the refresh does meanwhile (loading Dagster takes seconds) instead of
    adding to it. A missing or unreadable file is left for the caller to find."""

    def digest() -> None:
        with contextlib.suppress(OSError):
            file_sha256(path)

    if path.exists():
        threading.Thread(target=digest, name="prefetch-sha256", daemon=True).start()


def checksum_problem(store: Store) -> str | None:
    """Why the published file cannot be trusted as it is (it does not match the checksum
    stamped when it was published, or it has none), or None when it matches."""
    digests = store.read_checksum()
    if digests is None:
        return "the published warehouse has no checksum"
    try:
        actual = file_sha256(store.published_db)
    except OSError as exc:
        return f"the published warehouse cannot be read ({exc.strerror or type(exc).__name__})"
    return None if actual in digests else "the published warehouse does not match its checksum"


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a power cut after it must not bring the old file back)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
