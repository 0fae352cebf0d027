"""Write a corpus: plan agencies and years, then render series in parallel chunks.

Determinism: the plan (which agency, which years, one 64-bit seed per agency) comes from a
single Random(seed) in the parent; everything about a series is drawn from its own seed, so
the bytes do not depend on the number of workers or on scheduling.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from .names import Agency, AgencyPicker
from .render import LAYOUTS, render
from .tables import Report, Series, plant_defect

FIRST_YEAR, LAST_YEAR = 2019, 2025
_LENGTH_WEIGHTS = (6, 8, 10, 12, 14, 20, 30)  # series of 1..7 years; most agencies report every year
_CHUNK_REPORTS = 400


class Planned(NamedTuple):
    first: int  # index of the series' first report in the corpus
    n_reports: int  # not `count`: that would shadow tuple.count
    start_year: int
    agency: Agency
    seed: int


def plan(n: int, seed: int) -> Iterator[Planned]:
    rng = random.Random(seed)
    picker = AgencyPicker(rng)
    lengths = range(1, LAST_YEAR - FIRST_YEAR + 2)
    done = 0
    while done < n:
        length = rng.choices(lengths, weights=_LENGTH_WEIGHTS)[0]
        start = rng.randint(FIRST_YEAR, LAST_YEAR + 1 - length)
        count = min(length, n - done)
        yield Planned(done, count, start, picker.next(), rng.getrandbits(64))
        done += count


def _chunks(n: int, seed: int) -> Iterator[list[Planned]]:
    chunk: list[Planned] = []
    size = 0
    for p in plan(n, seed):
        chunk.append(p)
        size += p.n_reports
        if size >= _CHUNK_REPORTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# -- answer keys ---------------------------------------------------------------------------------
def _jv(v) -> str:
    if v is None:
        return "null"
    if v.__class__ is int:
        return str(v)
    if v.__class__ is float:
        return repr(v)
    return json.dumps(v, ensure_ascii=False)


def key_json(name: str, agency: str, r: Report) -> str:
    """The README key shape; one table row per line so keys stay readable and diffable."""
    t2 = ",\n".join(
        f'  "{item}": {{' + ", ".join(f'"{m}": {_jv(v)}' for m, v in row.items()) + "}" for item, row in r.t2.items()
    )
    # Lists of ints/None: their repr is JSON once None is spelled null (no other text in them).
    t3 = ",\n".join(f'  "{k}": {v!r}' for k, v in r.key_table3().items()).replace("None", "null")
    t4 = repr(r.key_table4()).replace("None", "null")
    notes = ",\n".join("  " + _jv(s) for s in r.notes)
    notes = f"\n{notes}\n " if notes else ""
    return (
        f'{{\n "file": {_jv(name)},\n "agency": {_jv(agency)},\n "year": {r.year},\n'
        f' "template": "{r.template}",\n "table2": {{\n{t2}\n }},\n "table3": {{\n{t3}\n }},\n'
        f' "table4": {t4},\n "notes": [{notes}]\n}}\n'
    )


# -- workers -------------------------------------------------------------------------------------
def _layout_style(layout: str, rng: random.Random) -> tuple[dict, str]:
    if layout == "html":
        charset = rng.choice(("gbk", "gb2312")) if rng.random() < 0.35 else "utf-8"
        return {"charset": charset}, "html" + (f" ({charset.upper()}-encoded)" if charset != "utf-8" else "")
    if layout == "crawler":
        return {"spaced": 0.5 if rng.random() < 0.35 else 0.0}, layout
    if layout in ("pipe", "tabrow"):
        return {"half_width": rng.random() < 0.3}, layout
    return {}, layout


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write(path: str, data: bytes) -> None:
    # Bare os.open/os.write: creating 2n small files is the bulk of the cost, skip io's extra calls.
    fd = os.open(path, _FLAGS, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def write_chunk(task: tuple) -> list[tuple[str, str, str]]:
    """Render and write one chunk of series; returns (file name, layout, defect kind) per report."""
    out_dir, answers_dir, width, layouts, defect_rate, chunk = task
    out, answers = Path(out_dir), Path(answers_dir)
    done = []
    for p in chunk:
        rng = random.Random(p.seed)
        series = Series(rng, p.agency)
        layout = rng.choice(layouts)
        for j in range(p.n_reports):
            year = p.start_year + j
            r = series.next_year(year)
            if j and rng.random() < 0.25:  # sites get redesigned now and then
                layout = rng.choice(layouts)
            style, described = _layout_style(layout, rng)
            r.notes.insert(0, f"layout: {described}")
            kind = plant_defect(r, rng) if rng.random() < defect_rate else ""
            stem = f"{p.first + j:0{width}d}_{rng.getrandbits(64):016x}"
            name = stem + (".html" if layout == "html" else ".txt")
            data = render(layout, r, p.agency, rng, style)
            _write(f"{out}/{name}", data)
            _write(f"{answers}/{stem}.json", key_json(name, p.agency.name, r).encode("utf-8"))
            done.append((name, layout, kind))
    return done


def _context():
    # fork is cheap and safe while the parent runs a single thread; otherwise spawn.
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("spawn")


def generate(
    n: int,
    out_dir: Path,
    seed: int = 0,
    layouts: tuple[str, ...] | None = None,
    defect_rate: float = 0.05,
    workers: int | None = None,
    answers_dir: Path | None = None,
) -> list[tuple[str, str, str]]:
    """Write n reports into out_dir and their answer keys into answers_dir (default
    out_dir/answers); returns (file name, layout, defect kind) per report."""
    layouts = tuple(layouts) if layouts else LAYOUTS
    unknown = [x for x in layouts if x not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown layout(s) {unknown}; choose from {LAYOUTS}")
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError("defect_rate must be within [0, 1]")
    out_dir = Path(out_dir)
    answers_dir = Path(answers_dir) if answers_dir else out_dir / "answers"
    out_dir.mkdir(parents=True, exist_ok=True)
    answers_dir.mkdir(parents=True, exist_ok=True)
    width = max(6, len(str(max(n - 1, 0))))
    tasks = ((str(out_dir), str(answers_dir), width, layouts, defect_rate, chunk) for chunk in _chunks(n, seed))
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if n >= 4 * _CHUNK_REPORTS else 1
    records: list[tuple[str, str, str]] = []
    if workers <= 1:
        for t in tasks:
            records.extend(write_chunk(t))
    else:
        with _context().Pool(workers) as pool:
            for done in pool.imap(write_chunk, tasks):
                records.extend(done)
    return records


def generate_corpus(
    n: int,
    out_dir: Path,
    seed: int = 0,
    layouts: tuple[str, ...] | None = None,
    defect_rate: float = 0.05,
    workers: int | None = None,
) -> list[Path]:
    """Write n reports into out_dir and their answer keys into out_dir/answers; returns the report paths."""
    out_dir = Path(out_dir)
    return [out_dir / name for name, _, _ in generate(n, out_dir, seed, layouts, defect_rate, workers)]
