"""Mutation fuzzing of the keyed reports: the damage PDF conversions and crawlers really do,
inside the table region only, and whether the parser still keeps its first promise.

Every mutant of a keyed report (the seed reports in ``raw/``, the real ones in
``shared/corpus/real``) is parsed as ``ogi parse --alone`` does and classified against the key:

- **exact**: every keyed cell equals the key;
- **flagged**: every differing cell's row (or its table, by an issue naming no row) carries a
  warning or error issue, or the report failed;
- **faithful**: a digit-changing mutation read as the damaged text now prints it (one cell,
  the same edit), with every identity still holding: nothing in the text says it is wrong;
- **silently wrong**: anything else — the promise broken.

    python -m dagster_project.synth.damage --n 2000 --seed 0 [--shared ../shared] [--only I]

Deterministic: mutant ``i`` of seed ``s`` is the same on every run (``--only i`` replays it).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from ..parsing import vocabulary as V
from ..parsing.catalogue import Severity
from ..parsing.files import parse_files
from ..parsing.readers import read_document
from ..parsing.records import to_json
from ..parsing.report import ParsedReport, parse_text
from ..parsing.series import link_reports

REPO = Path(__file__).resolve().parents[2]
CATEGORIES = ("exact", "flagged", "faithful", "silently_wrong")
# What a PDF page footer or a page marker looks like once converted to text.
_FOOTERS = ("— {n} —", "- {n} -", "第{n}页", "第 {n} 页", "-{n}-", "第{n}页 共{m}页")
_STRAY = {"nbsp": "\u00a0", "zwsp": "\u200b", "bom": "\ufeff", "formfeed": "\f"}
_INVALID_BYTES = (b"\xff", b"\x80", b"\xe4", b"\xc3", b"\xfe")
_T2_START = re.compile(r"第\s*二\s*十\s*[条條]\s*第")
_T4_HEAD = re.compile(r"[四4]\s*[、.．]?\s*政府信息公开\s*行政")
_T4_END = re.compile(r"[五5]\s*[、.．]")
_ROW_END = re.compile(r"\d(?=[^\d\s.,+\-%万亿元])")


@dataclass(frozen=True, eq=False)
class Source:
    """One keyed report: its key, its text (as its reader gives it) and its table region."""

    name: str
    path: Path
    key: dict
    text: str
    region: tuple[int, int]  # character offsets of 表二's heading … the end of 表四
    from_file: bool  # a text file (mutated as bytes and read back); False: a PDF, mutated as text


@dataclass
class Mutant:
    """One damaged copy of a source: its text (or bytes), what was done, and the digit edit."""

    index: int
    source: Source
    kind: str
    what: str
    text: str | None = None
    data: bytes | None = None  # byte-level damage (invalid bytes, re-encoding)
    digit_edit: tuple[str, str] | None = None  # (old number, new number) of a digit-changing mutation


@dataclass
class Outcome:
    """How a mutant was read against its key."""

    mutant: Mutant
    category: str
    wrong: list[tuple[str, str, object, object]] = field(default_factory=list)  # (table, row.col, key, got)
    unflagged: list[str] = field(default_factory=list)


def load_sources(shared: Path, repo: Path = REPO) -> list[Source]:
    """The keyed reports: seeds (files in raw/) and real ones (files in shared/corpus/real)."""
    sources = []
    for keys, folder in (("seeds", repo / "raw"), ("real", shared / "corpus" / "real")):
        for key_file in sorted((shared / "answers" / keys).glob("*.json")):
            key = json.loads(key_file.read_text(encoding="utf-8"))
            path = folder / key["file"]
            if not path.exists() or key.get("template") not in ("2019", "2021"):
                continue
            from_file = path.suffix.lower() in (".txt", ".md", ".html", ".htm")
            text = path.read_bytes().decode("utf-8") if from_file else read_document(path).text
            sources.append(Source(key["file"], path, key, text, table_region(text), from_file))
    return sources


def table_region(text: str) -> tuple[int, int]:
    """From 表二's first heading (第二十条第…) to the end of 表四 (its 五、 heading, or the end)."""
    start_m = _T2_START.search(text)
    start = start_m.start() if start_m else 0
    head = _T4_HEAD.search(text, start)
    end_m = _T4_END.search(text, head.end()) if head else None
    return start, end_m.start() if end_m else len(text)


# --- mutations -------------------------------------------------------------------------------


def _numbers(src: Source, min_len: int = 1) -> list[re.Match]:
    lo, hi = src.region
    return [m for m in re.finditer(r"\d+", src.text[lo:hi]) if len(m.group()) >= min_len]


