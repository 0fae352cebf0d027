"""Every path the pipeline uses, from environment variables with repository-relative defaults.

dbt's profiles.yml and sources read the same variables (OGI_BUILD_DB, OGI_STAGING_DIR), which
the Dagster resources export before invoking dbt, so Python and SQL always agree on the files.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DB_FILE_NAME = "ogi.duckdb"  # the same name in build/ and in the published location (see stack notes)


def _path(var: str, default: Path) -> Path:
    return Path(os.environ.get(var, default)).resolve()


def raw_dir() -> Path:
    return _path("OGI_RAW_DIR", REPO_ROOT / "raw")


def warehouse_dir() -> Path:
    return _path("OGI_WAREHOUSE_DIR", REPO_ROOT / "warehouse")


def staging_dir() -> Path:
    return _path("OGI_STAGING_DIR", warehouse_dir() / "staging")


def build_db_path() -> Path:
    """dbt writes here; readers never open it."""
    return warehouse_dir() / "build" / DB_FILE_NAME


def published_db_path() -> Path:
    """Readers open this file read-only; it is replaced atomically by the publish step."""
    return warehouse_dir() / DB_FILE_NAME


def dbt_env() -> dict[str, str]:
    """Environment for a dbt invocation: where to build and where the staging Parquet lives."""
    return {
        "OGI_BUILD_DB": str(build_db_path()),
        "OGI_STAGING_DIR": str(staging_dir()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
