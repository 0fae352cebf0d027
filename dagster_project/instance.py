"""The Dagster instance a refresh runs in: DAGSTER_HOME's, with its SQLite event log kept on
pooled connections.

Dagster's SQLite event log opens a new SQLAlchemy engine for every write; a refresh writes one
event per dbt model and test (over 1,000 in a build), which at about 10 ms each is seconds of
a refresh. The pooled storage below writes the same rows to the same files (the UI and the
daemon read them with Dagster's own class) at about 3 ms each. Dagster keeps these files in WAL
mode; the pooled connections commit with `synchronous=NORMAL`, SQLite's setting for WAL: a commit
waits for no disk flush (a killed process loses nothing committed; a power cut can lose the last
events, never the file). A `dagster.yaml` that configures its own storage (Postgres, another SQLite
folder) is used as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from dagster_shared.yaml_utils import load_yaml_from_path
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

_STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with one engine (and its connection pool) per database file."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}  # first: a new instance's __init__ already connects
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
                )
                event.listen(engine, "connect", _commit_without_flush)
                self._engines[shard] = engine
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()


def _commit_without_flush(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def refresh_instance() -> dg.DagsterInstance:
    """DAGSTER_HOME's instance; its event log pooled unless dagster.yaml names a storage."""
    home = os.environ["DAGSTER_HOME"]
    config_file = Path(home, "dagster.yaml")
    config = load_yaml_from_path(str(config_file)) if config_file.exists() else None
    if isinstance(config, dict) and any(key in config for key in _STORAGE_KEYS):
        return dg.DagsterInstance.get()
    pooled = {
        "module": __name__,
        "class": PooledSqliteEventLogStorage.__name__,
        # where Dagster's default SQLite storage keeps the run event logs
        "config": {"base_dir": os.path.join(home, "history", "runs", "")},
    }
    ref = InstanceRef.from_dir(home, overrides={"event_log_storage": pooled})
    return dg.DagsterInstance.from_ref(ref)
