"""`make dev` and `make daemon` from a plain shell: the UI's code location loads without an
activated venv, and the raw/ sensor (on by default) starts a refresh when a report lands."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, copy_samples

PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"  # no .venv/bin: as a new shell has it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(root: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("OGI_", "VIRTUAL_ENV", "DAGSTER_"))}
    return {
        **keep,
        "PATH": PLAIN_PATH,
        "OGI_RAW_DIR": str(root / "raw"),
        "OGI_WAREHOUSE_DIR": str(root / "warehouse"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        **extra,
    }


def _workspace(tmp_path: Path) -> Path:
    (tmp_path / "raw").mkdir()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return tmp_path


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # dagster dev shuts its processes down on SIGINT
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["data"]


LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def test_make_dev_loads_the_code_location_from_a_plain_shell(manifest, tmp_path):
    root = _workspace(tmp_path)
    port = _free_port()
    log = root / "dev.log"
    proc = subprocess.Popen(
        ["make", "dev", f"DEV_PORT={port}"],
        cwd=REPO,
        env=_env(root, OGI_SENSOR_INTERVAL_S="3600"),  # the first tick may run; no more during the test
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, entries = time.monotonic() + 120, []
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                entries = _graphql(port, LOCATIONS)["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["loadStatus"] == "LOADED":
                    break
            except OSError:
                pass
            time.sleep(1)
        assert entries, f"the UI did not answer on port {port}: " + log.read_text(errors="replace")[-3000:]
        [entry] = entries
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry  # not a PythonError
        jobs = _graphql(port, "{ repositoriesOrError { ... on RepositoryConnection { nodes { jobs { name } } } } }")
        assert "refresh" in {j["name"] for n in jobs["repositoriesOrError"]["nodes"] for j in n["jobs"]}
    finally:
        _stop(proc)


def test_the_sensor_starts_a_refresh_when_a_report_lands_in_raw(manifest, tmp_path):
    root = _workspace(tmp_path)
    copy_samples(root / "raw", ["000"])
    log = root / "daemon.log"
    proc = subprocess.Popen(
        ["make", "daemon"],
        cwd=REPO,
        env=_env(root, OGI_SENSOR_INTERVAL_S="2"),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    db = root / "warehouse" / "ogi.duckdb"

    def reports() -> int:
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                return con.execute("select count(*) from dim_report").fetchall()[0][0]
        except duckdb.Error:
            return 0

    def wait_for(n: int, timeout_s: float = 240) -> None:
        deadline = time.monotonic() + timeout_s
        while reports() < n:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            if time.monotonic() > deadline:
                pytest.fail(f"no refresh published {n} reports in {timeout_s} s: " + log.read_text()[-3000:])
            time.sleep(1)

    try:
        wait_for(1)  # the sensor's first tick: raw/ has never been seen
        copy_samples(root / "raw", ["002"])  # a report lands
        wait_for(2)
    finally:
        _stop(proc)
    assert "refresh" in log.read_text(errors="replace")
