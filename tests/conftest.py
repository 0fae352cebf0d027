"""Shared fixtures. The dbt manifest must exist before the Dagster definitions are imported."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
SHARED = REPO.parent / "shared"

# A suite started in the background by a non-interactive shell (`make test &`) inherits SIGINT
# ignored. A job run in process maps SIGTERM to SIGINT's handler (dagster/_utils/interrupts.py),
# which would leave SIGTERM ignored here and in every subprocess a test starts afterwards: a test
# that ends one with SIGTERM would wait for ever.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _dbt_parse() -> None:
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", ".", "--profiles-dir", "."],
        cwd=REPO / "dbt",
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright cannot download its own browsers here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def playwright_or_skip():
    """Playwright's `sync_playwright`, or a skip saying what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    return sync_playwright


def subprocess_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of an `ogi`/`dagster` subprocess over root/raw, root/warehouse and
    root/dagster_home (no OGI_* of the calling environment leaks in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")}
    env.update(
        OGI_RAW_DIR=str(root / "raw"),
        OGI_WAREHOUSE_DIR=str(root / "warehouse"),
        DAGSTER_HOME=str(root / "dagster_home"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        **extra,
    )
    return env


def keyed_cells(key: dict, got: dict) -> list[tuple[str, object, object]]:
    """Every cell an answer key holds (and agency, year, template) beside the parse's `to_json`
    record: (place, expected, got)."""
    cells = [(f, key[f], got[f]) for f in ("agency", "year", "template")]
    for row, values in key["table3"].items():
        printed = got["table3"].get(row) or [None] * 7
        cells += [(f"table3.{row}[{i}]", v, printed[i]) for i, v in enumerate(values)]
    printed4 = got["table4"] or [None] * 15
    cells += [(f"table4[{i}]", v, printed4[i]) for i, v in enumerate(key["table4"])]
    for item, metrics in key["table2"].items():
        cells += [(f"table2.{item}.{m}", v, (got["table2"].get(item) or {}).get(m)) for m, v in metrics.items()]
    return cells


def wrong_cells(key: dict, got: dict) -> list[tuple[str, object, object]]:
    """The keyed cells that differ, compared as the scorer does: null only matches null,
    numbers to 1e-6."""

    def same(a: object, b: object) -> bool:
        if isinstance(a, int | float) and isinstance(b, int | float):
            return abs(a - b) < 1e-6
        return a == b

    return [c for c in keyed_cells(key, got) if not same(c[1], c[2])]


@pytest.fixture(scope="session")
def manifest() -> Path:
    path = REPO / "dbt" / "target" / "manifest.json"
    if not path.exists():
        _dbt_parse()
    return path


@pytest.fixture(scope="session")
def samples_warehouse(manifest, tmp_path_factory) -> Path:
    """One warehouse refreshed from every sample report, shared by the tests that only read it
    (a dbt build costs ~30 s: build it once). Returns its root (raw/, warehouse/)."""
    root = tmp_path_factory.mktemp("samples")
    (root / "raw").mkdir()
    copy_samples(root / "raw")
    assert run_refresh(root).success
    return root


@pytest.fixture
def warehouse_env(tmp_path, monkeypatch):
    """A private raw/ + warehouse/ + Dagster home; returns the raw dir to fill."""
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setenv("OGI_RAW_DIR", str(raw))
    monkeypatch.setenv("OGI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.delenv("OGI_STAGING_DIR", raising=False)
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return raw


def copy_samples(raw: Path, names: list[str] | None = None) -> None:
    for p in sorted(RAW.iterdir()):
        if p.is_file() and (names is None or any(p.name.startswith(n) for n in names)):
            shutil.copy(p, raw / p.name)


BROKEN = "900_broken_identity.txt"


def make_broken_copy(raw: Path) -> None:
    """金寨县's report with （七）总计 raised to 24 in the natural-person and total columns:
    the row still adds up, but T3-A (23+0 ≠ 24+0) and T3-B (leaves sum to 23) break."""
    text = (RAW / "002_27a7349fbee7f2fc.txt").read_text(encoding="utf-8")
    head, sep, tail = text.partition("（七）总计")
    tail = tail.replace("\t\xa023", "\t\xa024", 2)
    assert tail.count("\t\xa024") == 2
    (raw / BROKEN).write_text(head + sep + tail, encoding="utf-8")


def table_digests(db: Path, schema: str | None = None) -> dict[str, tuple[int, str]]:
    """Every table of a warehouse (outside `meta`; or only those of `schema`) → (rows, digest of
    its rows in any order): two builds are equal row for row when their digests are."""
    import duckdb

    where = "table_schema = ?" if schema else "table_schema <> 'meta'"
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute(
            f"select table_schema || '.' || table_name from information_schema.tables where {where} order by 1",
            [schema] if schema else [],
        ).fetchall()
        digest = "select count(*), md5(coalesce(string_agg(h, '' order by h), '')) from (select md5(t::varchar) as h from {} t)"
        return {n: tuple(con.execute(digest.format(n)).fetchone()) for (n,) in names}  # type: ignore[misc]


def run_refresh(root: Path, full: bool = False):
    """A real Dagster run of the refresh job over root/raw into root/warehouse (test instance);
    `full`: dbt rebuilds every model (`ogi refresh --full`)."""
    import dagster as dg

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OGI_RAW_DIR", str(root / "raw"))
        mp.setenv("OGI_WAREHOUSE_DIR", str(root / "warehouse"))
        mp.delenv("OGI_STAGING_DIR", raising=False)
        from dagster_project.definitions import defs

        with dg.instance_for_test() as instance:
            config = {"ops": {step: {"config": {"full": full}} for step in ("staged_reports", "ogi_dbt_models")}}
            return defs.resolve_job_def("refresh").execute_in_process(
                instance=instance, raise_on_error=False, run_config=config
            )
