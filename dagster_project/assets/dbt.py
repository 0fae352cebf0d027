"""The dbt models and their data tests (identities become asset checks)."""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
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
    asked (`ogi refresh --full`), or when there is no published build or the parser, the dbt
    project or the dbt/DuckDB versions changed. Skipped when the published warehouse was built
    from the same report contents, parser version and dbt project: a no-change refresh leaves
    it untouched.
    """
    store = warehouse.store
    build = prepare_build(store, context.log.info, full=config.full)
    if build is None:
        return
    # The seeds and the SQL are part of the project fingerprint: a build that continues the
    # published one has the seeds, the models that read only seeds, and the unit tests' verdicts
    # on the SQL already, loaded and tested. "cautious" leaves out only the tests of those
    # alone; a test of a model against a seed or a seed-only model (a relationship) still runs.
    args = ["build", "--full-refresh"]
    if not build.full:
        kept = _kept_nodes()
        excluded = " ".join(["resource_type:seed", "resource_type:unit_test", *kept.models])  # one value: a union
        args = ["build", "--exclude", excluded, "--indirect-selection", "cautious"]
        for key, why in kept.keys:  # first: Dagster wants a multi-asset's outputs in dependency order
            yield dg.MaterializeResult(asset_key=key, metadata={"build": f"kept from the published warehouse ({why})"})
    with warehouse.dbt_environment():  # dbt's process inherits it
        invocation = dbt.cli(args, context=context, target_path=store.dbt_target)
    yield from warehouse.stream_build(invocation)


@dataclass(frozen=True)
class _Kept:
    """What an incremental build takes from the published warehouse instead of building."""

    models: list[str]  # the models that read only seeds (no staging source), by name
    keys: list[tuple[dg.AssetKey, str]]  # seeds, then those models: asset key, why it is kept


@functools.cache  # read when a build first needs it, not when the definitions load
def _kept_nodes() -> _Kept:
    manifest = json.loads(ogi_dbt.manifest_path.read_text(encoding="utf-8"))
    nodes, parents = manifest["nodes"], manifest["parent_map"]

    @functools.cache
    def depth(unique_id: str) -> float:
        """Steps from a seed (a source counts as infinitely far: the node reads staging)."""
        if unique_id.startswith("source."):
            return float("inf")
        return max((1 + depth(p) for p in parents.get(unique_id, [])), default=0)

    seeds = sorted((n for n in nodes.values() if n["resource_type"] == "seed"), key=lambda n: n["name"])
    models = sorted(
        (n for n in nodes.values() if n["resource_type"] == "model" and depth(n["unique_id"]) < float("inf")),
        key=lambda n: (depth(n["unique_id"]), n["name"]),  # dependency order
    )
    key = _Layers().get_asset_key
    return _Kept(
        models=[m["name"] for m in models],
        keys=[(key(s), "seeds are unchanged") for s in seeds]
        + [(key(m), "it reads only seeds, which are unchanged") for m in models],
    )
