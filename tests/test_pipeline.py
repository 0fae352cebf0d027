"""End to end: real Dagster materializations of every asset into a private warehouse."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import BROKEN, RAW, copy_samples, make_broken_copy, run_refresh

from dagster_project.cli import _display_width


@pytest.fixture(scope="module")
def refreshed(manifest, tmp_path_factory):
    """Run the refresh job once over the samples plus a copy with a broken identity."""
    root = tmp_path_factory.mktemp("pipeline")
    raw = root / "raw"
    raw.mkdir()
    copy_samples(raw)
    make_broken_copy(raw)
    return run_refresh(root), root / "warehouse" / "ogi.duckdb"


def query(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_refresh_succeeds_and_publishes(refreshed):
    result, db = refreshed
    assert result.success
    assert db.exists() and not (db.parent / "build" / "ogi.duckdb").exists()
    assert query(db, "select count(*) from dim_report") == [(6,)]


def test_every_identity_check_ran_and_passed(refreshed):
    result, _ = refreshed
    evaluations = result.get_asset_check_evaluations()
    declared = {k.name for k in result.job_def.asset_layer.asset_graph.asset_check_keys}
    assert {e.check_name for e in evaluations} == declared  # every dbt test ran as an asset check
    identity_tests = {n for n in declared if "identity" in n or "t3" in n.lower()}
    assert len(identity_tests) >= 4, identity_tests
    failed = [e.check_name for e in evaluations if not e.passed and e.severity.value == "ERROR"]
    assert failed == []


def test_jinzhai_2020_requests(refreshed):
    _, db = refreshed
    rows = query(
        db,
        """
        select f.received, f.handled_reported from fct_request_flow f join dim_report r using (report_id)
        where r.agency_name = '金寨县人民政府' and r.report_year = 2020 and f.applicant_type = 'total'
          and r.file_name <> '900_broken_identity.txt'""",
    )
    assert rows == [(23, 23)]
    granted = query(
        db,
        """
        select o.value from fct_request_outcomes o join dim_report r using (report_id)
        where r.file_name = '002_27a7349fbee7f2fc.txt' and o.applicant_type = 'total' and o.outcome_key = 'granted'""",
    )
    assert granted == [(16,)]


def test_gaoan_2019_administrative_review(refreshed):
    _, db = refreshed
    rows = query(
        db,
        """
        select l.result, l.value from fct_review_litigation l join dim_report r using (report_id)
        where r.agency_name = '高安市人民政府' and r.report_year = 2019 and l.block = 'review'
        order by l.result""",
    )
    assert dict(rows) == {"corrected": 4, "other": 24, "pending": 3, "total": 36, "upheld": 5}


def test_blank_cells_stay_null_in_the_marts(refreshed):
    _, db = refreshed
    rows = query(
        db,
        """
        select count(*), count(o.value) from fct_request_outcomes o join dim_report r using (report_id)
        where r.file_name = '001_3e7c7203fb80667c.txt'""",
    )
    assert rows[0][0] > 0 and rows[0][1] == 0


def test_broken_report_is_marked_listed_and_still_published(refreshed):
    _, db = refreshed
    status = query(db, f"select quality_status from dim_report where file_name = '{BROKEN}'")
    assert status == [("inconsistent",)]
    breaks = query(
        db,
        f"""
        select identity, place, reported, recomputed from report_quality
        where file_name = '{BROKEN}' and identity is not null order by identity, place""",
    )
    identities = {b[0] for b in breaks}
    assert identities == {"T3-A", "T3-B"}
    assert ("T3-B", "table3.total_handled.natural_person", 24.0, 23.0) in breaks
    # the published numbers are the printed ones, not "fixed"
    flow = query(
        db,
        f"""select handled_reported, handled_recomputed from fct_request_flow f
        join dim_report r using (report_id) where r.file_name = '{BROKEN}' and f.applicant_type = 'total'""",
    )
    assert flow == [(24, 23)]


def test_the_mart_never_sums_the_total_column_with_the_applicant_columns(refreshed):
    """Summing a report's applicant columns gives its 总计 row, not twice it: the total is a row
    marked is_total, and a sum over `not is_total` is what the printed total checks against."""
    _, db = refreshed
    assert query(db, "select count(*) from dim_applicant_type where is_total") == [(1,)]
    sums = query(
        db,
        """select report_id, sum(received) filter (where not is_total), sum(received) filter (where is_total),
                  sum(received)
           from fct_request_flow group by report_id having count(received) = 7""",
    )
    assert len(sums) >= 4
    for report_id, applicants, total, everything in sums:
        assert applicants == total and everything == 2 * total, report_id


def test_a_reader_holding_the_warehouse_neither_blocks_nor_sees_a_half_build(refreshed):
    """A dashboard keeps a read-only connection open while the next refresh runs."""
    _, db = refreshed
    raw = db.parent.parent / "raw"
    reader = duckdb.connect(str(db), read_only=True)
    before = reader.execute("select count(*) from dim_report").fetchall()
    text = (RAW / "000_890802141209736b.txt").read_text(encoding="utf-8")
    (raw / "901_second_copy_renamed.txt").write_text(text + "\n", encoding="utf-8")  # new content
    try:
        assert run_refresh(raw.parent).success
        # the open connection still answers from its snapshot ...
        assert reader.execute("select count(*) from dim_report").fetchall() == before
    finally:
        reader.close()
        (raw / "901_second_copy_renamed.txt").unlink()
    # ... and a new one sees the new build
    assert query(db, "select count(*) from dim_report") == [(before[0][0] + 1,)]


def _ogi(db: Path, *args: str, pipe_to_head: bool = False) -> subprocess.CompletedProcess:
    ogi = Path(sys.executable).with_name("ogi")
    env = {**os.environ, "OGI_WAREHOUSE_DIR": str(db.parent)}
    if pipe_to_head:  # the reader closes the pipe after one line, as `| head -1` does
        command = " ".join(shlex.quote(a) for a in (str(ogi), *args)) + " | head -1"
        return subprocess.run(["bash", "-o", "pipefail", "-c", command], env=env, capture_output=True, text=True)
    return subprocess.run([str(ogi), *args], env=env, capture_output=True, text=True)


def test_ogi_check_orders_by_severity_filters_and_fits_the_terminal(refreshed):
    _, db = refreshed
    rows = [json.loads(line) for line in _ogi(db, "check", "--all", "--json").stdout.splitlines()]
    order = [("error", "warning", "info").index(r["severity"]) for r in rows]
    assert order == sorted(order) and {r["severity"] for r in rows} >= {"warning", "info"}
    breaks = [json.loads(line) for line in _ogi(db, "check", "--code", "identity_broken", "--json").stdout.splitlines()]
    assert {r["report"] for r in breaks} == {BROKEN} and len(breaks) == 4  # T3-A and T3-B, natural person and total
    only = _ogi(db, "check", "--all", "--report", "004_", "--json").stdout.splitlines()
    assert only and all(json.loads(line)["report"].startswith("004_") for line in only)
    table = _ogi(db, "check", "--width", "120").stdout.splitlines()
    assert table[0].startswith("report") and table[-1].endswith(" issues")
    assert max(map(_display_width, table[:-1])) == 120  # messages cut to the width (CJK counts double)
    assert any(line.endswith("…") for line in table)


def test_ogi_has_a_version_a_description_per_command_and_survives_a_closed_pipe(refreshed):
    _, db = refreshed
    assert re.fullmatch(r"ogi \d+\.\d+\.\d+\n", _ogi(db, "--version").stdout)
    for command in ("parse", "refresh", "status", "check", "docs"):
        helped = _ogi(db, command, "--help")
        assert helped.returncode == 0 and helped.stdout.count("\n\n") >= 2, command  # usage, description, options
    for args in (("check", "--all"), ("parse", "--json", *(str(p) for p in sorted(RAW.glob("*.txt"))))):
        done = _ogi(db, *args, pipe_to_head=True)
        assert done.returncode == 0 and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, args
        assert len(done.stdout.splitlines()) == 1
