"""Real processes: a reader querying the warehouse while refreshes run, and refreshes killed
with SIGKILL while parsing, while dbt builds and while publishing.

Every refresh here is the real `ogi refresh` (the Dagster job) in a subprocess over a private
raw/ + warehouse/ + Dagster home. A refresh is stopped at a known point with the test hook
OGI_TEST_PAUSE_AT=<phase> (see dagster_project.pipeline.testhooks): the process writes a
marker file and sleeps there until it is killed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import psutil
import pytest
from conftest import RAW, subprocess_env

OGI = Path(sys.executable).with_name("ogi")
REFRESH_TIMEOUT_S = 300

READER = textwrap.dedent("""
    import json, os, sys, time
    import duckdb
    db, out, stop = sys.argv[1:4]
    i = 0
    with open(out, "w") as f:
        while not os.path.exists(stop):
            i += 1
            t = time.time()
            try:
                con = duckdb.connect(db, read_only=True)  # a new connection per query
                try:
                    n = con.execute("select count(*) from dim_report").fetchall()[0][0]
                    j = con.execute("select count(*) from fct_request_flow f join dim_report r "
                                    "using (report_id) where f.applicant_type = 'total'").fetchall()[0][0]
                    fp = con.execute("select fingerprint from meta.build_info").fetchall()[0][0]
                    if i % 10 == 0:
                        time.sleep(1.0)  # now and then hold the file open for a while
                finally:
                    con.close()
                row = {"t": t, "n": n, "j": j, "fp": fp}
            except Exception as exc:
                row = {"t": t, "error": repr(exc)}
            f.write(json.dumps(row) + "\\n")
            f.flush()
            time.sleep(0.05)
