"""The Dagster code location loads, and the sensor reacts to changes under raw/."""

from __future__ import annotations

import os

import dagster as dg
from conftest import copy_samples


def test_definitions_load(manifest):
    from dagster_project.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for expected in (
        "raw_reports",
        "staging/reports",
        "staging/cells",
        "staging/issues",
        "fct_request_outcomes",
        "fct_request_flow",
        "fct_review_litigation",
        "fct_active_disclosure",
        "dim_report",
        "dim_agency",
        "report_quality",
        "published_warehouse",
    ):
        assert expected in keys
    job = defs.resolve_job_def("refresh")
    # the refresh materializes every asset, in one process (so the warehouse lock spans the run)
    assert job.asset_layer.selected_asset_keys == set(defs.resolve_asset_graph().get_all_asset_keys())
    assert job.executor_def is dg.in_process_executor and {"dbt", "warehouse"} <= set(job.resource_defs)
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 6 * * *"
    graph = defs.resolve_asset_graph()
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert (groups["raw_reports"], groups["stg_cells"], groups["int_identity_checks"]) == ("staging",) * 2 + (
        "intermediate",
    )
    assert (groups["fct_request_outcomes"], groups["dim_outcome"], groups["published_warehouse"]) == (
        "marts",
        "reference",
        "publish",
    )
    checks = defs.resolve_asset_graph().asset_check_keys
    assert any("t3" in c.name.lower() for c in checks)  # dbt identity tests become asset checks


def test_sensor_requests_a_refresh_only_when_raw_changes(manifest, warehouse_env):
    from dagster_project.automation import raw_files_sensor

    copy_samples(warehouse_env, ["000", "002"])
    with dg.instance_for_test() as instance:
        first = raw_files_sensor(dg.build_sensor_context(instance=instance))
        assert isinstance(first, dg.RunRequest)
        cursor = first.run_key
        again = raw_files_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
        assert isinstance(again, dg.SkipReason)
        copy_samples(warehouse_env, ["004"])  # a new report arrives
        added = raw_files_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
        assert isinstance(added, dg.RunRequest) and added.run_key != cursor
        changed = warehouse_env / "000_890802141209736b.txt"
        changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        os.utime(changed, ns=(1, 1))
        edited = raw_files_sensor(dg.build_sensor_context(instance=instance, cursor=added.run_key))
        assert isinstance(edited, dg.RunRequest)
