"""The tables of a scanned page, from the ruling lines printed in the image (OpenCV morphology).

A page image is straightened first (the skew of a sheet fed by hand), then its horizontal and
vertical rules are found as long thin runs of ink. The rules meeting each other make a table;
their positions make its grid of rows and columns, and a missing stretch of rule between two
grid cells merges them (a label spanning rows, a header spanning columns). A table cut by a
page break has no closing rule: it is closed where its vertical rules end.

Sizes are in pixels of a page rendered at 200 dpi (the reader scales images to about that).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_RULE = 30  # px: the shortest rule sought (a table row is ~50 px tall); strokes of characters meet no rule
TOLERANCE = 10  # px: rule ends and crossings this close are the same place
MAX_THICKNESS = 12  # px: a thicker run is a filled area, not a rule
COVERED = 0.5  # a grid edge with less of its length ruled is no edge: the cells beside it merge
MIN_TABLE_WIDTH = 200  # px (25 mm): narrower nets of rules are characters or marks, not tables
MAX_SKEW_DEG = 3.0


@dataclass(frozen=True)
class Rule:
    """A straight rule: its position across (y of a horizontal one) and its extent along."""

    at: float
    start: float
    end: float


@dataclass(frozen=True)
class GridCell:
    """A cell of a table: the grid rows and columns it spans ([row, row_end)) and its box."""

    row: int
    col: int
    row_end: int
    col_end: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Table:
    """A ruled table: its box and its cells, in reading order (by first row, then column)."""

    box: tuple[float, float, float, float]
    n_rows: int
    cells: tuple[GridCell, ...]


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned upright, and the angle it was turned by (degrees). The angle is the one
    that makes the rows of ink sharpest (rules and text lines alike), searched coarse to fine."""
    ink = (cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA) < 160).astype(np.float32)
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(ink, cv2.getRotationMatrix2D(centre, angle, 1.0), ink.shape[::-1])
        return float(np.var(turned.sum(axis=1)))

    best = 0.0
    for step, span in ((0.5, MAX_SKEW_DEG), (0.1, 0.5), (0.02, 0.1)):
        candidates = np.arange(best - span, best + span + step / 2, step)
        best = float(max(candidates, key=sharpness))
    if abs(best) < 0.02:
        return gray, 0.0
    matrix = cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), best, 1.0)
    return cv2.warpAffine(gray, matrix, gray.shape[::-1], flags=cv2.INTER_LINEAR, borderValue=255), best


def _rules(mask: np.ndarray, horizontal: bool) -> list[Rule]:
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rules = []
    for x, y, w, h, _area in stats[1:n].astype(float):
        along, across = (w, h) if horizontal else (h, w)
        if along >= MIN_RULE and across <= MAX_THICKNESS:
            rules.append(Rule(y + h / 2, x, x + w) if horizontal else Rule(x + w / 2, y, y + h))
    return rules


