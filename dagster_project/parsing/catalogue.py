"""The one catalogue of what the parser can say about a report: issue codes and row methods.

Every issue a report gets carries an `IssueCode`; its severity, meaning (English and Chinese)
and what a user should do come from `CATALOGUE`, which the dbt seed `dim_issue_code` mirrors
(`scripts/write_issue_codes.py` writes the seed from here; a test checks that the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much an issue matters."""

    INFO = "info"  # how something was read; nothing to check
    WARNING = "warning"  # read, but a person should look (broken identity, inferred value)
    ERROR = "error"  # a value could not be read, or the report could not be parsed


class IssueCode(StrEnum):
    # reading the file
    """Every kind of issue the parser records (grouped by what it is about)."""

    UNSUPPORTED_FORMAT = "unsupported_format"
    DOC_LEGACY_FORMAT = "doc_legacy_format"
    WPS_UNSUPPORTED = "wps_unsupported"
    DOCX_UNREADABLE = "docx_unreadable"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_UNREADABLE = "pdf_unreadable"
    PDF_PAGE_UNREADABLE = "pdf_page_unreadable"
    PDF_NO_TEXT_LAYER = "pdf_no_text_layer"
    ENCODING_GUESSED = "encoding_guessed"
    ENCODING_UNDECODABLE = "encoding_undecodable"
    EMPTY_DOCUMENT = "empty_document"
    UNREADABLE = "unreadable"
    # legacy Word (.doc, .wps, RTF) read through LibreOffice
    CONVERTED_BY_LIBREOFFICE = "converted_by_libreoffice"
    DOC_NEEDS_CONVERTER = "doc_needs_converter"
    DOC_CONVERSION_FAILED = "doc_conversion_failed"
    # guarding the parser
    PARSER_CRASH = "parser_crash"
    PARSE_TIMEOUT = "parse_timeout"
    PARSE_OUT_OF_MEMORY = "parse_out_of_memory"
    PARSE_PROCESS_DIED = "parse_process_died"
    # the report as a whole
    AGENCY_NOT_NAMED = "agency_not_named"
    AGENCY_REGION_UNRESOLVED = "agency_region_unresolved"
    YEAR_INFERRED = "year_inferred"
    PRE2019_TEMPLATE = "pre2019_template"
    TABLES_NOT_FOUND = "tables_not_found"
    TABLE_NOT_FOUND = "table_not_found"
    TEMPLATE_HYBRID = "template_hybrid"
    # rows and cells
    LABEL_FUZZY_MATCH = "label_fuzzy_match"
    ROW_NOT_FOUND = "row_not_found"
    ROW_UNREADABLE = "row_unreadable"
    ROW_CUT_SHORT = "row_cut_short"
    CELLS_AMBIGUOUS = "cells_ambiguous"
    CELLS_DECIDED_ACROSS_YEARS = "cells_decided_across_years"
    CELLS_CHOSEN_BY_PLAUSIBILITY = "cells_chosen_by_plausibility"
    DIGITS_SPLIT = "digits_split"
    DIGITS_REJOINED = "digits_rejoined"
    VALUES_MATCHED_BY_ORDER = "values_matched_by_order"
    CELL_RECONSTRUCTED = "cell_reconstructed"
    CELL_RELOCATED = "cell_relocated"
    BLANK_CELLS = "blank_cells"
    TOTAL_NOT_FILLED = "total_not_filled"
    # the numbers against each other
    IDENTITY_BROKEN = "identity_broken"
    NEGATIVE_COUNT = "negative_count"
    NARRATIVE_TABLE_MISMATCH = "narrative_table_mismatch"
    # files under raw/ that are not read as reports (dim_source_file.reason)
    HIDDEN_FILE = "hidden_file"
    UNSUPPORTED_SUFFIX = "unsupported_suffix"
    SYMLINK_OUTSIDE_RAW = "symlink_outside_raw"
    FILE_UNREADABLE = "file_unreadable"
    # runtime faults
    RESOURCE_LIMIT = "resource_limit"
    # damage found in the text
    ROW_EXTRA_NUMBERS = "row_extra_numbers"
    CELL_SPLIT_AT_SPACE = "cell_split_at_space"
    TABLE_UNVERIFIED = "table_unverified"
    PAGE_MARKER_DROPPED = "page_marker_dropped"
    ROW_LABEL_REPEATED = "row_label_repeated"
    SIGNED_COUNT = "signed_count"
    # OCR of scanned reports (图片版 PDFs, page images)
    OCR_USED = "ocr_used"
    OCR_LOW_CONFIDENCE = "ocr_low_confidence"
    OCR_UNAVAILABLE = "ocr_unavailable"
    IMAGE_UNREADABLE = "image_unreadable"
    # the pre-2019 statistics table (parsing/pre2019.py)
    PRE2019_TABLE_NOT_FOUND = "pre2019_table_not_found"
    PRE2019_PAIRS_SPLIT = "pre2019_pairs_split"
    PRE2019_INDICATOR_UNKNOWN = "pre2019_indicator_unknown"
    PRE2019_ROW_UNREADABLE = "pre2019_row_unreadable"
    PRE2019_BOUND_BROKEN = "pre2019_bound_broken"
    PRE2019_DECIDED_ACROSS_YEARS = "pre2019_decided_across_years"
    # the report's own prose deciding glued 表二 rows (parsing/narrative.py, series.py)
    CELLS_STATED_IN_TEXT = "cells_stated_in_text"
    CELLS_DECIDED_BY_NARRATIVE = "cells_decided_by_narrative"
    CHOICE_CONTRADICTED_ACROSS_YEARS = "choice_contradicted_across_years"