""")


_env = subprocess_env


def start_refresh(root: Path, name: str, **extra: str) -> tuple[subprocess.Popen, Path]:
    log = root / f"{name}.log"
    proc = subprocess.Popen(
        [str(OGI), "refresh"],
        env=_env(root, **extra),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, log


def refresh(root: Path, name: str) -> tuple[int, str, float]:
    started = time.monotonic()
    proc, log = start_refresh(root, name)
    try:
        rc = proc.wait(REFRESH_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return rc, log.read_text(encoding="utf-8", errors="replace"), time.monotonic() - started


def state(db: Path) -> tuple[int, int, str]:
    """(reports, request-flow totals joined to their reports, build fingerprint) of a warehouse."""
    with duckdb.connect(str(db), read_only=True) as con:
        n = con.execute("select count(*) from dim_report").fetchall()[0][0]
        j = con.execute(
            "select count(*) from fct_request_flow f join dim_report r using (report_id) "
            "where f.applicant_type = 'total'"
        ).fetchall()[0][0]
        fp = con.execute("select fingerprint from meta.build_info").fetchall()[0][0]
    return n, j, fp


def add_samples(root: Path, prefixes: list[str]) -> None:
    for prefix in prefixes:
        shutil.copy(next(RAW.glob(f"{prefix}_*")), root / "raw")


@pytest.fixture(scope="module")
def workspace(manifest, tmp_path_factory):
    """raw/ with two sample reports, refreshed once: the warehouse both tests start from."""
    root = tmp_path_factory.mktemp("concurrency")
    (root / "raw").mkdir()
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    add_samples(root, ["000", "001"])
    rc, out, _ = refresh(root, "base")
    assert rc == 0, out[-3000:]
    # a pool of new, distinct reports to add in the crash tests
    subprocess.run(
        [str(OGI), "synth", "--n", "8", "--out", str(root / "synth"), "--seed", "7", "--layouts", "tabcell", "html"],
        check=True,
        capture_output=True,
    )
    return root


def test_reader_never_errs_never_sees_a_half_build_and_never_blocks_a_refresh(workspace):
    root = workspace
    db = root / "warehouse" / "ogi.duckdb"
    states = [state(db)]
    out, stop = root / "reader.jsonl", root / "reader.stop"
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(out), str(stop)])
    try:
        time.sleep(1.0)
        # two refreshes at once, raw/ changing between them: the second waits for the first,
        # then builds on; neither fails, neither is held up by the reader
        add_samples(root, ["002"])
        first, first_log = start_refresh(root, "first")
        _wait_for_text(first_log, "report files under", first)  # it has taken its inventory
        add_samples(root, ["003"])
        second, second_log = start_refresh(root, "second")
        assert first.wait(REFRESH_TIMEOUT_S) == 0, first_log.read_text()[-3000:]
        states.append(state(db))  # the second is still parsing and building: the first's build
        assert second.wait(REFRESH_TIMEOUT_S) == 0, second_log.read_text()[-3000:]
        states.append(state(db))
        logs = first_log.read_text() + second_log.read_text()
        assert "waiting for it to finish" in second_log.read_text()  # queued behind the first
        assert "Could not set lock" not in logs and "Conflicting lock" not in logs
        time.sleep(1.5)  # let the reader see the last build
    finally:
        stop.touch()
        reader.wait(30)

    assert states[0][0] < states[1][0] < states[2][0]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    errors = [r for r in rows if "error" in r]
    assert errors == []
    assert len(rows) >= 20
    seen = [(r["n"], r["j"], r["fp"]) for r in rows]
    assert set(seen) <= set(states)  # only whole published builds, never anything in between
    order = [states.index(s) for s in seen]
    assert order == sorted(order)  # and never an older build after a newer one
    assert order[0] == 0 and order[-1] == 2


def _wait_for_text(log: Path, text: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in log.read_text(encoding="utf-8", errors="replace"):
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"no {text!r} in {log.name} after {timeout_s} s"
        time.sleep(0.1)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _wait_for(path: Path, proc: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert proc.poll() is None, f"the refresh ended (rc {proc.returncode}) before reaching the pause point"
        assert time.monotonic() < deadline, f"no {path.name} after {timeout_s} s"
        time.sleep(0.1)


@pytest.mark.parametrize("phase", ["parse", "dbt", "publish"])
def test_a_refresh_killed_mid_way_leaves_the_warehouse_intact_and_the_next_one_recovers(workspace, phase):
    from dagster import DagsterInstance, DagsterRunStatus

    root = workspace
    db = root / "warehouse" / "ogi.duckdb"
    before = state(db)
    new = sorted((root / "synth").glob("*.*"))
    new = [p for p in new if p.is_file()][: {"parse": 2, "dbt": 4, "publish": 6}[phase]][-2:]
    for p in new:
        shutil.copy(p, root / "raw")

    marker = root / f"paused-{phase}"
    # `parse`: batches of one report, so the two new reports go to the worker pool and the
    # refresh is killed while workers run
    proc, _log = start_refresh(
        root,
        f"killed-{phase}",
        OGI_TEST_PAUSE_AT=phase,
        OGI_TEST_PAUSE_MARKER=str(marker),
        **({"OGI_BATCH_SIZE": "1"} if phase == "parse" else {}),
    )
    try:
        _wait_for(marker, proc)
        children = _tree(proc.pid)
        if phase == "dbt":
            build = root / "warehouse" / "build" / "ogi.duckdb"
            assert build.exists(), "dbt should be building when killed"
            assert any("dbt" in " ".join(c.cmdline()) for c in children)
        os.kill(proc.pid, signal.SIGKILL)  # the refresh process only: its children are orphaned
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)

    # the published warehouse is untouched and answers with the old content
    assert state(db) == before
    if phase == "parse":  # orphaned parse workers stop by themselves
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []

    rc, out, _ = refresh(root, f"after-{phase}")
    assert rc == 0, out[-3000:]
    # built from a fresh copy of the published warehouse, redoing the new reports only
    assert re.search(r"dbt build\s+incremental: [23] reports added, changed or removed", out), out[-3000:]
    after = state(db)
    assert after[0] == before[0] + 2 and after[2] != before[2]
    with duckdb.connect(str(db), read_only=True) as con:
        names = {r[0] for r in con.execute("select file_name from dim_report").fetchall()}
    assert {p.name for p in new} <= names

    # nothing the killed refresh left behind survives the next one
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    warehouse = root / "warehouse"
    assert not (warehouse / "build" / "ogi.duckdb").exists()
    assert not (warehouse / "build" / "ogi.duckdb.wal").exists()
    assert list((warehouse / "build").glob("changes/*")) == []
    assert list(warehouse.glob("staging/*/.part-*.tmp")) == []
    instance = DagsterInstance.from_config(str(root / "dagster_home"))
    try:
        assert [r.run_id for r in instance.get_runs() if r.status == DagsterRunStatus.STARTED] == []
    finally:
        instance.dispose()
    status = subprocess.run([str(OGI), "status"], env=_env(root), capture_output=True, text=True)
    assert status.returncode == 0 and f"{after[0]} reports" in status.stdout


def _dagster_run(root: Path, name: str, **extra: str) -> tuple[subprocess.Popen, Path]:
    """The refresh job launched by Dagster's own CLI, as the UI, schedule or sensor would run it
    (not through `ogi refresh`, which takes the lock itself)."""
    dagster = Path(sys.executable).with_name("dagster")
    log = root / f"{name}.log"
    proc = subprocess.Popen(
        [str(dagster), "job", "execute", "-m", "dagster_project.definitions", "-j", "refresh"],
        env=_env(root, **extra),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return proc, log


def test_two_dagster_runs_of_one_warehouse_never_interleave(workspace):
    """The refresh lock is held by the warehouse resource for the whole run: a second run
    started while the first is between or inside its steps starts its first step only after
    the first run has ended."""
    from dagster import DagsterEventType, DagsterInstance

    root = workspace
    before = state(root / "warehouse" / "ogi.duckdb")[0]
    add_samples(root, ["004"])
    marker = root / "warehouse" / ".paused-dbt"
    marker.unlink(missing_ok=True)
    first, first_log = _dagster_run(root, "dagster-first", OGI_TEST_PAUSE_AT="dbt", OGI_TEST_PAUSE_S="6")
    try:
        _wait_for(marker, first)
        spare = max(p for p in (root / "synth").glob("*.*") if p.is_file())  # not used by other tests
        shutil.copy(spare, root / "raw")  # so the second run has work of its own
        second, second_log = _dagster_run(root, "dagster-second")
        assert first.wait(REFRESH_TIMEOUT_S) == 0, first_log.read_text()[-3000:]
        assert second.wait(REFRESH_TIMEOUT_S) == 0, second_log.read_text()[-3000:]
    finally:
        for proc in (first, second) if "second" in locals() else (first,):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert "waiting for it to finish" in second_log.read_text()

    os.environ["DAGSTER_HOME"], saved = str(root / "dagster_home"), os.environ.get("DAGSTER_HOME")
    try:
        instance = DagsterInstance.get()
        runs = instance.get_runs(limit=2)  # newest first: the second, then the first

        def times(run_id: str, kind: DagsterEventType) -> list[float]:
            return [entry.timestamp for entry in instance.all_logs(run_id, of_type=kind)]

        second_run, first_run = runs[0].run_id, runs[1].run_id
        first_steps = times(first_run, DagsterEventType.STEP_SUCCESS)
        second_starts = times(second_run, DagsterEventType.STEP_START)
        assert len(first_steps) == 4 and len(second_starts) == 4
        assert min(second_starts) > max(first_steps)  # no step of the second ran beside the first
    finally:
        instance.dispose()
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved
    assert state(root / "warehouse" / "ogi.duckdb")[0] == before + 2  # 004 and the spare, each once
