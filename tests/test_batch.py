"""Parallel batches: every report staged once, a pathological document becomes an issue."""

from __future__ import annotations

import polars as pl
from conftest import RAW

from dagster_project.pipeline.batches import BatchJob, batches, run_batches
from dagster_project.pipeline.store import Store


def test_a_document_over_its_time_budget_becomes_a_failed_report(tmp_path):
    sample = next(RAW.glob("002_*"))
    store = Store(tmp_path / "raw", tmp_path, tmp_path / "staging")
    [result] = run_batches([BatchJob("slow", [str(sample)])], store, timeout_s=1e-6)
    assert result.statuses == {"failed": 1}
    issues = pl.read_parquet(store.part("issues", "part-slow.parquet"))
    assert issues["code"].to_list() == ["parse_timeout"]


def test_pool_of_workers_stages_every_file_once(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    samples = sorted(RAW.glob("*.txt"))
    files = []
    for i in range(60):  # distinct contents: above the in-process threshold, so a pool runs
        path = raw / f"{i:03d}.txt"
        path.write_text(samples[i % len(samples)].read_text(encoding="utf-8") + "\n" * (i + 1), encoding="utf-8")
        files.append(str(path))
    seen = []
    store = Store(raw, tmp_path, tmp_path / "staging")
    results = run_batches(
        list(batches(files, 25, "p")),
        store,
        workers=2,
        progress=lambda done, total, _: seen.append((done, total)),
    )
    assert sorted(r.batch_id for r in results) == ["p-00000", "p-00001", "p-00002"]
    reports = pl.read_parquet(tmp_path / "staging" / "reports" / "*.parquet")
    assert reports.height == 60 and reports["content_hash"].n_unique() == 60
    assert reports.filter(pl.col("parse_status") == "failed").height == 0
    assert seen[-1] == (60, 60)