@dataclass(frozen=True)
class CodeInfo:
    """What the catalogue says of one code."""

    severity: Severity  # the severity an issue of this code has
    meaning: str
    meaning_zh: str
    action: str
    also: tuple[Severity, ...] = ()  # other severities it takes in stated cases

    @property
    def severities(self) -> tuple[Severity, ...]:
        return (self.severity, *self.also)


I, W, E = Severity.INFO, Severity.WARNING, Severity.ERROR
C = IssueCode
CONVERT = "convert the file to .docx or a text-layer PDF and put that in raw/"

CATALOGUE: dict[IssueCode, CodeInfo] = {
    C.UNSUPPORTED_FORMAT: CodeInfo(E, "binary file of a format no reader handles", "文件格式不受支持", CONVERT),
    C.DOC_LEGACY_FORMAT: CodeInfo(
        E,
        "legacy Word (.doc/.wps/RTF) file read without its LibreOffice conversion",
        "旧版Word文件未经转换",
        "parse it with `ogi parse` or a refresh (they convert it), or " + CONVERT,
    ),
    C.WPS_UNSUPPORTED: CodeInfo(
        E, "WPS document of a format LibreOffice does not read (not OLE2)", "WPS文档格式不受支持", CONVERT
    ),
    C.DOCX_UNREADABLE: CodeInfo(E, "the Word file cannot be opened", "Word文件无法打开", "check the file is whole"),
    C.PDF_ENCRYPTED: CodeInfo(E, "the PDF is encrypted", "PDF已加密", "obtain an unencrypted copy"),
    C.PDF_UNREADABLE: CodeInfo(E, "the PDF cannot be opened", "PDF无法打开", "check the file is whole"),
    C.PDF_PAGE_UNREADABLE: CodeInfo(
        W, "one page of the PDF could not be read", "PDF某页无法读取", "check the page's numbers by hand"
    ),
    C.PDF_NO_TEXT_LAYER: CodeInfo(
        E,
        "scanned PDF without a text layer that OCR could not read",
        "扫描版PDF,无文本层",
        "see the OCR issue beside it",
    ),
    C.ENCODING_GUESSED: CodeInfo(
        W, "text encoding found by statistical detection", "文本编码由统计推断", "spot-check the text"
    ),
    C.ENCODING_UNDECODABLE: CodeInfo(
        W, "some bytes could not be decoded and were replaced", "部分字节无法解码", "spot-check the text"
    ),
    C.EMPTY_DOCUMENT: CodeInfo(E, "the file holds no text", "文件无文本", "check the download"),
    C.UNREADABLE: CodeInfo(E, "no text could be read from the file", "无法读取文本", "see the reader's issue"),
    # legacy Word (.doc, .wps, RTF) read through LibreOffice
    C.CONVERTED_BY_LIBREOFFICE: CodeInfo(
        I,
        "a legacy Word (.doc/.wps/RTF) file was converted to DOCX by LibreOffice, then read",
        "经LibreOffice转换",
        "none",
    ),
    C.DOC_NEEDS_CONVERTER: CodeInfo(
        E,
        "a legacy Word (.doc/.wps/RTF) file, and LibreOffice (soffice) is not installed to convert it",
        "需安装LibreOffice以转换旧版Word文件",
        "apt-get install libreoffice-writer-nogui (a staged file is read again when it changes)",
    ),
    C.DOC_CONVERSION_FAILED: CodeInfo(
        E,
        "LibreOffice could not convert the legacy Word file (damaged, encrypted, or not a Word document)",
        "LibreOffice无法转换该文件",
        "open it in Word or WPS and save it as .docx",
    ),
    C.PARSER_CRASH: CodeInfo(E, "the parser failed on this file", "解析程序出错", "report it with the file"),
    C.PARSE_TIMEOUT: CodeInfo(E, "parsing took longer than its budget", "解析超时", "raise OGI_DOC_TIMEOUT_S"),
    C.PARSE_OUT_OF_MEMORY: CodeInfo(
        E, "parsing exceeded the worker's memory limit", "解析超出内存限制", "raise OGI_WORKER_MEMORY_MB"
    ),
    C.PARSE_PROCESS_DIED: CodeInfo(
        E,
        "the process parsing this file died, again when it read the file alone (killed by the system, "
        "or a crash in a native library)",
        "解析进程异常终止",
        "check the system log (out-of-memory killer); if it recurs, report it with the file",
    ),
    C.AGENCY_NOT_NAMED: CodeInfo(W, "the report never names its agency", "报告未写明机关名称", "check the title"),
    C.AGENCY_REGION_UNRESOLVED: CodeInfo(
        W, "the agency could not be placed in the administrative divisions", "机关无法对应行政区划", "check the name"
    ),
    C.YEAR_INFERRED: CodeInfo(
        I,
        "no title year; the year was inferred from the text (warning: not found at all)",
        "年度由正文推断",
        "check the year",
        also=(W,),
    ),
    C.PRE2019_TEMPLATE: CodeInfo(
        W,
        "pre-2019 report: its statistics do not follow the 2019+ tables",
        "2019年前格式",
        "its 统计表 is staged apart: stg_pre2019_statistics, fct_pre2019_statistics",
    ),
    C.TABLES_NOT_FOUND: CodeInfo(E, "no statistics table could be located", "未找到统计表", "check the file"),
    C.TABLE_NOT_FOUND: CodeInfo(E, "one of 表二/表三/表四 could not be located", "未找到某张统计表", "check it"),
    C.TEMPLATE_HYBRID: CodeInfo(
        I, "2021-format report using the 2019 single 其他处理 row", "2021格式沿用2019其他处理行", "none"
    ),
    C.LABEL_FUZZY_MATCH: CodeInfo(
        I, "a printed row label matched the official wording approximately", "行标签近似匹配", "none"
    ),
    C.ROW_NOT_FOUND: CodeInfo(W, "a table row is not in the report", "未找到某行", "check the table"),
    C.ROW_UNREADABLE: CodeInfo(E, "no reading fits a row's printed numbers", "某行数字无法读取", "read it by hand"),
    C.ROW_CUT_SHORT: CodeInfo(
        W,
        "a row prints fewer cells than its columns (error: the cells are left blank)",
        "某行单元格缺失",
        "check the row",
        also=(E,),
    ),
    C.CELLS_AMBIGUOUS: CodeInfo(
        E,
        "the printed digits allow several readings; the open cells are left blank",
        "数字粘连,有多种读法",
        "read the row in the source; the candidates are listed",
    ),
    C.CELLS_DECIDED_ACROSS_YEARS: CodeInfo(
        W,
        "a glued 表二 row decided by the agency's neighbouring year (X-2/X-3)",
        "由相邻年度报告确定",
        "none; decided_by says which identity",
    ),
    C.CELLS_CHOSEN_BY_PLAUSIBILITY: CodeInfo(
        W,
        "a glued 表二 row chosen by the stated plausibility rules",
        "按合理性规则选定",
        "filter decided_by <> 'plausibility' for identity-decided numbers only",
    ),
    C.DIGITS_SPLIT: CodeInfo(I, "rows printed without cell separators were split", "无分隔数字已拆分", "none"),
    C.DIGITS_REJOINED: CodeInfo(
        W,
        "a number printed in two pieces was rejoined (only that reading meets the row sum)",
        "拆开的数字已合并",
        "check the row",
    ),
    C.VALUES_MATCHED_BY_ORDER: CodeInfo(
        W, "a row's numbers printed apart from its label were matched by order", "数字与标签按顺序匹配", "check the row"
    ),
    C.CELL_RECONSTRUCTED: CodeInfo(
        W,
        "a cell the report lost was reconstructed from the identities",
        "由恒等式补出缺失单元格",
        "is_reconstructed marks the cell",
    ),
    C.CELL_RELOCATED: CodeInfo(
        W, "a 表三 total lifted onto its own line was put back", "孤立的合计数已归位", "check the row"
    ),
    C.BLANK_CELLS: CodeInfo(I, "cells of 表三/表四 are blank (kept as null, not 0)", "空白单元格", "none"),
    C.TOTAL_NOT_FILLED: CodeInfo(
        W, "a total cell is blank while its components are not", "合计栏为空", "check the source"
    ),
    C.IDENTITY_BROKEN: CodeInfo(
        W,
        "an accounting identity fails on the numbers as printed",
        "统计表恒等式不成立",
        "compare with the source: a source error is kept as printed",
    ),
    C.NEGATIVE_COUNT: CodeInfo(E, "a count is negative", "计数为负", "check the source"),
    C.NARRATIVE_TABLE_MISMATCH: CodeInfo(
        W, "the report's text states a number its 表二/表三 contradicts (X-5)", "正文与表格数字不符", "check both"
    ),
    C.HIDDEN_FILE: CodeInfo(
        I, "a hidden file or folder under raw/ (a name starting with '.'): not read", "隐藏文件,未读取", "none"
    ),
    C.UNSUPPORTED_SUFFIX: CodeInfo(
        W,
        "a file under raw/ whose name is not of a report format: not read",
        "非报告格式文件,未读取",
        "convert it to a supported format, or remove it",
    ),
    C.SYMLINK_OUTSIDE_RAW: CodeInfo(
        W,
        "a symbolic link under raw/ pointing outside raw/: not followed",
        "指向raw/之外的链接,未读取",
        "copy the file into raw/, or set OGI_RAW_FOLLOW_SYMLINKS=1",
    ),
    C.FILE_UNREADABLE: CodeInfo(
        E,
        "a file or folder under raw/ could not be read (permissions, or removed while being read)",
        "文件无法读取",
        "check its permissions; the next refresh reads it again",
    ),
    # runtime faults
    C.RESOURCE_LIMIT: CodeInfo(
        E,
        "the file exceeds a parsing limit (file size, or the uncompressed size of a Word file's parts): not parsed",
        "文件超出解析限制(大小或解压后大小),未解析",
        "check the file; raise OGI_MAX_FILE_MB or OGI_MAX_UNCOMPRESSED_MB if it is a genuine report",
    ),
    # damage found in the text
    C.ROW_EXTRA_NUMBERS: CodeInfo(
        W,
        "a row prints numbers beyond the cells read (on a further line, or past a character no cell holds)",
        "某行有未读入的数字",
        "read the row in the source",
    ),
    C.CELL_SPLIT_AT_SPACE: CodeInfo(
        W,
        "a cell printing space-separated numbers was read as several cells, with no identity to confirm it",
        "单元格内以空格分开的数字被拆为多格",
        "check the row: a number split by a space reads as two cells",
    ),
    C.TABLE_UNVERIFIED: CodeInfo(
        W,
        "rows of the table are unreadable or missing, so its identities cannot check the rows that were read",
        "部分行无法读取,其余行无法用恒等式核对",
        "check the table in the source",
    ),
    C.PAGE_MARKER_DROPPED: CodeInfo(
        I, "a page number or footer inside the tables was dropped", "表格中的页码已删除", "none"
    ),
    C.ROW_LABEL_REPEATED: CodeInfo(
        W,
        "a row label is printed more than once with numbers; the last occurrence was read",
        "行标签重复出现",
        "check which numbers belong to the row",
    ),
    C.SIGNED_COUNT: CodeInfo(
        W,
        "a count or amount column prints a signed number (+5, 增5): the row's cells may be out of place",
        "计数栏出现带符号的数字",
        "check the row's columns",
    ),
    # OCR of scanned reports (图片版 PDFs, page images)
    C.OCR_USED: CodeInfo(
        I,
        "the text was read by OCR from page images (a scanned PDF or an image file)",
        "文本由OCR识别(扫描件)",
        "none; cells OCR was unsure of have their own issue",
    ),
    C.OCR_LOW_CONFIDENCE: CodeInfo(
        W,
        "OCR read a table cell holding digits with low confidence",
        "OCR识别置信度低的数字单元格",
        "check the cell against the scan",
    ),
    C.OCR_UNAVAILABLE: CodeInfo(
        E,
        "a scanned file needs OCR, which is not installed",
        "扫描件需要OCR,但未安装OCR组件",
        "pip install rapidocr==3.10.0 onnxruntime==1.32.0",
    ),
    C.IMAGE_UNREADABLE: CodeInfo(E, "the image cannot be decoded", "图片无法解码", "check the file is whole"),
    # the pre-2019 statistics table (parsing/pre2019.py)
    C.PRE2019_TABLE_NOT_FOUND: CodeInfo(
        W,
        "a pre-2019 report in which no 政府信息公开情况统计表 header (指标名称 | 计量单位 | 本年度 …) was found",
        "2019年前报告未找到统计表",
        "check whether the report has a table: many print the numbers in their text only",
    ),
    C.PRE2019_PAIRS_SPLIT: CodeInfo(
        I,
        "pre-2019 rows printing this year's and the cumulative digits run together were cut where only one "
        "reading keeps cumulative ≥ this year and every part ≤ its whole",
        "本年度与历年累计数字粘连,已按约束拆分",
        "none; decided_by in stg_pre2019_statistics says which bound decided",
    ),
    C.PRE2019_INDICATOR_UNKNOWN: CodeInfo(
        I,
        "pre-2019 statistics rows whose label names no indicator of the vocabulary (kept, without a key)",
        "统计表指标名称未识别",
        "none; add the wording to parsing/pre2019_vocabulary.py if it recurs",
    ),
    C.PRE2019_ROW_UNREADABLE: CodeInfo(
        E,
        "a pre-2019 statistics row whose printed values give no reading (too many numbers, text, a glued item number)",
        "统计表某行数值无法读取",
        "read the row in the source",
    ),
    C.PRE2019_BOUND_BROKEN: CodeInfo(
        W,
        "a pre-2019 statistics row breaks a bound as printed: cumulative below this year, or a part above its whole",
        "统计表数字不合约束(累计小于本年或分项大于总数)",
        "compare with the source: the numbers are kept as printed",
    ),
    C.PRE2019_DECIDED_ACROSS_YEARS: CodeInfo(
        W,
        "a glued pre-2019 this-year/cumulative pair decided by the agency's neighbouring year "
        "(X-6: cumulative(t) = cumulative(t−1) + this year(t))",
        "由相邻年度的历年累计数确定",
        "none; decided_by = 'across_years' marks the row",
    ),
    # the report's own prose deciding glued 表二 rows (parsing/narrative.py, series.py)
    C.CELLS_STATED_IN_TEXT: CodeInfo(
        I,
        "the report's text states numbers of a glued 表二 row; the readings they agree with are listed",
        "正文写明了粘连表二行的数字",
        "none; a row it leaves one reading for is decided by the text (cells_decided_by_narrative)",
    ),
    C.CELLS_DECIDED_BY_NARRATIVE: CodeInfo(
        W,
        "a glued 表二 row decided by the numbers the report's own text states (exactly one reading agrees)",
        "由报告正文所述数字确定",
        "none; decided_by = 'narrative', the message quotes the sentence",
    ),
    C.CHOICE_CONTRADICTED_ACROSS_YEARS: CodeInfo(
        W,
        "a glued 表二 row chosen by plausibility or the text breaks X-2/X-3 with the agency's neighbouring "
        "year as decided there",
        "选定的读法与相邻年度不符",
        "read the row in both reports: one of the two choices is wrong",
    ),
}


class RowMethod(StrEnum):
    """How a table row's cells were read."""

    MISSING = "missing"  # the row's label is not in the report
    EMPTY = "empty"  # the label, and nothing after it
    POSITIONAL = "positional"  # one printed cell per column
    TRIMMED = "trimmed"  # the same, after dropping structural blanks at the ends
    SPLIT = "split"  # glued digit runs cut into cells
    MISSING_CELL = "missing_cell"  # one cell lost; the row sum solves it
    REJOINED = "rejoined"  # one number printed in two pieces, joined back
    BY_ORDER = "by_order"  # numbers printed apart from the label, matched by order
    SHORT_ROW = "short_row"  # fewer cells than columns, columns not printed
    UNRESOLVED = "unresolved"  # several readings left
    UNREADABLE = "unreadable"  # no reading fits
    DECIDED = "decided"  # an open row decided later: across years, by the report's text or by plausibility
