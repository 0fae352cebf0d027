"""Legacy Word files (.doc, .wps, RTF) converted to DOCX by LibreOffice, many files per call.

LibreOffice takes seconds to start, so the files of a batch that need it go to one
`soffice --convert-to docx` call (one per kind of input: Word 97–2003 binary, RTF). Every call
has a fresh profile of its own — two soffice processes on one profile silently convert nothing,
and a profile left by a killed call may be locked — set up with macros and link updates off.
Each file gets the document budget (OGI_DOC_TIMEOUT_S) to convert: a call that makes no progress
for that long is ended, the file it was on gets `parse_timeout`, and the files after it go to a
new call. Without `soffice` every such file gets `doc_needs_converter`; nothing here raises.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ..parsing.catalogue import IssueCode
from ..parsing.files import max_file_bytes
from ..parsing.issues import Issue
from ..parsing.readers.legacy_word import Conversion, content_key, is_rtf, needs_conversion
from .guards import doc_timeout_s

INSTALL = "apt-get install libreoffice-writer-nogui"
# the import filter per kind of input: forcing it makes a damaged file fail instead of being read as plain text
FILTERS = {".doc": "MS Word 97", ".rtf": "Rich Text Format"}
POLL_S = 0.2
# the profile's settings: no macro runs, no linked content fetched or updated while a file is read
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """The LibreOffice executable: OGI_SOFFICE (a name or path), else `soffice` on PATH; None when absent."""
    return shutil.which(os.environ.get("OGI_SOFFICE") or "soffice")


def convert_to_docx(paths: Sequence[Path], timeout_s: float | None = None) -> dict[str, Conversion]:
    """The conversions of the files among `paths` whose content needs one (`needs_conversion`),
    keyed by the SHA-256 of their bytes; `timeout_s` per file (default OGI_DOC_TIMEOUT_S).
    Files that cannot be read or are above the size limit are left to the parser, which reports them."""
    pending = _contents(paths)
    if not pending:
        return {}
    executable = soffice()
    if executable is None:
        issue = Issue(
            IssueCode.DOC_NEEDS_CONVERTER,
            f"a legacy Word file is read through LibreOffice, and `soffice` is not installed: {INSTALL}",
        )
        return {key: Conversion(None, issue) for key in pending}
    budget = timeout_s or doc_timeout_s()
    done: dict[str, Conversion] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="ogi-libreoffice-") as tmp:
            for suffix, infilter in FILTERS.items():
                kind = {key: data for key, data in pending.items() if (suffix == ".rtf") == is_rtf(data)}
                if kind:
                    done |= _convert(executable, infilter, suffix, kind, Path(tmp) / suffix.lstrip("."), budget)
    except Exception as exc:  # noqa: BLE001 - no room for the files, soffice not runnable: reported, never raised
        failed = _failed(f"LibreOffice could not be run: {type(exc).__name__}: {exc}")
        done = {key: done.get(key, failed) for key in pending}
    return done


def _contents(paths: Sequence[Path]) -> dict[str, bytes]:
    """The bytes of the files that need converting, by content key (each content once)."""
    found: dict[str, bytes] = {}
    for path in paths:
        try:
            with open(path, "rb") as f:
                if not needs_conversion(f.read(8)) or os.fstat(f.fileno()).st_size > max_file_bytes():
                    continue
                f.seek(0)
                data = f.read()
        except OSError:
            continue
        found.setdefault(content_key(data), data)
    return found


def _convert(
    executable: str, infilter: str, suffix: str, contents: dict[str, bytes], work: Path, budget: float
) -> dict[str, Conversion]:
    """Convert `contents` with as few soffice calls as the files allow (a new call after a stall)."""
    inputs, outputs = work / "in", work / "out"
    inputs.mkdir(parents=True)
    queue: list[tuple[str, Path]] = []
    for i, (key, data) in enumerate(contents.items()):
        path = inputs / f"{i:05d}{suffix}"  # own names: two reports may share a file name
        path.write_bytes(data)
        queue.append((key, path))
    done: dict[str, Conversion] = {}
    for run in range(len(queue)):  # every call decides at least one file
        ended = _run(executable, infilter, [p for _, p in queue], outputs, work / f"profile-{run}", budget)
        made = [(outputs / f"{p.stem}.docx").is_file() for _, p in queue]
        last = max((i for i, m in enumerate(made) if m), default=-1)
        for i, (key, path) in enumerate(queue):
            if made[i]:
                done[key] = _read_output(outputs / f"{path.stem}.docx")
            elif ended is None or i < last:  # LibreOffice got past it: it could not load the file
                done[key] = _failed(
                    "LibreOffice could not open it: the file is damaged, encrypted or not a Word 97–2003 or RTF document"
                )
        if ended is None:
            break
        stuck = next(((k, p) for i, (k, p) in enumerate(queue) if i > last and k not in done), None)
        if stuck is not None:
            done[stuck[0]] = ended
        queue = [(k, p) for k, p in queue if k not in done]
        if not queue:
            break
    return done


def _read_output(path: Path) -> Conversion:
    data = path.read_bytes()
    return Conversion(data) if data else _failed("LibreOffice wrote an empty DOCX")


def _failed(why: str) -> Conversion:
    return Conversion(None, Issue(IssueCode.DOC_CONVERSION_FAILED, why))


def _run(
    executable: str, infilter: str, files: list[Path], outputs: Path, profile: Path, budget: float
) -> Conversion | None:
    """One soffice call over `files`. None when it ended by itself; else the failed conversion
    of the file it was on (stalled for `budget` seconds, or crashed)."""
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
    command = [
        executable,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        f"--infilter={infilter}",
        "--convert-to",
        "docx",
        "--outdir",
        str(outputs),
        *map(str, files),
    ]
    if shutil.which("timeout"):  # ends LibreOffice even when this process dies before it
        command = ["timeout", "--kill-after=5", f"{budget * (len(files) + 1):.0f}", *command]
    with open(profile / "soffice.log", "wb") as log:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    try:
        seen, deadline = 0, time.monotonic() + budget
        while (code := _wait(proc)) is None:
            made = len(list(outputs.glob("*.docx"))) if outputs.is_dir() else 0
            if made > seen:
                seen, deadline = made, time.monotonic() + budget
            elif time.monotonic() > deadline:
                return Conversion(
                    None, Issue(IssueCode.PARSE_TIMEOUT, f"converting with LibreOffice took longer than {budget:g} s")
                )
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return None if code == 0 else _failed(f"LibreOffice stopped (exit status {code}) while converting it")


def _wait(proc: subprocess.Popen[bytes]) -> int | None:
    try:
        return proc.wait(POLL_S)
    except subprocess.TimeoutExpired:
        return None
