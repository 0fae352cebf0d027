"""OGI_ENGINE=ray: the staging batches as tasks on a real local Ray cluster (2 CPUs) stage what
the process pool stages, and `ogi refresh` on Ray publishes the same marts as on the pool, even
when a worker is killed mid-batch (the task is retried and overwrites its parts); a file that
kills its worker on every attempt is found and staged as a failed report."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from conftest import RAW, subprocess_env, table_digests

from dagster_project.parsing.schema import TABLES
from dagster_project.pipeline.batches import BatchJob, batches, run_batches
from dagster_project.pipeline.engines import Engine, ray_session, run_batches_on_ray, selected_engine
from dagster_project.pipeline.store import Store
from dagster_project.synth import generate_corpus

pytest.importorskip("ray", reason="ray is not installed: .venv/bin/pip install 'ray==2.60.*'")

OGI = Path(sys.executable).with_name("ogi")
REFRESH_TIMEOUT_S = 300
N_REPORTS, BATCH = 60, 20  # three batches over two CPUs: one waits for a free worker
CRASHER = "kills-its-worker.txt"  # a parse worker kills itself on reaching a file of this name (OGI_TEST_CRASH_ON)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """raw/ with 60 synthetic reports (the answer keys left outside)."""
    root = tmp_path_factory.mktemp("engine")
    (root / "raw").mkdir()
    for path in generate_corpus(N_REPORTS, root / "synth", seed=0):
        shutil.copy(path, root / "raw" / path.name)
    return root / "raw"


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    """A local Ray cluster of 2 CPUs for the in-process tests, started as a refresh starts one;
    `run_batches_on_ray` uses it instead of starting its own."""
    store = Store(Path("raw"), tmp_path_factory.mktemp("cluster"), Path("staging"))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OGI_RAY_ADDRESS", raising=False)
        mp.setenv("OGI_MAX_FILE_MB", "1000")  # the tasks get the OGI_* environment the cluster starts with
        mp.setenv("OGI_TEST_CRASH_ON", CRASHER)
        with ray_session(2, store) as ray:
            assert ray.cluster_resources()["CPU"] == 2
            yield ray


def staged_rows(store: Store) -> dict[str, list[str]]:
    """Every committed row of every staging table, as sorted text (the order of parts aside)."""
    return {t: sorted(map(repr, store.scan(t).collect().rows())) for t in TABLES}


def test_an_unknown_engine_names_the_choices(monkeypatch):
    monkeypatch.setenv("OGI_ENGINE", "dask")
    with pytest.raises(ValueError, match="OGI_ENGINE='dask' is not an engine: choose one of local, ray"):
        selected_engine()
    monkeypatch.setenv("OGI_ENGINE", " Ray ")
    assert selected_engine() is Engine.RAY
    monkeypatch.delenv("OGI_ENGINE")
    assert selected_engine() is Engine.LOCAL


def test_ray_tasks_stage_the_same_parts_as_the_pool(ray_cluster, corpus, tmp_path, monkeypatch):
    files = sorted(str(p) for p in corpus.iterdir())
    jobs = list(batches(files, BATCH, "e"))
    monkeypatch.delenv("OGI_RAY_ADDRESS", raising=False)
    monkeypatch.delenv("OGI_ENGINE", raising=False)
    pool = Store(corpus, tmp_path / "pool", tmp_path / "pool" / "staging")
    on_pool = run_batches(jobs, pool, workers=2)
    monkeypatch.setenv("OGI_ENGINE", "ray")
    on_ray_store = Store(corpus, tmp_path / "ray", tmp_path / "ray" / "staging")
    seen: list[tuple[int, int]] = []
    on_ray = run_batches(jobs, on_ray_store, workers=2, progress=lambda done, total, _: seen.append((done, total)))

    assert sorted(on_ray, key=lambda r: r.batch_id) == sorted(on_pool, key=lambda r: r.batch_id)
    assert len(seen) == 3 and seen[-1] == (N_REPORTS, N_REPORTS)
    assert [p.name for p in on_ray_store.parts("reports")] == [
        "part-e-00000.parquet",
        "part-e-00001.parquet",
        "part-e-00002.parquet",
    ]
    rows = staged_rows(on_ray_store)
    assert len(rows["reports"]) == N_REPORTS and len(rows["cells"]) > 100 * N_REPORTS
    assert rows == staged_rows(pool)


def test_a_file_that_kills_its_ray_worker_on_every_attempt_is_found_and_failed(ray_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_RAY_RETRIES", "1")
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted(RAW.glob("00[0-4]_*")):
        shutil.copy(path, raw)
    shutil.copy(next(RAW.glob("004_*")), raw / CRASHER)  # 004 with one more line: a content of its own
    (raw / CRASHER).write_text((raw / CRASHER).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    jobs = list(batches(sorted(str(p) for p in raw.iterdir()), 3, "k"))  # [000 001 002] [003 004 crasher]
    store = Store(raw, tmp_path / "warehouse", tmp_path / "warehouse" / "staging")
    log: list[str] = []
    results = run_batches_on_ray(jobs, store, workers=2, log=log.append)

    assert sum(r.n_reports for r in results) == 6
    reports = store.scan("reports").collect()
    assert reports.height == 6 and reports["content_hash"].n_unique() == 6
    assert reports.filter(pl.col("parse_status") == "failed")["file_name"].to_list() == [CRASHER]
    issues = store.scan("issues").collect().filter(pl.col("code") == "parse_process_died")
    assert issues.height == 1
    parts = {p.name.removeprefix("part-k-").removesuffix(".parquet") for p in store.parts("reports")}
    assert parts == {"00000", "00001-0", "00001-1-0", "00001-1-1"}
    assert log[0].startswith("the Ray workers of 1 batch died on every attempt")
    assert log[-1].endswith(
        f"{CRASHER}: its parse worker died each time it read it; staged as failed (parse_process_died)"
    )


def test_a_ray_task_keeps_the_time_budget_and_caps_memory_above_what_its_worker_maps(ray_cluster, tmp_path):
    # a Ray worker maps ~8 GB at start: the cap is 512 MB above that, and a 150 MB text is far past it once read
    huge = tmp_path / "huge.txt"
    line = ("本机关2019年政府信息公开工作年度报告。" * 20 + "\n").encode()
    huge.write_bytes(line * (150_000_000 // len(line)))
    sample = next(RAW.glob("002_*"))
    store = Store(tmp_path, tmp_path / "warehouse", tmp_path / "warehouse" / "staging")
    [capped] = run_batches_on_ray([BatchJob("capped", [str(huge), str(sample)])], store, memory_mb=512)
    [timed] = run_batches_on_ray([BatchJob("timed", [str(sample)])], store, timeout_s=1e-6)

    reports = store.scan("reports").collect()
    issues = store.scan("issues").collect().join(reports.select("report_id", "file_name"), on="report_id")
    assert capped.statuses == {"failed": 1, "parsed": 1} and timed.statuses == {"failed": 1}
    codes = {f: sorted(set(issues.filter(issues["file_name"] == f)["code"])) for f in ("huge.txt", sample.name)}
    assert "parse_out_of_memory" in codes["huge.txt"]
    assert "parse_out_of_memory" not in codes[sample.name] and "parse_timeout" in codes[sample.name]


def _refresh(raw: Path, root: Path, **extra: str) -> tuple[subprocess.Popen, Path]:
    """The real `ogi refresh` over `raw` into root/warehouse (three batches, two workers)."""
    (root / "dagster_home").mkdir(parents=True)
    (root / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {**subprocess_env(root, OGI_BATCH_SIZE=str(BATCH), OGI_WORKERS="2", **extra), "OGI_RAW_DIR": str(raw)}
    log = root / "refresh.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(OGI), "refresh"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        return proc, log


def test_ogi_refresh_on_ray_with_a_worker_killed_mid_batch_publishes_the_marts_of_the_pool(corpus, manifest, tmp_path):
    # the same raw/ for both (the marts name the files), a warehouse each, refreshed side by side
    started = time.monotonic()
    runs = {
        "pool": _refresh(corpus, tmp_path / "pool"),
        "ray": _refresh(corpus, tmp_path / "ray", OGI_ENGINE="ray", OGI_TEST_KILL_AT="batch"),
    }
    try:
        codes = {name: proc.wait(REFRESH_TIMEOUT_S) for name, (proc, _) in runs.items()}
    finally:
        for proc, _ in runs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    for name, (_, log) in runs.items():
        assert codes[name] == 0, f"{name}: {log.read_text(encoding='utf-8', errors='replace')[-3000:]}"
    print(f"two refreshes in {time.monotonic() - started:.1f} s")

    pool_store, ray_store = (
        Store(corpus, tmp_path / n / "warehouse", tmp_path / n / "warehouse" / "staging") for n in ("pool", "ray")
    )
    assert ray_store.pause_marker("kill-batch").exists()  # a worker was killed after writing its batch's parts
    reports = ray_store.scan("reports").collect()
    assert reports.height == N_REPORTS and reports["report_id"].n_unique() == N_REPORTS
    assert [len(ray_store.parts(t)) for t in TABLES] == [3] * len(TABLES)
    cells = ray_store.scan("cells").collect()
    assert cells.select("report_id", "table_id", "row_key", "col_key").is_duplicated().sum() == 0
    assert staged_rows(ray_store) == staged_rows(pool_store)

    on_pool, on_ray = (table_digests(tmp_path / n / "warehouse" / "ogi.duckdb", "main") for n in ("pool", "ray"))
    assert on_ray["main.dim_report"][0] == N_REPORTS and on_ray["main.fct_request_outcomes"][0] > 0
    assert on_ray == on_pool
