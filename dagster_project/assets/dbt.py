"""The dbt models and their data tests (identities become asset checks)."""

import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from .. import settings
from ..project import ogi_dbt


@dbt_assets(manifest=ogi_dbt.manifest_path)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` into a fresh build file; a failing error-severity test stops the run."""
    os.environ.update(settings.dbt_env())
    build = settings.build_db_path()
    build.parent.mkdir(parents=True, exist_ok=True)
    for stale in (build, build.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    yield from dbt.cli(["build"], context=context).stream()
