"""Nothing that enters raw/ is lost: every file is a report, a duplicate or rejected with a
reason (the inventory and `dim_source_file`), and a rebuild of the same staging is identical."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, copy_samples, run_refresh, table_digests

from dagster_project.pipeline.inventory import list_raw_files, take_inventory

OUTSIDE = "outside.txt"


def _tricky_raw(root: Path) -> Path:
    """raw/ with two samples and every kind of entry that is not simply a report file."""
    raw = root / "raw"
    (raw / "sub").mkdir(parents=True)
    copy_samples(raw, ["000", "002"])
    shutil.copy(next(RAW.glob("000_*")), raw / "sub" / "copy of 000.txt")  # the same bytes again
    (raw / "notes.xlsx").write_bytes(b"PK\x03\x04 not a report")
    (raw / ".~lock.report.txt#").write_text("an editor's lock file", encoding="utf-8")
    (raw / ".cache").mkdir()
    (raw / ".cache" / "old.txt").write_text("never listed: inside a hidden folder", encoding="utf-8")
    (root / OUTSIDE).write_text("a file outside raw/: never read", encoding="utf-8")
    (raw / "outside-link.txt").symlink_to(root / OUTSIDE)
    (raw / "inside-link.txt").symlink_to(raw / "sub" / "copy of 000.txt")
    (raw / "loop").symlink_to(raw)  # a folder link back into raw/: read once, never looped
    (raw / "dangling.txt").symlink_to(raw / "gone.txt")
    os.mkfifo(raw / "pipe.txt")  # not a regular file: never opened
    return raw


def test_the_inventory_lists_every_entry_with_its_status(tmp_path, monkeypatch):
    raw = _tricky_raw(tmp_path)
    inventory = take_inventory(raw)
    rows = {
        Path(p).relative_to(raw.resolve()).as_posix(): (s, r)
        for p, s, r in inventory.select("path", "status", "reason").iter_rows()
    }
    assert rows == {
        ".cache": ("rejected", "hidden_file"),
        ".~lock.report.txt#": ("rejected", "hidden_file"),
        "000_890802141209736b.txt": ("report", None),
        "002_27a7349fbee7f2fc.txt": ("report", None),
        "dangling.txt": ("rejected", "file_unreadable"),
        "inside-link.txt": ("report", None),
        "notes.xlsx": ("rejected", "unsupported_suffix"),
        "outside-link.txt": ("rejected", "symlink_outside_raw"),
        "pipe.txt": ("rejected", "file_unreadable"),
        "sub/copy of 000.txt": ("report", None),
    }
    hashes = dict(inventory.select("file_name", "content_hash").iter_rows())
    assert hashes["copy of 000.txt"] == hashes["000_890802141209736b.txt"] == hashes["inside-link.txt"]
    assert hashes["outside-link.txt"] is None  # never read
    assert len(list_raw_files(raw)) == 4

    monkeypatch.setenv("OGI_RAW_FOLLOW_SYMLINKS", "1")  # configured: a link outside raw/ is read
    followed = take_inventory(raw).filter(inventory["file_name"] == "outside-link.txt")
    assert followed.select("status", "reason").row(0) == ("report", None)


@pytest.fixture(scope="module")
def refreshed(manifest, tmp_path_factory):
    root = tmp_path_factory.mktemp("source_files")
    _tricky_raw(root)
    result = run_refresh(root)
    assert result.success
    return root


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_dim_source_file_accounts_for_every_file(refreshed):
    db = refreshed / "warehouse" / "ogi.duckdb"
    files = _query(db, "select file_name, status, reason, duplicate_of is not null from dim_source_file order by 1")
    assert files == [
        (".cache", "rejected", "hidden_file", False),
        (".~lock.report.txt#", "rejected", "hidden_file", False),
        ("000_890802141209736b.txt", "parsed", None, False),
        ("002_27a7349fbee7f2fc.txt", "parsed", None, False),
        ("copy of 000.txt", "duplicate", None, True),
        ("dangling.txt", "rejected", "file_unreadable", False),
        ("inside-link.txt", "duplicate", None, True),
        ("notes.xlsx", "rejected", "unsupported_suffix", False),
        ("outside-link.txt", "rejected", "symlink_outside_raw", False),
        ("pipe.txt", "rejected", "file_unreadable", False),
    ]
    assert _query(db, "select count(*) from dim_report") == [(2,)]  # the same bytes are one report
    # every reason is explained in the catalogue's seed
    assert _query(
        db,
        "select count(*) from dim_source_file f anti join dim_issue_code c on c.code = f.reason "
        "where f.reason is not null",
    ) == [(0,)]


def test_a_rebuild_of_the_same_inventory_is_identical_row_for_row(refreshed):
    db = refreshed / "warehouse" / "ogi.duckdb"
    first = table_digests(db)
    db.unlink()  # the staging stays: the next refresh parses nothing and builds again
    result = run_refresh(refreshed)
    assert result.success
    staged = next(
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key.to_user_string() == "staging/reports"
    )
    assert staged.metadata["rows_written"].value == 0  # nothing parsed again
    second = table_digests(db)
    assert set(second) == set(first) and len(first) > 30
    assert [n for n in first if first[n] != second[n]] == []
