"""`ogi export`: every mart of a real warehouse (built once from the samples) as Parquet or CSV."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project import export
from dagster_project.export import export_marts

OGI = Path(sys.executable).with_name("ogi")
JINZHAI_2020 = """
    select f.received from read_parquet($flow) f join read_parquet($report) r using (report_id)
    where r.agency_name = '金寨县人民政府' and r.report_year = 2020 and f.applicant_type = 'total'"""


@pytest.fixture(scope="module")
def db(samples_warehouse) -> Path:
    """A warehouse refreshed from the repo's sample reports."""
    return samples_warehouse / "warehouse" / "ogi.duckdb"


def ogi_export(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OGI_WAREHOUSE_DIR": str(db.parent)}
    return subprocess.run([str(OGI), "export", *args], env=env, capture_output=True, text=True, timeout=120)


def marts(db: Path) -> dict[str, tuple[list[tuple], int]]:
    """Every exported table of `db` → (describe's name and type per column, row count)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main'"
            ).fetchall()
        ]
        return {
            t: (
                con.execute(f"select column_name, column_type from (describe {t})").fetchall(),
                con.execute(f"select count(*) from {t}").fetchone()[0],
            )
            for t in names
        }


def test_readers_see_only_marts_and_seeds_in_main(db):
    with duckdb.connect(str(db), read_only=True) as con:
        by_schema = dict(
            con.execute(
                "select table_schema, list(table_name order by table_name) from information_schema.tables group by 1"
            ).fetchall()
        )
    assert not [t for t in by_schema["main"] if t.startswith(("stg_", "int_"))]
    assert {"fct_request_outcomes", "dim_report", "report_quality", "dim_outcome"} <= set(by_schema["main"])
    assert {"stg_cells", "stg_issues", "stg_reports"} <= set(by_schema["staging"])
    assert {"int_identity_checks", "int_report_metrics"} <= set(by_schema["intermediate"])


def test_parquet_export_keeps_every_mart_rows_and_types(db, tmp_path):
    out = tmp_path / "parquet"
    done = ogi_export(db, "--format", "parquet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    expected = marts(db)
    assert {
        "fct_request_flow",
        "dim_report",
        "dim_outcome",
        "dim_issue_code",
        "report_quality",
        "dim_source_file",
    } <= set(expected)
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{t}.parquet" for t in expected] + ["README.md"])
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert all(f"\n## {t}\n" in readme and f"[{t}.parquet]" in readme for t in expected)
    assert "| `received` | BIGINT | 一、本年新收政府信息公开申请数量. |" in readme
    with duckdb.connect() as con:
        for table, (columns, rows) in expected.items():
            path = str(out / f"{table}.parquet")
            assert (
                con.execute(
                    "select column_name, column_type from (describe select * from read_parquet(?))", [path]
                ).fetchall()
                == columns
            ), table
            assert con.execute("select count(*) from read_parquet(?)", [path]).fetchone()[0] == rows, table
        files = {"flow": str(out / "fct_request_flow.parquet"), "report": str(out / "dim_report.parquet")}
        assert con.execute(JINZHAI_2020, files).fetchall() == [(23,)]


def test_csv_export_with_bom_is_excel_friendly(db, tmp_path):
    out = tmp_path / "csv"
    done = ogi_export(db, "--format", "csv", "--bom", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{len(marts(db)) + 1} files in {out}")
    raw = (out / "dim_report.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreport_id,")
    with (out / "dim_report.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == marts(db)["dim_report"][1]
    assert "金寨县人民政府" in {r["agency_name"] for r in rows}
    with (out / "fct_request_flow.csv").open(encoding="utf-8-sig", newline="") as f:
        flow = list(csv.DictReader(f))
    jinzhai = {r["report_id"] for r in rows if r["agency_name"] == "金寨县人民政府" and r["report_year"] == "2020"}
    # a count is written as an integer ("23", not "23.0")
    assert [r["received"] for r in flow if r["report_id"] in jinzhai and r["applicant_type"] == "total"] == ["23"]


def test_export_replaces_files_whole_in_a_folder_with_quotes(db, tmp_path):
    out = tmp_path / "o'brien [x]"
    out.mkdir()
    (out / "fct_request_flow.csv").write_text("garbage\n" * 10_000, encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    for bom in (False, True):
        written = export_marts(db, out, "csv", bom=bom)
        assert written == [*sorted(p for p in written if p.suffix == ".csv"), out / "README.md"]
        assert sorted(p.name for p in out.iterdir()) == sorted(
            [p.name for p in written] + ["notes.txt"]
        )  # no temporary left
        text = (out / "fct_request_flow.csv").read_text(encoding="utf-8-sig")
        assert text.startswith("report_id,report_year,") and "garbage" not in text
        assert len(text.splitlines()) == marts(db)["fct_request_flow"][1] + 1
    assert (out / "fct_request_flow.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_failed_export_leaves_the_previous_files(db, tmp_path, monkeypatch):
    out = tmp_path / "out"
    export_marts(db, out, "parquet")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write = export._write_file

    def fail_late(con, table, target, fmt, bom):
        if table == "report_quality":
            raise duckdb.IOException("disk full")
        write(con, table, target, fmt, bom)

    monkeypatch.setattr(export, "_write_file", fail_late)
    with pytest.raises(duckdb.IOException):
        export_marts(db, out, "parquet")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_missing_warehouse_is_one_line_on_stderr(tmp_path):
    done = ogi_export(tmp_path / "nowhere" / "ogi.duckdb", "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "no published warehouse" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
