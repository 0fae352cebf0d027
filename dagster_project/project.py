"""The dbt project, alone in an import-light module (dagster-dbt's prepare step imports it)."""

from pathlib import Path

from dagster_dbt import DbtProject

ogi_dbt = DbtProject(project_dir=Path(__file__).resolve().parent.parent / "dbt")
ogi_dbt.prepare_if_dev()
