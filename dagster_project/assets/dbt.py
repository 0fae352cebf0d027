"""The dbt models and their data tests (identities become asset checks)."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ..pipeline.steps import prepare_build
from ..project import ogi_dbt
from ..resources import WarehouseResource


@dbt_assets(manifest=ogi_dbt.manifest_path)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """`dbt build` into a fresh build file; a failing error-severity test stops the run.

    Skipped when the published warehouse was built from the same report contents, parser
    version and dbt project: a no-change refresh then leaves it untouched.
    """
    store = warehouse.store
    if not prepare_build(store, context.log.info):
        return
    with warehouse.dbt_environment():  # dbt's process inherits it
        invocation = dbt.cli(["build"], context=context, target_path=store.dbt_target)
    yield from warehouse.stream_build(invocation)