def _line_masks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # darker than its neighbourhood: faint, blurred rules count, a grey-shaded cell does not
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    masks = []
    for kernel in ((MIN_RULE, 1), (1, MIN_RULE)):
        opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        masks.append(
            cv2.dilate(opened, cv2.getStructuringElement(cv2.MORPH_RECT, (kernel[0] // 6 + 1, kernel[1] // 6 + 1)))
        )
    return masks[0], masks[1]


def _meets(end: float, at: float, crossing: list[Rule]) -> bool:
    """Does a rule's end (`end` along it, `at` across) lie on one of the crossing rules?"""
    return any(abs(o.at - end) <= TOLERANCE and o.start - TOLERANCE <= at <= o.end + TOLERANCE for o in crossing)


def _anchored(rules: list[Rule], crossing: list[Rule]) -> list[Rule]:
    """The rules whose two ends each meet a crossing rule or line up with the ends of two other
    rules (a table cut by the page edge, a table open at its sides). Strokes of characters
    touching a rule meet nothing at their other end and are dropped."""
    ends = np.array([e for r in rules for e in (r.start, r.end)])

    def held(end: float, at: float) -> bool:
        return _meets(end, at, crossing) or int(np.sum(np.abs(ends - end) <= TOLERANCE)) >= 3  # itself and two others

    return [r for r in rules if held(r.start, r.at) and held(r.end, r.at)]


def _cluster(values: list[float]) -> list[float]:
    """Positions closer than TOLERANCE merged into their mean."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= TOLERANCE:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [float(np.mean(g)) for g in groups]


def _coverage(rules: list[Rule], at: float, lo: float, hi: float) -> float:
    """How much of [lo, hi] at `at` the rules cover (0..1), away from the corners."""
    lo, hi = lo + TOLERANCE, hi - TOLERANCE
    if hi <= lo:
        return 1.0
    spans = sorted((max(r.start, lo), min(r.end, hi)) for r in rules if abs(r.at - at) <= TOLERANCE)
    covered, reach = 0.0, lo
    for a, b in spans:
        if b > reach:
            covered += b - max(a, reach)
            reach = b
    return covered / (hi - lo)


def _table(h_rules: list[Rule], v_rules: list[Rule]) -> Table | None:
    ys, xs = _cluster([r.at for r in h_rules]), _cluster([r.at for r in v_rules])
    h_rules, v_rules = list(h_rules), list(v_rules)
    # a table cut by the page break (or open at its sides) is closed where its crossing rules end
    top, bottom = min(r.start for r in v_rules), max(r.end for r in v_rules)
    left, right = min(r.start for r in h_rules), max(r.end for r in h_rules)
    if top < ys[0] - TOLERANCE:
        ys.insert(0, top)
        h_rules.append(Rule(top, left, right))
    if bottom > ys[-1] + TOLERANCE:
        ys.append(bottom)
        h_rules.append(Rule(bottom, left, right))
    if left < xs[0] - TOLERANCE:
        xs.insert(0, left)
        v_rules.append(Rule(left, ys[0], ys[-1]))
    if right > xs[-1] + TOLERANCE:
        xs.append(right)
        v_rules.append(Rule(right, ys[0], ys[-1]))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1:
        return None
    # merge grid cells across the edges that are not ruled
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and _coverage(v_rules, xs[c + 1], ys[r], ys[r + 1]) < COVERED:
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and _coverage(h_rules, ys[r + 1], xs[c], xs[c + 1]) < COVERED:
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    spans: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            span = spans.setdefault(find(r * n_cols + c), [r, c, r + 1, c + 1])
            span[:] = [min(span[0], r), min(span[1], c), max(span[2], r + 1), max(span[3], c + 1)]
    cells = sorted(
        (GridCell(r0, c0, r1, c1, (xs[c0], ys[r0], xs[c1], ys[r1])) for r0, c0, r1, c1 in spans.values()),
        key=lambda c: (c.row, c.col),
    )
    return Table((xs[0], ys[0], xs[-1], ys[-1]), n_rows, tuple(cells))


def find_tables(gray: np.ndarray) -> list[Table]:
    """The ruled tables of an upright page image (8-bit grayscale), top to bottom. A table is
    a connected net of rules at least `MIN_TABLE_WIDTH` wide: the strokes of a character (口)
    make a net too, but a small one, and the text inside a table's cells never touches it."""
    h_mask, v_mask = _line_masks(gray)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(h_mask | v_mask, connectivity=8)
    tables = []
    for k in range(1, n):
        x, y, w, h, _area = stats[k]
        if w < MIN_TABLE_WIDTH or h < MIN_RULE:
            continue
        net = labels[y : y + h, x : x + w] == k
        h_rules = [_moved(r, y, x) for r in _rules(h_mask[y : y + h, x : x + w] * net, horizontal=True)]
        v_rules = [_moved(r, x, y) for r in _rules(v_mask[y : y + h, x : x + w] * net, horizontal=False)]
        h_kept, v_kept = _anchored(h_rules, v_rules), _anchored(v_rules, h_rules)
        if len(v_kept) >= 2 and h_kept and (table := _table(h_kept, v_kept)) is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: t.box[1])


def _moved(rule: Rule, across: float, along: float) -> Rule:
    """A rule found in a crop, in page coordinates."""
    return Rule(rule.at + across, rule.start + along, rule.end + along)