def _lines(src: Source) -> list[tuple[int, int]]:
    """(start, end) of every whole line inside the region (end excludes the newline). Crawler
    text runs a whole table into one line: there the rows are the pieces that end in digits
    (``行政许可3960181``), and a row's end is where its digits meet the next label."""
    lo, hi = src.region
    out, pos = [], src.text.rfind("\n", 0, lo) + 1
    while pos < hi:
        end = src.text.find("\n", pos)
        end = len(src.text) if end < 0 else end
        if pos >= lo and end <= hi:
            out.append((pos, end))
        pos = end + 1
    if len(out) >= 20:
        return out
    cuts = [lo] + [m.end() for m in _ROW_END.finditer(src.text, lo, hi)] + [hi]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _edit(src: Source, start: int, end: int, new: str) -> str:
    return src.text[:start] + new + src.text[end:]


def _footer(rng: random.Random) -> str:
    n = rng.randint(1, 99)
    return rng.choice(_FOOTERS).format(n=n, m=n + rng.randint(0, 20))


def m_split(sep: str) -> Callable[[Source, random.Random], tuple | None]:
    def mutate(src: Source, rng: random.Random):
        nums = _numbers(src, 2)
        if not nums:
            return None
        m = rng.choice(nums)
        cut = rng.randint(1, len(m.group()) - 1)
        at = src.region[0] + m.start() + cut
        return _edit(src, at, at, sep), f"split {m.group()!r} after {cut} digits with {sep!r}", None

    return mutate


def m_footer(inside: bool) -> Callable[[Source, random.Random], tuple | None]:
    def mutate(src: Source, rng: random.Random):
        marker = _footer(rng)
        if inside:  # a page break inside a row: anywhere within a line, inline or on its own line
            lines = [(a, b) for a, b in _lines(src) if b - a >= 2]
            if not lines:
                return None
            a, b = rng.choice(lines)
            at = rng.randint(a + 1, b - 1)
            piece = rng.choice((f"\n{marker}\n", f" {marker} ", f"\n\n{marker}\n\n", marker))
            return _edit(src, at, at, piece), f"page marker {piece!r} inside a line at offset {at}", None
        lines = _lines(src)
        if not lines:
            return None
        a, _ = rng.choice(lines)
        piece = rng.choice((f"{marker}\n", f"\n{marker}\n\n", f"  {marker}  \n"))
        return _edit(src, a, a, piece), f"page footer {piece!r} before the line at offset {a}", None

    return mutate


def m_line(op: str) -> Callable[[Source, random.Random], tuple | None]:
    def mutate(src: Source, rng: random.Random):
        lines = [ln for ln in _lines(src) if src.text[ln[0] : ln[1]].strip()]
        if len(lines) < 2:
            return None
        i = rng.randrange(len(lines) - 1)
        (a, b), (c, d) = lines[i], lines[i + 1]
        line, nxt, gap = src.text[a:b], src.text[c:d], src.text[b:c]  # gap: "\n", or "" in crawler text
        if op == "duplicate":
            return _edit(src, a, a, line + gap), f"line {line!r} duplicated", None
        if op == "delete":
            return _edit(src, a, c, ""), f"line {line!r} deleted", None
        if op == "swap":
            return src.text[:a] + nxt + gap + line + src.text[d:], f"lines {line!r} and {nxt!r} swapped", None
        if not gap:
            return None
        return _edit(src, b, c, rng.choice(("", " "))), f"line {line!r} joined to {nxt!r}", None

    return mutate


def m_digit(op: str) -> Callable[[Source, random.Random], tuple | None]:
    def mutate(src: Source, rng: random.Random):
        nums = _numbers(src, 2 if op == "drop" else 1)
        if not nums:
            return None
        m = rng.choice(nums)
        old = m.group()
        i = rng.randrange(len(old))
        if op == "drop":
            new = old[:i] + old[i + 1 :]
        else:
            new = old[:i] + rng.choice([d for d in "0123456789" if d != old[i]]) + old[i + 1 :]
        lo = src.region[0]
        return _edit(src, lo + m.start(), lo + m.end(), new), f"{old!r} printed as {new!r}", (old, new)

    return mutate


def m_stray(char: str) -> Callable[[Source, random.Random], tuple | None]:
    def mutate(src: Source, rng: random.Random):
        lo, hi = src.region
        at = rng.randint(lo + 1, hi - 1)
        return _edit(src, at, at, char), f"{char!r} inserted at offset {at}", None

    return mutate


def m_replacement(src: Source, rng: random.Random):
    """One character of the region lost to a decoder: U+FFFD in its place (never a digit)."""
    lo, hi = src.region
    spots = [i for i in range(lo, hi) if not src.text[i].isspace() and not src.text[i].isdigit()]
    at = rng.choice(spots)
    return _edit(src, at, at + 1, "\ufffd"), f"{src.text[at]!r} at offset {at} replaced by U+FFFD", None


