"""Synthetic corpus of 政府信息公开工作年度报告 with exact answer keys.

`generate_corpus(n, out_dir)` writes n report files into out_dir and, for each, an answer key
`answers/<stem>.json` in the shape of shared/answers/README.md. The corpus exercises what real
reports do to a parser: five text/HTML layouts, the 2019 and 2021 table formats (and the
hybrid of the two), signed and unit-bearing 表二 cells, GBK pages, and a share of reports with
a recorded defect (blank cells, a broken identity, a row that lost a cell, 无 for zero).

Every note in a key starts with a tag: ``layout: …``, ``defect:<kind>: …`` (kinds in
DEFECT_KINDS), ``hybrid: …``, ``continuity_break: …``, ``t2_row_omitted: …``.
"""

from __future__ import annotations

from .cli import main
from .corpus import generate_corpus
from .render import LAYOUTS
from .tables import DEFECT_KINDS

__all__ = ["DEFECT_KINDS", "LAYOUTS", "generate_corpus", "main"]
