"""The dbt models and their data tests (identities become asset checks)."""
import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from .. import settings
from ..incremental import fingerprint, published_fingerprint
from ..project import ogi_dbt
from .raw import read_inventory


def current_fingerprint() -> str:
    return fingerprint(read_inventory(), settings.DBT_PROJECT_DIR)


@dbt_assets(manifest=ogi_dbt.manifest_path)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` into a fresh build file; a failing error-severity test stops the run.

    Skipped when the published warehouse was built from the same report contents, parser
    version and dbt project: a no-change refresh then leaves it untouched.
    """
    if current_fingerprint() == published_fingerprint(settings.published_db_path()):
        context.log.info("the published warehouse is up to date: nothing to build")
        return
    os.environ.update(settings.dbt_env())
    build = settings.build_db_path()
    build.parent.mkdir(parents=True, exist_ok=True)
    for stale in (build, build.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    yield from dbt.cli(["build"], context=context).stream()
