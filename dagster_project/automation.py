"""The refresh job, its daily schedule, and the sensor that reacts to changes in raw/."""

import hashlib

import dagster as dg

from . import settings
from .incremental import list_raw_files

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Inventory raw/, parse, build the dbt marts and tests, publish warehouse/ogi.duckdb.",
)

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Asia/Shanghai",
)


def raw_fingerprint() -> str:
    """Cheap fingerprint of raw/: names, sizes and modification times (no file reads)."""
    h = hashlib.sha256()
    for p in list_raw_files(settings.raw_dir()):
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@dg.sensor(job=refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def raw_files_sensor(context: dg.SensorEvaluationContext):
    """Request a refresh when report files under raw/ are added, changed or removed."""
    fingerprint = raw_fingerprint()
    if fingerprint == context.cursor:
        return dg.SkipReason("raw/ unchanged")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