def m_mojibake(src: Source, rng: random.Random):
    """A short run of CJK characters as a crawler mis-decodes it (UTF-8 bytes read as GBK)."""
    lo, hi = src.region
    spots = [i for i in range(lo, hi) if "\u4e00" <= src.text[i] <= "\u9fff"]
    if not spots:
        return None
    at = rng.choice(spots)
    end = at
    while end < min(hi, at + rng.randint(1, 4)) and "\u4e00" <= src.text[end] <= "\u9fff":
        end += 1
    garbled = src.text[at:end].encode("utf-8").decode("gbk", errors="replace")
    return _edit(src, at, end, garbled), f"{src.text[at:end]!r} at offset {at} garbled to {garbled!r}", None


# Byte-level damage: (data, what) from the source's UTF-8 bytes.
def b_invalid(src: Source, rng: random.Random):
    lo, hi = src.region
    at = rng.randint(lo + 1, hi - 1)
    byte = rng.choice(_INVALID_BYTES)
    head = src.text[:at].encode("utf-8")
    return head + byte + src.text[at:].encode("utf-8"), f"invalid byte {byte!r} at character offset {at}"


def b_reencode(src: Source, rng: random.Random):
    encoding = rng.choice(("gb18030", "utf-16", "utf-8-sig"))
    return src.text.encode(encoding), f"whole file re-encoded as {encoding}"


TEXT_MUTATIONS: dict[str, Callable[[Source, random.Random], tuple | None]] = {
    "split_space": m_split(" "),
    "split_newline": m_split("\n"),
    "footer_between_rows": m_footer(False),
    "footer_inside_row": m_footer(True),
    "line_duplicated": m_line("duplicate"),
    "line_deleted": m_line("delete"),
    "lines_swapped": m_line("swap"),
    "lines_joined": m_line("join"),
    "digit_dropped": m_digit("drop"),
    "digit_changed": m_digit("change"),
    **{f"stray_{name}": m_stray(ch) for name, ch in _STRAY.items()},
    "replacement_char": m_replacement,
    "mojibake": m_mojibake,
}
BYTE_MUTATIONS: dict[str, Callable[[Source, random.Random], tuple | None]] = {
    "invalid_utf8_byte": b_invalid,
    "reencoded": b_reencode,
}
KINDS = tuple(TEXT_MUTATIONS) + tuple(BYTE_MUTATIONS)


def make_mutant(sources: list[Source], seed: int, index: int) -> Mutant | None:
    """Mutant `index` of `seed`: every (source, kind) pair in turn, the damage drawn at random."""
    pairs = [(s, k) for k in KINDS for s in sources]
    src, kind = pairs[index % len(pairs)]
    rng = random.Random(f"{seed}:{index}")
    if kind in BYTE_MUTATIONS:
        if not src.from_file:
            return None
        made = BYTE_MUTATIONS[kind](src, rng)
        return Mutant(index, src, kind, made[1], data=made[0]) if made else None
    made = TEXT_MUTATIONS[kind](src, rng)
    if made is None:
        return None
    text, what, edit = made
    return Mutant(index, src, kind, what, text=text, digit_edit=edit)


# --- parsing and classifying -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="ogi-damage-"))


def parse_mutant(m: Mutant) -> ParsedReport:
    """Parse a mutant as `ogi parse --alone` does (a PDF's text goes straight to the parser)."""
    if not m.source.from_file:
        report = ParsedReport(m.source.name, str(m.source.path), "0" * 64, "pdf", 0)
        parse_text(report, m.text or "")
        link_reports([report])
        return report
    path = _workdir() / m.source.name
    path.write_bytes(m.data if m.data is not None else (m.text or "").encode("utf-8"))
    return parse_files([path], neighbours=False)[0]


