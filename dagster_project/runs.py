"""Running the refresh job from the command line, and reading back what the run did."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from typing import Any, cast

import dagster as dg
import psutil

from .definitions import defs
from .instance import refresh_instance
from .pipeline.locking import Log, refresh_lock
from .pipeline.steps import RefreshSummary
from .pipeline.store import DAGSTER_HOME_DIR, Store

# asset → the step whose result its materialization carries under metadata "result"
_STEP_OF_ASSET = {"raw_reports": "inventory", "staging/reports": "staging", "published_warehouse": "published"}


def summarize(result: dg.ExecuteInProcessResult) -> RefreshSummary:
    """The steps' results of a finished run, from its materializations (and observations: staging
    only observes its tables when the warehouse is up to date)."""
    steps: dict[str, dict[str, Any]] = {}
    events: list[dg.AssetMaterialization | dg.AssetObservation] = [
        e.materialization for e in result.get_asset_materialization_events()
    ]
    events += [e.asset_observation_data.asset_observation for e in result.get_asset_observation_events()]
    for mat in events:
        step = _STEP_OF_ASSET.get(mat.asset_key.to_user_string())
        if step and "result" in mat.metadata:
            # the assets store `MetadataValue.json(asdict(result))`; Dagster types it as any JSON
            steps[step] = cast(dict[str, Any], mat.metadata["result"].value)
    return RefreshSummary.from_steps(steps)


def step_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per failed step: its key and the first 500 characters of its error."""
    lines = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        message = error.message.strip()[:500] if error else "(no error recorded)"
        lines.append(f"step {event.step_key} failed: {message}")
    return lines


INTERRUPTS = {"DagsterExecutionInterruptedError", "KeyboardInterrupt"}


def was_interrupted(result: dg.ExecuteInProcessResult) -> bool:
    """Did the run end because it was interrupted (SIGINT, SIGTERM) rather than fail or succeed?"""
    if result.success:
        return False
    if result.dagster_run.status == dg.DagsterRunStatus.CANCELED:
        return True
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None:
            if error.cls_name in INTERRUPTS:
                return True
            error = error.cause
    return False


def _host() -> str:
    return socket.gethostname()


def _fail_dead_runs(instance: dg.DagsterInstance) -> None:
    """Runs left `STARTED` by an `ogi refresh` that was killed are recorded as failed."""
    running = instance.get_runs(filters=dg.RunsFilter(job_name="refresh", statuses=[dg.DagsterRunStatus.STARTED]))
    for run in running:
        pid = run.tags.get("ogi/pid")
        if not pid or run.tags.get("ogi/host") != _host():
            continue
        try:
            alive = psutil.Process(int(pid)).create_time() <= float(run.tags.get("ogi/started", "0")) + 1
        except (psutil.Error, ValueError):
            alive = False
        if not alive:
            instance.report_run_failed(run, "the process running this refresh died before it finished")


class _SkippedChecks(logging.Filter):
    """Drops Dagster's "Blocking asset check … emitted no result" lines, one per check, that a
    skipped dbt step (a no-change refresh) leaves; a failing dbt test fails the dbt step itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "emitted no result" not in record.getMessage()


logging.getLogger("dagster._core.execution.plan.active").addFilter(_SkippedChecks())


def run_refresh(verbose: bool = False, log: Log | None = None, full: bool = False) -> dg.ExecuteInProcessResult:
    """Run the refresh job in this process against the environment's warehouse, one refresh
    at a time: a second one waits; the first to run after a killed one ends what the killed
    one left running and marks its run failed. `full`: dbt rebuilds every model (see
    `RefreshConfig`), even when nothing changed."""
    os.environ.setdefault("DAGSTER_HOME", str(DAGSTER_HOME_DIR))  # what the Makefile sets
    instance = refresh_instance()
    me = psutil.Process()
    tags = {"ogi/pid": str(me.pid), "ogi/host": _host(), "ogi/started": f"{me.create_time():.3f}"}
    store = Store.from_env()
    with refresh_lock(store, log or (lambda m: print(m, file=sys.stderr))):
        _fail_dead_runs(instance)
        level = "DEBUG" if verbose else "INFO"  # DEBUG lists every Dagster event
        store.dbt_log.parent.mkdir(parents=True, exist_ok=True)
        # dbt's own log (dagster-dbt echoes it on stdout) goes to a file unless --verbose
        with (
            store.dbt_log.open("w", encoding="utf-8") as dbt_log,
            contextlib.redirect_stdout(sys.stdout if verbose else dbt_log),
        ):
            return defs.resolve_job_def("refresh").execute_in_process(
                instance=instance,
                tags=tags,
                raise_on_error=False,
                run_config={
                    "loggers": {"console": {"config": {"log_level": level}}},
                    "ops": {step: {"config": {"full": full}} for step in ("staged_reports", "ogi_dbt_models")},
                },
            )
