"""The refresh plan: what is parsed again, what is reused, what is dropped."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import polars as pl
from conftest import RAW

from dagster_project.pipeline import inventory as inventory_module
from dagster_project.pipeline.batches import stage_batch
from dagster_project.pipeline.inventory import compare, take_inventory
from dagster_project.pipeline.locking import record_child, refresh_lock
from dagster_project.pipeline.plan import fingerprint, plan
from dagster_project.pipeline.store import DBT_PROJECT_DIR, Store


def store_at(tmp_path) -> Store:
    return Store(tmp_path / "raw", tmp_path / "warehouse", tmp_path / "staging")


def raw_with(tmp_path, names):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(next(RAW.glob(f"{name}_*")), raw)
    return raw


def test_inventory_reuses_hashes_of_unchanged_files(tmp_path, monkeypatch):
    raw = raw_with(tmp_path, ["000", "002"])
    first = take_inventory(raw)
    calls = []
    monkeypatch.setattr(inventory_module, "_sha256", lambda p: calls.append(p) or "x")
    again = take_inventory(raw, first)
    assert calls == [] and again["content_hash"].to_list() == first["content_hash"].to_list()


def test_changes_are_counted_by_path(tmp_path):
    raw = raw_with(tmp_path, ["000", "002", "003"])
    before = take_inventory(raw)
    (raw / next(p.name for p in raw.iterdir() if p.name.startswith("000"))).unlink()
    changed = next(p for p in raw.iterdir() if p.name.startswith("002"))
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    shutil.copy(next(RAW.glob("004_*")), raw)
    after = take_inventory(raw, before)
    assert compare(before, after).as_dict() == {"new": 1, "changed": 1, "unchanged": 1, "removed": 1}


def test_plan_parses_only_new_content_and_drops_stale_orphaned_and_dead_parts(tmp_path):
    raw = raw_with(tmp_path, ["000", "002"])
    store = store_at(tmp_path)
    staging = store.staging_dir
    inventory = take_inventory(raw)
    assert len(plan(inventory, store).to_parse) == 2
    stage_batch([raw / p for p in sorted(os.listdir(raw))], store, "b1")

    todo = plan(inventory, store)
    assert todo.to_parse == [] and todo.reused == 2 and todo.dropped_parts == 0

    # a batch killed after its cells part but before its reports part leaves an orphan
    (staging / "cells" / "part-b2.parquet").write_bytes((staging / "cells" / "part-b1.parquet").read_bytes())
    (staging / "issues" / ".part-b3.parquet.tmp").write_bytes(b"half a file")
    shutil.copy(next(RAW.glob("004_*")), raw)
    inventory = take_inventory(raw, inventory)
    todo = plan(inventory, store)
    assert [os.path.basename(p) for p in todo.to_parse] == [next(RAW.glob("004_*")).name]
    assert todo.dropped_parts == 1 and not (staging / "cells" / "part-b2.parquet").exists()
    assert not (staging / "issues" / ".part-b3.parquet.tmp").exists()

    # a part written by another parser version is parsed again
    reports = pl.read_parquet(staging / "reports" / "part-b1.parquet")
    reports.with_columns(pl.lit("0").alias("parser_version")).write_parquet(staging / "reports" / "part-b1.parquet")
    todo = plan(inventory, store)
    assert len(todo.to_parse) == 3 and not (staging / "cells" / "part-b1.parquet").exists()


def test_fingerprint_follows_files_and_dbt_project(tmp_path):
    raw = raw_with(tmp_path, ["000"])
    inventory = take_inventory(raw)
    same = fingerprint(take_inventory(raw, inventory), DBT_PROJECT_DIR)
    assert fingerprint(inventory, DBT_PROJECT_DIR) == same
    shutil.copy(next(RAW.glob("002_*")), raw)
    assert fingerprint(take_inventory(raw, inventory), DBT_PROJECT_DIR) != same


def test_a_part_repeating_staged_content_is_dropped_and_the_rest_reparsed(tmp_path):
    """A batch finished by a process that outlived its killed refresh may stage content twice."""
    raw = raw_with(tmp_path, ["000", "002", "003"])
    store = store_at(tmp_path)
    files = [raw / p for p in sorted(os.listdir(raw))]
    inventory = take_inventory(raw)
    stage_batch(files[:2], store, "b1")
    stage_batch(files[1:], store, "b2")  # 002 again, and 003
    todo = plan(inventory, store)
    assert todo.dropped_parts == 1 and todo.reused == 2
    assert [os.path.basename(p) for p in todo.to_parse] == [files[2].name]
    assert not (store.staging_dir / "reports" / "part-b2.parquet").exists()


def test_refresh_lock_is_reentrant_and_ends_a_dead_refreshs_children(tmp_path):
    store = store_at(tmp_path)
    store.warehouse_dir.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record_child(store, child.pid)
        # as if written by a refresh process that has since died
        path = store.children_file
        path.write_text(path.read_text().replace(f'"parent": {os.getpid()}', '"parent": -1'))
        messages = []
        with refresh_lock(store, log=messages.append):
            child.wait(5)  # ended (and reaped) when the lock was taken
            assert messages == [f"ended processes left running by a killed refresh: [{child.pid}]"]
            with refresh_lock(store):  # taken again in the same process (ogi refresh, then the run): no deadlock
                pass
        assert not path.exists()
    finally:
        if child.poll() is None:
            child.kill()


def test_reports_of_removed_or_changed_files_leave_staging(tmp_path):
    raw = raw_with(tmp_path, ["000", "002", "003"])
    store = store_at(tmp_path)
    staging = store.staging_dir
    inventory = take_inventory(raw)
    stage_batch([raw / p for p in sorted(os.listdir(raw))], store, "b1")
    removed = next(raw.glob("000_*"))
    changed = next(raw.glob("002_*"))
    removed.unlink()
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    inventory = take_inventory(raw, inventory)
    todo = plan(inventory, store)
    assert todo.pruned_parts == 1 and todo.reused == 1 and todo.to_parse == [str(changed.resolve())]
    reports = pl.read_parquet(staging / "reports" / "part-b1.parquet")
    assert reports["file_name"].to_list() == [next(raw.glob("003_*")).name]
    for table in ("cells", "issues"):
        ids = set(pl.read_parquet(staging / table / "part-b1.parquet")["report_id"].to_list())
        assert ids <= set(reports["report_id"].to_list())
    assert plan(inventory, store).pruned_parts == 0  # done once
