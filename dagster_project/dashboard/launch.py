"""Start the dashboard: `streamlit run` on 127.0.0.1, nothing fetched, no usage statistics.

Every setting goes on the command line (no config file in a home directory is read or
written); `STREAMLIT_*` variables the user set are left alone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

APP = Path(__file__).with_name("app.py")
HOST = "127.0.0.1"


def command(port: int) -> list[str]:
    """The `streamlit run` command line for `port`."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        f"--server.address={HOST}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={HOST}",
        "--global.developmentMode=false",
        "--client.toolbarMode=minimal",
        "--theme.base=light",
    ]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def serve(port: int = 8501, warehouse: str | Path | None = None, *, quiet: bool = False) -> subprocess.Popen[bytes]:
    """Start the dashboard on http://127.0.0.1:`port` over the warehouse folder `warehouse`
    (default: OGI_WAREHOUSE_DIR, else warehouse/) and return the process (the caller stops it)."""
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    if warehouse is not None:
        env["OGI_WAREHOUSE_DIR"] = str(Path(warehouse).resolve())
    out = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(command(port), env=env, stdout=out, stderr=out, cwd=APP.parents[2])


def wait_ready(port: int, timeout_s: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until the server on `port` answers its health check; raise TimeoutError if not."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no dashboard on port {port} after {timeout_s} s")


def main(argv: list[str] | None = None) -> int:
    """`python -m dagster_project.dashboard.launch [--port N] [--warehouse DIR]`: serve until ^C."""
    import argparse  # noqa: PLC0415 - only the command line needs it

    parser = argparse.ArgumentParser(description="the OGI dashboard on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--warehouse", help="warehouse folder (default: OGI_WAREHOUSE_DIR or warehouse/)")
    args = parser.parse_args(argv)
    proc = serve(args.port, args.warehouse)
    print(f"dashboard on http://{HOST}:{args.port}  (^C stops it)")
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
