"""The instance `ogi refresh` runs in: DAGSTER_HOME's, its event log pooled, written where
Dagster's own storage (the UI, the daemon) reads it."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.instance import PooledSqliteEventLogStorage, refresh_instance


@dg.op
def say_hello(context) -> None:
    context.log.info("hello from a pooled event log")


@dg.job
def hello():
    say_hello()


@pytest.fixture
def home(tmp_path, monkeypatch):
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    return tmp_path


def test_a_run_logged_through_the_pool_reads_back_through_dagsters_own_storage(home):
    instance = refresh_instance()
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    result = hello.execute_in_process(instance=instance)
    assert result.success
    instance.dispose()

    plain = dg.DagsterInstance.get()  # what `dagster dev` and the daemon open
    assert not isinstance(plain.event_log_storage, PooledSqliteEventLogStorage)
    assert [r.run_id for r in plain.get_runs()] == [result.run_id]
    messages = [e.user_message for e in plain.all_logs(result.run_id)]
    assert "hello from a pooled event log" in messages
    assert plain.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_a_storage_named_in_dagster_yaml_is_used_as_it_is(home, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("storage")
    (home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {elsewhere}\n", encoding="utf-8")
    instance = refresh_instance()
    assert not isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    hello.execute_in_process(instance=instance)
    assert (elsewhere / "history" / "runs.db").exists()
