"""The warehouse as a Dagster resource: its store, and its refresh lock held for the whole run.

With the in-process executor of the refresh job, a run initializes its resources once, so a
run started from the UI, the schedule, the sensor or `ogi refresh` holds the lock from its
first step to its last: a second run of the same warehouse waits at its start.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation
from packaging import version

from dbt import version as dbt_version

from .pipeline.locking import end_process, record_child, refresh_lock
from .pipeline.store import Store
from .pipeline.testhooks import pause_point


class DbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two costs of every build (private hooks of
    dagster-dbt; tests/test_pipeline.py runs real builds through them):

    - it is told the version of dbt instead of asking `dbt --version` (a two-second
      subprocess): the dbt it runs is the dbt-core installed here;
    - it makes no dbt adapter in this process: dagster-dbt only uses one to fetch row counts
      and column metadata, which these assets never ask for, and making it loads dbt's
      profile and project again (two to four seconds)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_version.__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


class WarehouseResource(dg.ConfigurableResource):
    """raw/ and warehouse/ as the environment names them (OGI_RAW_DIR, OGI_WAREHOUSE_DIR)."""

    @property
    def store(self) -> Store:
        return Store.from_env()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Generator[WarehouseResource, None, None]:
        log = context.log.info if context.log else print
        with refresh_lock(self.store, log):
            yield self

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Export where dbt builds and reads staging (the store's `dbt_env`) for the dbt
        process started inside; this process's own environment is restored after."""
        values = self.store.dbt_env()
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def stream_build(self, invocation: DbtCliInvocation) -> Iterator:
        """dbt's events, with its process recorded as a child of this refresh (ended by the
        next refresh if this one dies first) and ended here when the run is interrupted (SIGINT,
        SIGTERM) or stops reading: dagster-dbt forwards an interrupt only while it reads dbt's output."""
        record_child(self.store, invocation.process.pid)
        try:
            for i, event in enumerate(invocation.stream()):
                yield event
                if i == 0:
                    pause_point("dbt", self.store)  # test hook: the build is running
        except BaseException:
            end_process(invocation.process)
            raise
