"""Publish the freshly built warehouse by atomic rename (readers never see a half build)."""

from dataclasses import asdict

import dagster as dg

from ..pipeline.steps import publish_build
from ..resources import WarehouseResource
from .dbt import ogi_dbt_models


@dg.asset(deps=[ogi_dbt_models], group_name="publish", kinds={"duckdb"})
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """warehouse/ogi.duckdb: the last good build, for dashboards and notebooks (open read-only)."""
    result = publish_build(warehouse.store, context.log.info)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(result.path),
            "reports": result.reports,
            "result": dg.MetadataValue.json(asdict(result)),
        }
    )
