"""Publish a finished build by atomic rename: readers never see a half build.

Readers holding the old file keep their snapshot; new connections see the new build. A
process killed before the rename leaves the live file as it was; the next refresh builds
again from scratch.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .store import Store
from .testhooks import pause_point


def publish(store: Store, fingerprint: str) -> int:
    """Stamp the build, flush it to one file, rename it over the live warehouse and record
    the inventory it was built from. Returns the number of reports published."""
    build, live = store.build_db, store.published_db
    with duckdb.connect(str(build)) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.build_info as select ?::timestamptz as built_at, "
            "?::varchar as fingerprint, (select count(*) from main.dim_report) as n_reports",
            [datetime.now(UTC), fingerprint],
        )
        con.execute("checkpoint")
        row = con.execute("select n_reports from meta.build_info").fetchone()
    live.parent.mkdir(parents=True, exist_ok=True)
    pause_point("publish", store)
    os.replace(build, live)
    _fsync_dir(live.parent)
    store.build_fingerprint.unlink(missing_ok=True)
    store.mark_inventory_published()
    return int(row[0]) if row else 0


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
