"""Runtime faults, each as a user meets it: identical inputs to `ogi parse`, a corrupt staging
part, a damaged published warehouse, a refresh sent SIGTERM/SIGINT, files too big to parse, a
time-out under load, a file removed mid-refresh, an empty Word file, a warehouse folder whose
name has a quote and brackets, and a reader that must see the latest publish.

The end-to-end tests share one warehouse (`workspace`), in a folder named `o'brien [x]`: every
refresh here also checks that such a path works. They run in file order.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Self

import docx
import duckdb
import polars as pl
import psutil
import pytest
from conftest import RAW, SHARED, subprocess_env

from dagster_project.pipeline.steps import inventory_raw, stage_reports
from dagster_project.pipeline.store import Store

OGI = Path(sys.executable).with_name("ogi")
PLAUSIBLE = SHARED / "corpus" / "real" / "2019_pingtan_zhsyq_1.txt"  # a 表二 row decided by plausibility
GB = 1024**3


_env = subprocess_env


def refresh_logged(root: Path):
    """A real Dagster run of the refresh job (as conftest.run_refresh) and its log messages."""
    import dagster as dg

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OGI_RAW_DIR", str(root / "raw"))
        mp.setenv("OGI_WAREHOUSE_DIR", str(root / "warehouse"))
        mp.delenv("OGI_STAGING_DIR", raising=False)
        from dagster_project.definitions import defs

        with dg.instance_for_test() as instance:
            result = defs.resolve_job_def("refresh").execute_in_process(instance=instance, raise_on_error=False)
            messages = [e.user_message for e in instance.all_logs(result.run_id)]
    return result, messages


def ogi(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(OGI), *args], env=_env(root), capture_output=True, text=True, timeout=120)


def reports_in(db: Path) -> int:
    from dagster_project.connect import connect

    with connect(db) as con:
        return con.execute("select count(*) from dim_report").fetchall()[0][0]


class PeakRss:
    """The peak resident memory of this process and its children, sampled every 20 ms."""

    def __init__(self, pid: int | None = None) -> None:
        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.02)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def store_with(tmp_path: Path, prefixes: list[str]) -> Store:
    raw = tmp_path / "raw"
    raw.mkdir()
    for prefix in prefixes:
        shutil.copy(next(RAW.glob(f"{prefix}_*")), raw)
    return Store(raw, tmp_path / "warehouse", tmp_path / "warehouse" / "staging")


def staged_issues(store: Store) -> pl.DataFrame:
    return store.scan("issues").collect()


# -- 1. ogi parse: one bad input never sinks the call -------------------------------------------
def test_identical_files_with_a_plausibility_decided_row_each_get_their_record(tmp_path):
    for name in ("a.txt", "b.txt"):
        shutil.copy(PLAUSIBLE, tmp_path / name)
    done = subprocess.run(
        [str(OGI), "parse", "--json", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(r["file"]).name for r in records] == ["a.txt", "b.txt"]
    for record in records:  # both decided, the same way (政府集中采购13575394432.52元 stays open)
        codes = [i["code"] for i in record["issues"] if i.get("row_key") != "centralized_procurement"]
        assert "cells_chosen_by_plausibility" in codes and "cells_ambiguous" not in codes
    assert records[0]["issues"] == records[1]["issues"]


# -- 5. limits on every parse path -----------------------------------------------------------------
def _docx_bomb(path: Path, mb: int = 120) -> None:
    """A small .docx whose document.xml unpacks to `mb` MB of paragraphs."""
    template = io.BytesIO()
    docx.Document().save(template)
    para = b"<w:p><w:r><w:t>1</w:t></w:r></w:p>"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                with out.open("word/document.xml", "w", force_zip64=True) as f:
                    f.write(head + b"<w:body>")
                    block = para * 30_000
                    for _ in range(mb * 1_000_000 // len(block)):
                        f.write(block)
                    f.write(tail)
            else:
                out.writestr(info, data)


def _big_text(path: Path, mb: int = 200) -> None:
    line = ("本机关2019年政府信息公开工作年度报告。" * 20 + "\n").encode()
    with path.open("wb") as f:
        for _ in range(mb * 1_000_000 // len(line) + 1):
            f.write(line)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("bombs")
    _big_text(folder / "huge.txt")
    _docx_bomb(folder / "bomb.docx")
    assert (folder / "bomb.docx").stat().st_size < 5_000_000
    return [folder / "huge.txt", folder / "bomb.docx"]


def test_ogi_parse_flags_a_200_mb_file_and_a_docx_bomb_as_resource_limit_under_2_gb(bombs):
    proc = subprocess.Popen(
        [str(OGI), "parse", "--json", "--alone", *map(str, bombs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    with PeakRss(proc.pid) as rss:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()[-2000:]
    records = [json.loads(line) for line in out.decode().splitlines()]
    assert [Path(r["file"]).name for r in records] == ["huge.txt", "bomb.docx"]
    for record in records:
        assert record["parse_status"] == "failed"
        assert "resource_limit" in [i["code"] for i in record["issues"]]
    assert rss.peak < 2 * GB


def test_a_refresh_flags_big_files_and_bombs_in_its_workers_under_2_gb(bombs, tmp_path):
    from dagster_project.pipeline.batches import BatchJob, run_batches

    store = Store(tmp_path / "raw", tmp_path / "warehouse", tmp_path / "staging")
    with PeakRss() as rss:  # this process and its parse worker
        [result] = run_batches([BatchJob("bombs", [str(p) for p in bombs])], store)
    assert result.statuses == {"failed": 2}
    issues = pl.read_parquet(store.part("issues", "part-bombs.parquet"))
    reports = pl.read_parquet(store.part("reports", "part-bombs.parquet"))
    flagged = issues.join(reports.select("report_id", "file_name"), on="report_id").filter(
        pl.col("code") == "resource_limit"
    )
    assert sorted(flagged["file_name"].to_list()) == ["bomb.docx", "huge.txt"]
    assert rss.peak < 2 * GB


def test_ogi_parse_has_a_time_budget(tmp_path):
    sample = next(RAW.glob("002_*"))
    done = subprocess.run(
        [str(OGI), "parse", "--json", "--alone", str(sample)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OGI_DOC_TIMEOUT_S": "0.000001"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [record] = [json.loads(line) for line in done.stdout.splitlines()]
    assert [i["code"] for i in record["issues"]] == ["parse_timeout"]


# -- 6. a failure on a limit is retried, up to three attempts -----------------------------------------
def test_a_timed_out_report_is_parsed_again_by_later_refreshes_up_to_three_attempts(tmp_path, monkeypatch):
    store = store_with(tmp_path, ["002"])
    log: list[str] = []
    monkeypatch.setenv("OGI_DOC_TIMEOUT_S", "0.000001")  # as if the machine were overloaded
    messages = []
    for _ in range(4):
        inventory_raw(store, log.append)
        result = stage_reports(store, log.append)
        issues = staged_issues(store).filter(pl.col("code") == "parse_timeout")
        messages.append((result.parsed, issues["message"].to_list()))
    assert [parsed for parsed, _ in messages] == [1, 1, 1, 0]  # the fourth refresh leaves it be
    assert "(attempt 1 of 3: parsed again on the next refresh)" in messages[0][1][0]
    assert "(attempt 2 of 3: parsed again on the next refresh)" in messages[1][1][0]
    assert "(attempt 3 of 3: not parsed again until it changes)" in messages[2][1][0]
    assert messages[3][1] == messages[2][1]


def test_a_report_timed_out_under_load_is_parsed_by_the_next_refresh(tmp_path, monkeypatch):
    store = store_with(tmp_path, ["002"])
    monkeypatch.setenv("OGI_DOC_TIMEOUT_S", "0.000001")
    inventory_raw(store, print)
    assert stage_reports(store, print).statuses == {"failed": 1}
    monkeypatch.delenv("OGI_DOC_TIMEOUT_S")  # the load is gone
    inventory_raw(store, print)
    again = stage_reports(store, print)
    assert again.parsed == 1 and again.retried == 1 and again.statuses.get("failed", 0) == 0
    assert staged_issues(store).filter(pl.col("code") == "parse_timeout").is_empty()
    assert store.read_attempts() == {}


# -- 6b. a parse worker that dies ------------------------------------------------------------------
def staged_rows(store: Store) -> tuple[list, list]:
    """The staged reports (file, status) and cells, in a fixed order."""
    reports = store.scan("reports").select("file_name", "parse_status").collect().sort("file_name")
    cells = store.scan("cells").drop("report_id").collect()
    return reports.rows(), sorted(cells.rows(), key=repr)


def test_a_file_that_kills_its_worker_is_found_and_failed_and_its_batch_mates_staged(tmp_path, monkeypatch):
    (tmp_path / "clean").mkdir()
    store = store_with(tmp_path, ["000", "001", "002", "003", "004"])
    clean = store_with(tmp_path / "clean", ["000", "001", "002", "003", "004"])
    shutil.copy(PLAUSIBLE, store.raw_dir / "crash.txt")
    monkeypatch.setattr("dagster_project.pipeline.steps.BATCH_SIZE", 3)  # crash.txt shares a batch with 003, 004
    monkeypatch.setenv("OGI_TEST_CRASH_ON", "crash.txt")  # its worker dies each time it reaches it
    log: list[str] = []
    inventory_raw(store, log.append)
    result = stage_reports(store, log.append)
    assert result.parsed == 6 and result.statuses["failed"] == 1

    reports = store.scan("reports").collect()
    assert reports.height == 6 and reports["content_hash"].n_unique() == 6  # each file staged once
    died = staged_issues(store).filter(pl.col("code") == "parse_process_died")
    assert died.height == 1 and died["message"][0].endswith("(attempt 1 of 3: parsed again on the next refresh)")
    [crashed] = reports.filter(pl.col("parse_status") == "failed")["file_name"].to_list()
    assert crashed == "crash.txt"
    # the batch it was in was halved until it stood alone (its other halves parsed as usual)
    parts = {p.name.split("-", 2)[2].removesuffix(".parquet") for p in store.parts("reports")}
    assert parts == {"00000", "00001-0", "00001-1-0", "00001-1-1"}
    assert "a parse worker died: its pool's" in "\n".join(log)
    assert any(
        m.endswith("crash.txt: its parse worker died each time it read it; staged as failed (parse_process_died)")
        for m in log
    )
    inventory_raw(clean, log.append)
    stage_reports(clean, log.append)
    rows, clean_rows = staged_rows(store), staged_rows(clean)
    assert [r for r in rows[0] if r[0] != "crash.txt"] == clean_rows[0] and rows[1] == clean_rows[1]
    assert store.read_attempts() == {reports.filter(pl.col("file_name") == "crash.txt")["content_hash"][0]: 1}

    inventory_raw(store, log.append)  # the next refresh tries it again, alone
    again = stage_reports(store, log.append)
    assert again.parsed == 1 and again.retried == 1 and again.statuses == {"failed": 1}
    monkeypatch.delenv("OGI_TEST_CRASH_ON")  # whatever killed its worker is gone
    inventory_raw(store, log.append)
    last = stage_reports(store, log.append)
    assert last.parsed == 1 and "failed" not in last.statuses and store.read_attempts() == {}
    assert staged_issues(store).filter(pl.col("code") == "parse_process_died").is_empty()


def test_a_worker_killed_once_has_its_batch_run_again_and_nothing_staged_twice(tmp_path, monkeypatch):
    (tmp_path / "clean").mkdir()
    store = store_with(tmp_path, ["000", "001", "002", "003", "004"])
    clean = store_with(tmp_path / "clean", ["000", "001", "002", "003", "004"])
    monkeypatch.setattr("dagster_project.pipeline.steps.BATCH_SIZE", 2)
    monkeypatch.setenv("OGI_TEST_KILL_AT", "batch")  # the first batch written kills its worker, once
    inventory_raw(store, print)
    result = stage_reports(store, print)
    assert store.pause_marker("kill-batch").exists()
    assert result.parsed == 5 and "failed" not in result.statuses
    reports = store.scan("reports").collect()
    assert reports.height == 5 and reports["content_hash"].n_unique() == 5 and len(store.parts("reports")) == 3
    monkeypatch.delenv("OGI_TEST_KILL_AT")
    inventory_raw(clean, print)
    stage_reports(clean, print)
    assert staged_rows(store) == staged_rows(clean)


# -- 7. a file removed mid-refresh ------------------------------------------------------------------
def test_a_file_removed_after_the_inventory_is_file_unreadable_keyed_by_its_inventory_hash(tmp_path):
    store = store_with(tmp_path, ["002"])
    (store.raw_dir / "empty.txt").write_bytes(b"")
    inventory_raw(store, print)
    inventory = store.read_inventory()
    assert inventory is not None
    gone = next(store.raw_dir.glob("002_*"))
    expected = inventory.filter(pl.col("file_name") == gone.name)["content_hash"].item()
    gone.unlink()  # removed after the inventory, before the parse
    stage_reports(store, print)
    reports = store.scan("reports").collect()
    row = reports.filter(pl.col("file_name") == gone.name).row(0, named=True)
    assert row["content_hash"] == expected and row["report_id"] == expected[:16]
    assert row["content_hash"] != hashlib.sha256(b"").hexdigest()
    issues = staged_issues(store).filter(pl.col("report_id") == row["report_id"])
    assert issues.select("code", "severity").rows() == [("file_unreadable", "error")]
    assert reports.height == 2 and reports["report_id"].n_unique() == 2  # not merged with the empty file


# -- 8. an empty Word file -------------------------------------------------------------------------------
def test_an_empty_docx_is_an_empty_document(tmp_path):
    from dagster_project.parsing.files import parse_safely

    empty = tmp_path / "empty.docx"
    docx.Document().save(empty)
    bodiless = tmp_path / "bodiless.docx"
    with zipfile.ZipFile(empty) as src, zipfile.ZipFile(bodiless, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.split(b"<w:body>")[0] + b"</w:document>"
            out.writestr(info, data)
    for path in (empty, bodiless):
        report = parse_safely(path)
        codes = [i.code.value for i in report.issues]
        assert "empty_document" in codes and "parser_crash" not in codes, (path.name, codes)
        assert report.parse_status == "failed"


# -- the shared warehouse ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workspace(manifest, tmp_path_factory):
    """raw/ with two sample reports under a folder named `o'brien [x]`, refreshed once."""
    root = tmp_path_factory.mktemp("faults") / "o'brien [x]"
    (root / "raw").mkdir(parents=True)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    for prefix in ("000", "001"):
        shutil.copy(next(RAW.glob(f"{prefix}_*")), root / "raw")
    result, messages = refresh_logged(root)
    assert result.success, messages[-20:]
    return root


# -- 9. quotes and brackets in the warehouse path; build leftovers -------------------------------------
def test_a_warehouse_path_with_a_quote_and_brackets_refreshes_and_leftovers_are_removed(workspace):
    root = workspace
    db = root / "warehouse" / "ogi.duckdb"
    assert reports_in(db) == 2
    build = root / "warehouse" / "build"
    build.mkdir(exist_ok=True)
    (build / "ogi.duckdb").write_bytes(b"half a build, the disk was full")
    (build / "ogi.duckdb.wal").write_bytes(b"wal")
    result, messages = refresh_logged(root)
    assert result.success
    assert "the published warehouse is up to date: nothing to build" in messages
    assert any(m.startswith("removed what an unfinished build left") for m in messages)
    assert not (build / "ogi.duckdb").exists() and not (build / "ogi.duckdb.wal").exists()


# -- 2. a corrupt staging part --------------------------------------------------------------------------------
def test_a_corrupt_staging_part_is_quarantined_named_and_its_reports_parsed_again(workspace):
    """The staging step alone (fast); the next test's refresh builds on the parts staged here."""
    root = workspace
    store = Store(root / "raw", root / "warehouse", root / "warehouse" / "staging")
    staging = store.staging_dir
    [part] = sorted((staging / "cells").glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])  # truncated
    log: list[str] = []
    inventory_raw(store, log.append)
    staged = stage_reports(store, log.append)
    assert staged.parsed == 2
    assert [q.split(": ")[0] for q in staged.quarantined] == [str(part)]
    assert any(str(part) in m and "quarantine" in m for m in log)  # the log names the file
    quarantined = staging / "quarantine" / part.stem
    assert sorted(p.name for p in quarantined.iterdir()) == [
        "cells.parquet",
        "issues.parquet",
        "pre2019_statistics.parquet",
        "reports.parquet",
    ]
    assert not any((staging / t / part.name).exists() for t in ("reports", "cells", "issues", "pre2019_statistics"))
    assert store.scan("cells").collect().height > 0 and store.scan("reports").collect().height == 2


