"""Incremental dbt builds: a refresh after raw/ changed starts from the published warehouse and
redoes only the reports added, changed or removed, and publishes exactly what a full build of
the same inventory publishes (every table, row for row)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import copy_samples, run_refresh, table_digests

from dagster_project.runs import summarize
from dagster_project.synth import generate_corpus


def build_of(result) -> str:
    published = summarize(result).published
    assert published is not None, "nothing was published"
    return published.build


def dbt_results(root: Path) -> list[dict]:
    """The nodes the last dbt build ran (its run_results.json)."""
    return json.loads((root / "warehouse" / "dbt_target" / "run_results.json").read_text())["results"]


def report_ids(db: Path, table: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute(f"select distinct report_id from {table}").fetchall()}


@pytest.fixture(scope="module")
def refreshed(manifest, tmp_path_factory) -> tuple[Path, list[Path]]:
    """The five samples and 16 synthetic reports, built once (full: nothing was published)."""
    root = tmp_path_factory.mktemp("incremental")
    raw = root / "raw"
    raw.mkdir()
    copy_samples(raw)
    pool = generate_corpus(24, root / "synth", seed=11)
    for path in pool[:16]:
        shutil.copy(path, raw / path.name)
    result = run_refresh(root)
    assert result.success
    assert build_of(result) == "full: there is no published warehouse"
    return root, pool


def test_an_incremental_build_publishes_what_a_full_build_does(refreshed):
    root, pool = refreshed
    raw, db = root / "raw", root / "warehouse" / "ogi.duckdb"
    before = report_ids(db, "dim_report")
    # six reports added, a second copy of a sample, two removed, one rewritten in place
    for path in pool[16:22]:
        shutil.copy(path, raw / path.name)
    sample = min(raw.glob("000_*.txt"))
    shutil.copy(sample, raw / "copy of the first sample.txt")
    removed = [raw / pool[0].name, raw / pool[1].name]
    for path in removed:
        path.unlink()
    (raw / pool[2].name).write_bytes(pool[23].read_bytes())

    incremental = run_refresh(root)
    assert incremental.success
    build = build_of(incremental)
    assert build.startswith("incremental: ") and build.endswith(" reports added, changed or removed")
    redone = int(build.split()[1])
    # 6 added + 2 removed + the rewritten file's old and new content (the copy's content is
    # staged already); the cross-year decisions may touch a few more, never the whole warehouse
    assert 10 <= redone < len(before)
    after = report_ids(db, "dim_report")
    gone = before - after
    assert len(gone) == 3 and len(after) == len(before) + 6 + 1 - 3
    for table in ("staging.stg_cells", "fct_request_outcomes", "report_quality", "intermediate.int_identity_checks"):
        assert not report_ids(db, table) & gone, f"{table} keeps rows of removed reports"
    with duckdb.connect(str(db), read_only=True) as con:
        copy = con.execute("select status from dim_source_file where file_name = 'copy of the first sample.txt'")
        assert copy.fetchall() == [("duplicate",)]
    incremental_tables = table_digests(db)
    # the seeds and dim_region (it reads only seeds) were kept, not rebuilt, and so were their own
    # tests and the unit tests of the unchanged SQL; a model's test against them ran
    ran = {r["unique_id"] for r in dbt_results(root)}
    tested = {unique_id.split(".")[2] for unique_id in ran}
    assert not {t for t in tested if t.startswith(("unique_dim_issue_code", "unique_dim_region"))}
    assert "model.ogi.dim_region" not in ran and not [u for u in ran if u.startswith("unit_test.")]
    assert "relationships_stg_reports_region_code__code__ref_ref_regions_" in tested
    assert "relationships_dim_report_region_code__region_code__ref_dim_region_" in tested
    assert "stg_cells_one_row_per_cell" in tested and "model.ogi.stg_cells" in ran
    materialized = [event.materialization for event in incremental.get_asset_materialization_events()]
    kept = {m.asset_key.to_user_string(): m.metadata["build"].value for m in materialized if "build" in m.metadata}
    assert kept["dim_region"] == "kept from the published warehouse (it reads only seeds, which are unchanged)"
    assert kept["ref_regions"] == "kept from the published warehouse (seeds are unchanged)"

    full = run_refresh(root, full=True)
    assert full.success
    assert build_of(full) == "full: a full build was asked for"
    full_tables = table_digests(db)
    assert len(full_tables) > 30 and set(full_tables) == set(incremental_tables)
    assert [n for n in full_tables if full_tables[n] != incremental_tables[n]] == []

    unchanged = run_refresh(root)  # and nothing to do when nothing changed
    assert unchanged.success and summarize(unchanged).published is None


def test_a_damaged_published_warehouse_is_never_built_upon(refreshed):
    root, pool = refreshed
    db = root / "warehouse" / "ogi.duckdb"
    shutil.copy(pool[22], root / "raw" / pool[22].name)
    with db.open("r+b") as f:  # a flipped byte in the last block: the checksum no longer matches
        f.seek(-100, 2)
        byte = f.read(1)
        f.seek(-100, 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    result = run_refresh(root)
    assert result.success
    assert build_of(result) == "full: the published warehouse does not match its checksum"