def keyed_cells(key: Mapping, got: Mapping) -> Iterable[tuple[str, str, str, object, object]]:
    """(table, row, cell, expected, got) for every keyed cell."""
    g3 = got.get("table3") or {}
    for row, cells in key["table3"].items():
        gr = g3.get(row) or [None] * 7
        for i, v in enumerate(cells):
            yield "table3", row, V.APPLICANT_COLUMNS[i], v, gr[i] if i < len(gr) else None
    g4 = got.get("table4") or []
    for i, v in enumerate(key["table4"]):
        yield "table4", V.T4_BLOCKS[i // 5], V.T4_RESULTS[i % 5], v, g4[i] if i < len(g4) else None
    g2 = got.get("table2") or {}
    for item, metrics in key.get("table2", {}).items():
        for metric, v in metrics.items():
            yield "table2", item, metric, v, (g2.get(item) or {}).get(metric)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def _number_text(v) -> str:
    return f"{float(v):.12g}"


def _edited(old: str, new: str, expected, got) -> bool:
    """Does `got` print as `expected` with the mutation's digit edit (one digit dropped, or one
    digit changed from old's to new's) applied to it?"""
    if expected is None or got is None:
        return False
    e, g = _number_text(expected), _number_text(got)
    if len(new) < len(old):  # a dropped digit
        return any(e[:i] + e[i + 1 :] == g for i in range(len(e))) or (e == old and g == new)
    changed = next(((a, b) for a, b in zip(old, new) if a != b), None)
    diffs = [(x, y) for x, y in zip(e, g) if x != y]
    return len(e) == len(g) and diffs == [changed]


@lru_cache(maxsize=64)
def _clean_breaks(src: Source) -> frozenset[str]:
    """The identities the clean report itself breaks (a source error kept as printed)."""
    report = parse_mutant(Mutant(-1, src, "clean", "", text=src.text))
    return frozenset(c.place for c in report.checks if c.holds is False)


def classify(m: Mutant, report: ParsedReport) -> Outcome:
    """The mutant's category against its key (see the module docstring)."""
    got = to_json(report)
    wrong = [(t, f"{r}.{c}", e, g) for t, r, c, e, g in keyed_cells(m.source.key, got) if not _same(e, g)]
    if not wrong:
        return Outcome(m, "exact")
    if report.parse_status == "failed":
        return Outcome(m, "flagged", wrong)
    loud = [i for i in report.issues if i.severity != Severity.INFO and i.table_id]
    unflagged = [
        f"{t}.{rc}"
        for t, rc, _, _ in wrong
        if not any(i.table_id == t and i.row_key in (None, rc.split(".")[0]) for i in loud)
    ]
    if not unflagged:
        return Outcome(m, "flagged", wrong)
    if (
        m.digit_edit
        and len(wrong) == 1
        and _edited(*m.digit_edit, wrong[0][2], wrong[0][3])
        and not {c.place for c in report.checks if c.holds is False} - _clean_breaks(m.source)
    ):
        return Outcome(m, "faithful", wrong, unflagged)
    return Outcome(m, "silently_wrong", wrong, unflagged)


def run(sources: list[Source], n: int, seed: int, indices: Iterable[int] | None = None) -> list[Outcome]:
    """Parse and classify mutants 0…n-1 of `seed` (or the given indices)."""
    outcomes = []
    for i in indices if indices is not None else range(n):
        m = make_mutant(sources, seed, i)
        if m is not None:
            outcomes.append(classify(m, parse_mutant(m)))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """Mutation kind → mutants / exact / flagged / faithful / silently wrong."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for o in outcomes:
        counts[o.mutant.kind][o.category] += 1
    lines = [f"{'mutation':<22}{'mutants':>8}" + "".join(f"{c:>16}" for c in CATEGORIES)]
    total: Counter[str] = Counter()
    for kind in KINDS:
        if kind in counts:
            c = counts[kind]
            total.update(c)
            lines.append(f"{kind:<22}{sum(c.values()):>8}" + "".join(f"{c[x]:>16}" for x in CATEGORIES))
    lines.append(f"{'all':<22}{sum(total.values()):>8}" + "".join(f"{total[x]:>16}" for x in CATEGORIES))
    return "\n".join(lines)


def describe(o: Outcome, seed: int) -> str:
    """One silently-wrong case with what was done, what was read, and how to replay it."""
    shown = [w for w in o.wrong if f"{w[0]}.{w[1]}" in o.unflagged] or o.wrong
    cells = "; ".join(f"{t}.{rc}: key {e} got {g}" for t, rc, e, g in shown[:4]) + (" …" if len(shown) > 4 else "")
    return (
        f"#{o.mutant.index} {o.mutant.source.name} {o.mutant.kind}: {o.mutant.what} → {cells}"
        f"\n    replay: python -m dagster_project.synth.damage --seed {seed} --only {o.mutant.index}"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the classification table and every silently-wrong mutant; exit 1 if there is one."""
    ap = argparse.ArgumentParser(prog="python -m dagster_project.synth.damage", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of mutants (default 1000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--only", type=int, nargs="*", help="replay these mutant indices, with their issues")
    args = ap.parse_args(argv)
    if not (args.shared / "answers").exists():
        print(f"damage: no answer keys under {args.shared}", file=sys.stderr)
        return 2
    sources = load_sources(args.shared)
    outcomes = run(sources, args.n, args.seed, args.only)
    print(table(outcomes))
    bad = [o for o in outcomes if o.category == "silently_wrong"]
    for o in bad if not args.only else outcomes:
        print(describe(o, args.seed))
        if args.only:
            report = parse_mutant(o.mutant)
            for i in report.issues:
                print(f"    {i.severity} {i.code} [{i.table_id}.{i.row_key}] {i.message[:160]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