# -- 3. a damaged published warehouse -----------------------------------------------------------------------
def test_a_damaged_published_warehouse_is_named_by_status_and_check_and_rebuilt_by_refresh(workspace):
    root = workspace
    db = root / "warehouse" / "ogi.duckdb"
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    # a damaged block, same size, same name (inverted: zeroing could hit a block that is all zeros)
    data[middle : middle + 4096] = bytes(b ^ 0xFF for b in data[middle : middle + 4096])
    db.write_bytes(bytes(data))
    for command in ("status", "check"):
        done = ogi(root, command)
        assert done.returncode == 1
        assert done.stderr.strip() == (
            f"ogi {command}: the published warehouse does not match its checksum: run `ogi refresh`"
        )
        assert "Traceback" not in done.stdout + done.stderr
    with db.open("r+b") as f:  # truncated as well
        f.truncate(db.stat().st_size // 3)
    checksum = root / "warehouse" / "ogi.duckdb.sha256"
    stamped = checksum.read_bytes()
    checksum.unlink()  # even without a checksum to compare with: one line, no traceback
    for command in ("status", "check"):
        done = ogi(root, command)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "cannot be read" in done.stderr
        assert done.stderr.strip().endswith("run `ogi refresh`")
    checksum.write_bytes(stamped)
    result, messages = refresh_logged(root)
    assert result.success
    assert "the published warehouse does not match its checksum: rebuilding it" in messages
    done = ogi(root, "status")
    assert done.returncode == 0 and "2 reports" in done.stdout
    assert checksum.read_text().split()[0] == hashlib.sha256(db.read_bytes()).hexdigest()


# -- 4. SIGTERM / SIGINT to the refresh process ------------------------------------------------------------
def _wait_for(path: Path, proc: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert proc.poll() is None, f"the refresh ended (rc {proc.returncode}) before its pause point"
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.mark.parametrize(("phase", "sig"), [("dbt", signal.SIGTERM), ("parse", signal.SIGINT)])
def test_a_refresh_sent_a_signal_ends_its_children_and_says_it_was_interrupted(workspace, phase, sig):
    root = workspace
    before = reports_in(root / "warehouse" / "ogi.duckdb")
    new = {"dbt": ["003"], "parse": ["004"]}[phase]
    for prefix in new:
        shutil.copy(next(RAW.glob(f"{prefix}_*")), root / "raw")
    marker = root / f"paused-{phase}"
    log = root / f"signal-{phase}.log"
    proc = subprocess.Popen(
        [str(OGI), "refresh"],
        env=_env(root, OGI_TEST_PAUSE_AT=phase, OGI_TEST_PAUSE_MARKER=str(marker)),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(marker, proc)
        children = psutil.Process(proc.pid).children(recursive=True)
        if phase == "dbt":
            assert any("dbt" in " ".join(c.cmdline()) for c in children)
        os.kill(proc.pid, sig)  # the process only, not its group
        rc = proc.wait(60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    out = log.read_text(encoding="utf-8", errors="replace")
    assert rc != 0
    assert "refresh interrupted" in out and "run `ogi refresh` again" in out
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    assert reports_in(root / "warehouse" / "ogi.duckdb") == before
    marker.unlink()
    if phase == "parse":  # the next refresh needs no cleanup (and a reader sees what it publishes)
        the_latest_publish_is_seen_by_the_connection_helper(root, lambda: refresh_logged(root), before + 2)


# -- 10. a read-only connection that sees the latest publish ------------------------------------------------
def the_latest_publish_is_seen_by_the_connection_helper(root: Path, publish, expected: int) -> None:
    """A connection held open across a publish (a notebook's) makes DuckDB hand out the old
    build to every new `duckdb.connect(path)`; `dagster_project.connect.connect` sees the new one."""
    from dagster_project.connect import connect

    db = root / "warehouse" / "ogi.duckdb"
    held = duckdb.connect(str(db), read_only=True)
    try:
        old = held.execute("select count(*) from dim_report").fetchall()[0][0]
        result, messages = publish()
        assert result.success, messages[-20:]
        with duckdb.connect(str(db), read_only=True) as stale:  # the held instance: the old build
            assert stale.execute("select count(*) from dim_report").fetchall()[0][0] == old
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("OGI_WAREHOUSE_DIR", str(root / "warehouse"))
            with connect() as con:
                assert con.execute("select count(*) from dim_report").fetchall()[0][0] == expected != old
                assert con.execute("select count(*) from meta.build_info").fetchall()[0][0] == 1
    finally:
        held.close()
