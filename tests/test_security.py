"""The claims of SECURITY.md that a test can check: report content never reaches SQL as code,
nothing is fetched, links out of raw/ are not followed, the limits hold, the UI binds locally."""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import docx
import duckdb
import polars as pl
import pytest
from conftest import RAW, REPO, run_refresh

from dagster_project.parsing.files import parse_safely
from dagster_project.parsing.readers import is_report_name
from dagster_project.pipeline.guards import alarm_handler, parse_guarded
from dagster_project.pipeline.inventory import report_files, take_inventory
from dagster_project.pipeline.store import Store

INJECTION = "'); drop table dim_report; --"


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it (from any process)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def hostile_html(port: int) -> str:
    """A real report as HTML, with a script, remote images, styles, frames and a remote DTD."""
    text = next(RAW.glob("000_*")).read_text(encoding="utf-8")
    url = f"http://127.0.0.1:{port}"
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    return (
        f'<!DOCTYPE html SYSTEM "{url}/x.dtd">\n<html><head><link rel="stylesheet" href="{url}/s.css">'
        f'<script src="{url}/a.js"></script><script>fetch("{url}/beacon"); document.write("SCRIPTRAN")</script>'
        f'</head><body><img src="{url}/x.png"><iframe src="{url}/frame"></iframe>'
        f'<object data="{url}/obj"></object>{body}<img src="{url}/y.png"></body></html>'
    )


def test_report_content_and_names_that_look_like_sql_land_as_text_and_nothing_is_fetched(manifest, warehouse_env):
    raw = warehouse_env
    listener = Listener()
    try:
        sample = next(RAW.glob("001_*"))
        (raw / f"x{INJECTION}.txt").write_text(
            sample.read_text(encoding="utf-8") + f"\n{INJECTION}\n", encoding="utf-8"
        )
        (raw / "hostile.html").write_text(hostile_html(listener.port), encoding="utf-8")
        result = run_refresh(raw.parent)
        assert result.success
    finally:
        listener.close()
    assert listener.connections == 0  # no process of the refresh (parse workers, dbt) fetched anything
    db = raw.parent / "warehouse" / "ogi.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        names = sorted(r[0] for r in con.execute("select file_name from dim_report").fetchall())
        assert names == sorted(["hostile.html", f"x{INJECTION}.txt"])
        fmt = con.execute("select parse_status from dim_report where file_name = 'hostile.html'").fetchall()
        assert fmt == [("flagged",)] or fmt == [("parsed",)]
        raw_texts = [
            r[0] for r in con.execute("select raw_text from staging.stg_cells where raw_text is not null").fetchall()
        ]
    assert raw_texts and not any("SCRIPTRAN" in t or "fetch(" in t for t in raw_texts)


def test_parsing_hostile_html_makes_no_network_call(tmp_path, monkeypatch):
    calls: list[object] = []

    def no_connect(self: socket.socket, address: object) -> None:
        calls.append(address)
        raise OSError("network use in a test of the parser")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: no_connect(None, a))  # type: ignore[arg-type]
    path = tmp_path / "hostile.html"
    path.write_text(hostile_html(9), encoding="utf-8")
    report = parse_safely(path)
    assert calls == []
    assert report.file_format == "html" and report.table3 is not None
    assert "parser_crash" not in [i.code.value for i in report.issues]


def test_a_symlink_out_of_raw_is_not_read(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    outside = tmp_path / "secret.txt"
    shutil.copy(next(RAW.glob("000_*")), outside)
    (raw / "link.txt").symlink_to(outside)
    shutil.copy(next(RAW.glob("001_*")), raw)
    inventory = take_inventory(raw)
    assert [Path(p).name for p in report_files(inventory)["path"].to_list()] == [next(RAW.glob("001_*")).name]
    link = inventory.filter(pl.col("file_name") == "link.txt").row(0, named=True)
    assert link["reason"] == "symlink_outside_raw" and link["content_hash"] is None


def test_a_file_above_the_size_limit_is_not_read(tmp_path, monkeypatch):
    sample = next(RAW.glob("000_*"))
    monkeypatch.setenv("OGI_MAX_FILE_MB", str(sample.stat().st_size / 2e6))
    report = parse_safely(sample)
    assert [i.code.value for i in report.issues] == ["resource_limit"]
    assert "OGI_MAX_FILE_MB" in report.issues[0].message


def test_a_word_file_unpacking_past_the_limit_is_not_opened(tmp_path, monkeypatch):
    path = tmp_path / "report.docx"
    document = docx.Document()
    for line in next(RAW.glob("000_*")).read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    document.save(path)
    assert parse_safely(path).table3 is not None  # read under the default limit
    monkeypatch.setenv("OGI_MAX_UNCOMPRESSED_MB", "0.01")
    report = parse_safely(path)
    assert [i.code.value for i in report.issues][:1] == ["resource_limit"]
    assert "OGI_MAX_UNCOMPRESSED_MB" in report.issues[0].message


def test_a_document_over_its_time_budget_is_stopped():
    with alarm_handler() as can_time:
        assert can_time
        report = parse_guarded(next(RAW.glob("002_*")), timeout_s=1e-6)
    assert [i.code.value for i in report.issues] == ["parse_timeout"]


def test_a_parsing_process_cannot_take_more_memory_than_its_cap():
    code = (
        "from dagster_project.pipeline.guards import limit_memory\n"
        "limit_memory(1024)\n"
        "try:\n    block = bytearray(2 * 1024**3)\nexcept MemoryError:\n    print('capped')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "capped", done.stderr[-2000:]


def test_macros_and_legacy_formats_are_never_opened(tmp_path):
    assert not is_report_name("report.docm") and not is_report_name("report.xlsm")
    legacy = tmp_path / "report.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    assert [i.code.value for i in parse_safely(legacy).issues][:1] == ["doc_legacy_format"]


def test_the_dagster_ui_binds_to_localhost_and_telemetry_is_off():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    dev = re.search(r"^dev:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert dev is not None
    recipe = dev.group(1)
    assert "dagster dev" in recipe and "-h 127.0.0.1" in recipe and "0.0.0.0" not in recipe
    assert re.search(r"telemetry:\s*\n\s*enabled:\s*false", (REPO / ".dagster_home" / "dagster.yaml").read_text())
    store = Store(Path("/r"), Path("/w"), Path("/w/staging"))
    assert store.dbt_env()["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"


@pytest.mark.parametrize("name", ["o'brien", "a[1]", "star*dir"])
def test_paths_dbt_reads_are_quoted_and_never_globbed_beyond_their_file_pattern(tmp_path, name):
    staging = tmp_path / name / "staging"
    (staging / "reports").mkdir(parents=True)
    pl.DataFrame({"report_id": ["a"]}).write_parquet(staging / "reports" / "part-b1.parquet")
    (tmp_path / "staging").mkdir()  # a sibling the unescaped glob `a[1]` or `star*dir` could match
    glob = Store(tmp_path, tmp_path, staging).dbt_env()["OGI_PARTS_REPORTS"]
    with duckdb.connect() as con:  # pasted into a literal exactly as dbt does
        assert con.execute(f"select count(*) from read_parquet('{glob}')").fetchall() == [(1,)]
    assert os.sep + "part-*.parquet" in glob
