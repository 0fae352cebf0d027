"""The dbt models and their data tests (identities become asset checks)."""

import os
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from .. import settings
from ..incremental import fingerprint, pause_point, published_fingerprint, record_child, refresh_lock
from ..project import ogi_dbt
from .raw import read_inventory


@contextmanager
def _environ(values: dict[str, str]):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def current_fingerprint() -> str:
    return fingerprint(read_inventory(), settings.DBT_PROJECT_DIR)


def dbt_target_path():
    """dbt's target folder for this warehouse, kept between refreshes: dbt re-parses only what
    changed (partial parsing), and runs do not pile up folders under dbt/target/."""
    return settings.warehouse_dir() / "dbt_target"


def build_fingerprint_path():
    """The fingerprint of what the build file is being built from (read by the publish step)."""
    return settings.build_db_path().with_suffix(".fingerprint")


@dbt_assets(manifest=ogi_dbt.manifest_path)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` into a fresh build file; a failing error-severity test stops the run.

    Skipped when the published warehouse was built from the same report contents, parser
    version and dbt project: a no-change refresh then leaves it untouched.
    """
    with refresh_lock(settings.warehouse_dir(), context.log.info):
        current = current_fingerprint()
        if current == published_fingerprint(settings.published_db_path()):
            context.log.info("the published warehouse is up to date: nothing to build")
            return
        build = settings.build_db_path()
        build.parent.mkdir(parents=True, exist_ok=True)
        # whatever a killed build left behind: the file, its write-ahead log, its stamp
        for stale in (build, build.with_suffix(".duckdb.wal"), build_fingerprint_path()):
            stale.unlink(missing_ok=True)
        build_fingerprint_path().write_text(current, encoding="ascii")
        with _environ(settings.dbt_env()):  # dbt's process inherits them; this process keeps its own
            invocation = dbt.cli(["build"], context=context, target_path=dbt_target_path())
        record_child(settings.warehouse_dir(), invocation.process.pid)
        for i, event in enumerate(invocation.stream()):
            yield event
            if i == 0:
                pause_point("dbt")
