"""Dagster definitions: load with `dagster dev -m dagster_project.definitions`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import dagster as dg

from .assets.dbt import ogi_dbt_models
from .assets.publish import published_warehouse
from .assets.raw import raw_reports
from .assets.staging import staged_reports
from .automation import daily_refresh, raw_files_sensor, refresh_job
from .project import ogi_dbt
from .resources import DbtCli, WarehouseResource

# dbt next to the running interpreter, so cron, IDEs and subprocesses need no activated venv.
_dbt = Path(sys.executable).with_name("dbt")

defs = dg.Definitions(
    assets=[raw_reports, staged_reports, ogi_dbt_models, published_warehouse],
    jobs=[refresh_job],
    schedules=[daily_refresh],
    sensors=[raw_files_sensor],
    resources={
        "dbt": DbtCli(
            project_dir=ogi_dbt,  # type: ignore[arg-type]  # DbtCliResource.__init__ takes a DbtProject
            dbt_executable=str(_dbt) if _dbt.exists() else shutil.which("dbt") or "dbt",
        ),
        "warehouse": WarehouseResource(),
    },
)
