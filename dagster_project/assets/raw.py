"""The raw report files, identified by content hash."""

from dataclasses import asdict

import dagster as dg

from ..pipeline.steps import inventory_raw
from ..resources import WarehouseResource


@dg.asset(group_name="staging", kinds={"polars", "parquet"})
def raw_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every report file under raw/ with its SHA-256: the identity of a report version.

    Hashes of files whose path, size and modification time are unchanged are reused; changes
    are counted against what the published warehouse was built from.
    """
    result = inventory_raw(warehouse.store, context.log.info)
    return dg.MaterializeResult(
        metadata={
            "files": result.files,
            "bytes": result.bytes,
            **{f"files_{k}": v for k, v in result.changes.as_dict().items()},
            "result": dg.MetadataValue.json(asdict(result)),
        }
    )
