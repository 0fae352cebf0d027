"""A test hook to stop a refresh at a known point, so a test can kill it there.

With OGI_TEST_PAUSE_AT=<phase> the process writes the marker file OGI_TEST_PAUSE_MARKER
(default <warehouse>/.paused-<phase>) and sleeps OGI_TEST_PAUSE_S seconds. Phases: parse (the
first batch is staged), dbt (the dbt build is running), publish (the build is stamped and
flushed, not yet renamed). No effect when the variable is unset.
"""

from __future__ import annotations

import os
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
