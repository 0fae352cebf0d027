"""The staging contract: the Parquet tables the parsers write and dbt reads as sources.

Each table lives in its own folder under the staging directory (``reports/``, ``cells/``,
``issues/``, ``pre2019_statistics/``) as one or more ``*.parquet`` parts; one part is written per
parsed batch.
"""

from __future__ import annotations

import polars as pl

PARSER_VERSION = "8"

# A table's columns and their Polars types: a class (pl.Utf8) or an instance (pl.Datetime("us")).
Schema = dict[str, pl.DataType | type[pl.DataType]]

REPORTS: Schema = {
    "report_id": pl.Utf8,  # first 16 hex digits of the content hash: stable across renames
    "content_hash": pl.Utf8,  # sha256 of the file bytes
    "file_name": pl.Utf8,
    "source_path": pl.Utf8,  # path as inventoried (absolute)
    "file_format": pl.Utf8,  # txt | html | md | pdf | docx | doc | wps | rtf | ocr (a scan read by OCR) | image | unknown
    "byte_size": pl.Int64,
    "source_mtime": pl.Datetime("us"),  # the file's modification time when parsed (UTC): newest version wins
    "agency_raw": pl.Utf8,  # the reporting body as printed (null: never named)
    "agency_name": pl.Utf8,  # normalized to simplified Chinese (null: unidentified)
    "agency_kind": pl.Utf8,  # county_government | general_office | department | aggregate | … | unidentified
    "agency_level": pl.Utf8,  # province | prefecture | county | township | unknown
    "region_code": pl.Utf8,  # 6-digit administrative division code of the agency's region
    "region_name": pl.Utf8,
    "prefecture_code": pl.Utf8,
    "prefecture_name": pl.Utf8,
    "province_code": pl.Utf8,
    "province_name": pl.Utf8,
    "agency_confidence": pl.Float64,
    "agency_evidence": pl.Utf8,  # what the resolution used, "; "-separated
    "report_year": pl.Int32,  # the year reported on (not the publication year)
    "template": pl.Utf8,  # 2019 | 2021 | pre2019 | null
    "table2_variant": pl.Utf8,  # the 表二 layout printed: 2019 | 2021 | null (not found)
    "table3_variant": pl.Utf8,  # the 表三 layout printed: 2019 (one 其他处理 row) | 2021 | null
    "is_hybrid": pl.Boolean,  # 2021 tables with the 2019 single 其他处理 row
    "parse_status": pl.Utf8,  # parsed | flagged | failed
    "quality_status": pl.Utf8,  # consistent | inconsistent | not_assessable (hard identities)
    "n_issues": pl.Int32,
    "parser_version": pl.Utf8,
}

CELLS: Schema = {
    "report_id": pl.Utf8,
    "table_id": pl.Utf8,  # table2 | table3 | table4
    "row_key": pl.Utf8,  # table3 row / table4 block / table2 item
    "col_key": pl.Utf8,  # table3 applicant column / table4 result / table2 metric
    "row_label": pl.Utf8,  # the row label as printed (null when the row is missing)
    "raw_text": pl.Utf8,  # the cell text as printed (null when the cell is missing)
    "value": pl.Float64,  # parsed value; null for blank, none-marker resolved to 0 is a number
    "value_class": pl.Utf8,  # number | blank | none | text | missing
    "is_reconstructed": pl.Boolean,  # value derived from an identity, not printed
    "place": pl.Utf8,  # where in the source (e.g. "line 212")
}

ISSUES: Schema = {
    "report_id": pl.Utf8,
    "code": pl.Utf8,  # stable machine code, e.g. identity_broken, cell_reconstructed
    "severity": pl.Utf8,  # info | warning | error
    "message": pl.Utf8,
    "place": pl.Utf8,  # where, for people: "table2.regulations (line 12)", "text line 40"
    "table_id": pl.Utf8,  # the table the issue is about (null: the report as a whole)
    "row_key": pl.Utf8,  # the row it is about (null: a whole table or column)
    "identity": pl.Utf8,  # T3-A | T3-B | T3-C | T4-A | X-5 ... (null when not an identity)
    "reported": pl.Float64,
    "recomputed": pl.Float64,
    "delta": pl.Float64,
    "candidates": pl.List(pl.List(pl.Float64)),  # cells_ambiguous: the readings left open
}

PRE2019_STATISTICS: Schema = {
    "report_id": pl.Utf8,
    "row_no": pl.Int32,  # the row's place in the table, from 1: (report_id, row_no) is the key
    "indicator": pl.Utf8,  # the label as printed (numbering and 其中 kept)
    "indicator_key": pl.Utf8,  # parsing/pre2019_vocabulary.py key (null: not in the vocabulary, or repeated)
    "parent_key": pl.Utf8,  # the indicator this row is a part of, when it is in the table
    "unit": pl.Utf8,  # as printed: 条 | 件 | 万元 | … (null: no unit column)
    "this_year": pl.Float64,  # 本年度 / 2018年度 / 统计数 (null: blank, open or unreadable)
    "cumulative": pl.Float64,  # 历年累计 (null: no such column, blank, open or unreadable)
    "has_cumulative": pl.Boolean,  # the table prints a cumulative column
    "raw_text": pl.Utf8,  # the value text as printed ("20263542": both columns run together)
    "status": pl.Utf8,  # printed | decided | open | unreadable
    "decided_by": pl.Utf8,  # printed | cumulative_bound | part_whole (null: open or unreadable)
    "candidates": pl.List(pl.List(pl.Float64)),  # open: the (this year, cumulative) readings left
    "place": pl.Utf8,  # where in the source (e.g. "line 10")
}

TABLES: dict[str, Schema] = {
    "reports": REPORTS,
    "cells": CELLS,
    "issues": ISSUES,
    "pre2019_statistics": PRE2019_STATISTICS,
}
