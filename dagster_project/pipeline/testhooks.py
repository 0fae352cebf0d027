"""A test hook to stop a refresh at a known point, so a test can kill it there.

With OGI_TEST_PAUSE_AT=<phase> the process writes the marker file OGI_TEST_PAUSE_MARKER
(default <warehouse>/.paused-<phase>) and sleeps OGI_TEST_PAUSE_S seconds. Phases: parse (the
first batch is staged), dbt (the dbt build is running), publish (the build is stamped and
flushed, not yet renamed). No effect when the variable is unset.

With OGI_TEST_KILL_AT=batch the first batch to finish writing its parts (a Ray task or a pool
worker's) creates the marker <warehouse>/.paused-kill-batch and kills its own worker (SIGKILL),
once per warehouse: the engine's retry of that batch is what is tested.

With OGI_TEST_CRASH_ON=<file name> a parse worker kills itself (SIGKILL) each time it is about to
parse a file of that name, as a crash in a native library would: finding the file is tested.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from .store import Store


def pause_point(phase: str, store: Store) -> None:
    """Stop here (write the marker, sleep) when OGI_TEST_PAUSE_AT names this phase."""
    if os.environ.get("OGI_TEST_PAUSE_AT") != phase:
        return
    marker = Path(os.environ.get("OGI_TEST_PAUSE_MARKER") or store.pause_marker(phase))
    marker.write_text(str(os.getpid()), encoding="utf-8")
    print(f"paused at {phase} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get("OGI_TEST_PAUSE_S", "600")))


def kill_once(phase: str, store: Store) -> None:
    """SIGKILL this process when OGI_TEST_KILL_AT names this phase and no process was killed
    there before (the marker, created exclusively, says one was)."""
    if os.environ.get("OGI_TEST_KILL_AT") != phase:
        return
    try:
        os.close(os.open(store.pause_marker(f"kill-{phase}"), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return
    os.kill(os.getpid(), signal.SIGKILL)


def crash_on(path: Path) -> None:
    """SIGKILL this process when OGI_TEST_CRASH_ON names the file it is about to parse."""
    name = os.environ.get("OGI_TEST_CRASH_ON")
    if name and path.name == name:
        os.kill(os.getpid(), signal.SIGKILL)
