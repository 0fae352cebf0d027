"""The refresh job, its daily schedule, and the sensor that reacts to changes in raw/."""

import os

import dagster as dg

from .pipeline.inventory import raw_fingerprint
from .pipeline.store import Store

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # one process per run: the warehouse lock spans the run
    description="Inventory raw/, parse, build the dbt marts and tests, publish warehouse/ogi.duckdb.",
)

# Both run whenever a Dagster daemon runs (`make dev`, `make daemon`): scheduled refreshes are the
# main use. Stop one in the UI, or with `dagster schedule stop` / `dagster sensor stop`.
daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule=os.environ.get("OGI_REFRESH_CRON", "0 6 * * *"),
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=int(os.environ.get("OGI_SENSOR_INTERVAL_S", "60")),
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def raw_files_sensor(context: dg.SensorEvaluationContext):
    """Request a refresh when report files under raw/ are added, changed or removed."""
    fingerprint = raw_fingerprint(Store.from_env().raw_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("raw/ unchanged")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
