"""The dbt models and their data tests (identities become asset checks)."""

import functools
import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ..pipeline.steps import prepare_build
from ..project import ogi_dbt
from ..resources import WarehouseResource
from .staging import RefreshConfig


class _Layers(DagsterDbtTranslator):
    """dbt models grouped by their layer (the folder under models/), seeds as reference data."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "marts"

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # A model's key is its name, whatever schema the layer builds it in (names are unique).
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey(dbt_resource_props["name"])


@dbt_assets(manifest=ogi_dbt.manifest_path, dagster_dbt_translator=_Layers())
def ogi_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: RefreshConfig
):
    """`dbt build` into the build file; a failing error-severity test stops the run.

    Incremental when it can be: the build starts from a copy of the published warehouse and
    redoes the reports added, changed or removed since (pipeline/incremental.py); full when
    asked (`ogi refresh --full`), or when there is no published build or the parser or the dbt
    project changed. Skipped when the published warehouse was built from the same report
    contents, parser version and dbt project: a no-change refresh leaves it untouched.
    """
    store = warehouse.store
    build = prepare_build(store, context.log.info, full=config.full)
    if build is None:
        return
    # The seeds are part of the project fingerprint: a build that continues the published one
    # has them already, loaded and tested. "cautious" leaves out only the tests of seeds alone;
    # a test of a model against a seed (a relationship) still runs.
    args = ["build", "--full-refresh"]
    if not build.full:
        args = ["build", "--exclude", "resource_type:seed", "--indirect-selection", "cautious"]
        for seed in _seed_keys():  # first: Dagster wants a multi-asset's outputs in dependency order
            yield dg.MaterializeResult(
                asset_key=seed, metadata={"build": "kept from the published warehouse (seeds are unchanged)"}
            )
    with warehouse.dbt_environment():  # dbt's process inherits it
        invocation = dbt.cli(args, context=context, target_path=store.dbt_target)
    yield from warehouse.stream_build(invocation)


@functools.cache  # read when a build first needs it, not when the definitions load
def _seed_keys() -> list[dg.AssetKey]:
    manifest = json.loads(ogi_dbt.manifest_path.read_text(encoding="utf-8"))
    seeds = (node for node in manifest["nodes"].values() if node["resource_type"] == "seed")
    return sorted((_Layers().get_asset_key(seed) for seed in seeds), key=lambda key: key.to_user_string())
