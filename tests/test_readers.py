"""Readers: every format to the canonical text layout; bad files become issues, never crashes."""

from __future__ import annotations

import io

import pytest
from conftest import SHARED

from dagster_project.parsing.readers import read_document

REAL = SHARED / "corpus" / "real"
needs_corpus = pytest.mark.skipif(not REAL.exists(), reason="the shared real corpus is not beside the repo")


def rows(text: str) -> list[list[str]]:
    return [line.split("\t")[:-1] for line in text.split("\n") if line.endswith("\t")]


def test_gbk_html_table_with_merged_and_blank_cells(tmp_path):
    html = (
        "<html><head><meta charset='gb2312'><style>td{}</style><script>x=1</script></head><body>"
        "<p>郏县人民政府2021年政府信息公开工作年度报告</p><table>"
        "<tr><td rowspan=2>三、本年度<br>办理结果</td><td>（一）予以公开</td><td>3</td><td>&nbsp;</td></tr>"
        "<tr><td>（二）部分公开</td><td>1</td><td>2</td></tr></table></body></html>"
    )
    path = tmp_path / "report.htm"
    path.write_bytes(html.encode("gbk"))
    doc = read_document(path)
    assert doc.readable and doc.file_format == "html" and doc.encoding == "gb18030"
    assert "郏县人民政府2021年" in doc.text and "x=1" not in doc.text
    assert rows(doc.text) == [["三、本年度办理结果", "（一）予以公开", "3", ""], ["（二）部分公开", "1", "2"]]


def test_text_encodings_are_detected(tmp_path):
    for name, data in {
        "u8bom.txt": "\ufeff规章\t0".encode("utf-8"),
        "u16.txt": "规章\t0".encode("utf-16"),
        "gbk.txt": "规章\t0".encode("gb18030"),
    }.items():
        (tmp_path / name).write_bytes(data)
        assert read_document(tmp_path / name).text.startswith("规章\t0"), name


def test_docx_tables_in_body_order_with_merged_cells_once(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "规章"
    table.cell(0, 1).text, table.cell(0, 2).text = "0", "3"
    table.cell(1, 1).text, table.cell(1, 2).text = "1", ""
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    path = tmp_path / "r.docx"
    document.save(path)
    doc = read_document(path)
    assert doc.file_format == "docx" and doc.readable
    # a vertically merged label stands in each row it spans: every row keeps its label
    assert rows(doc.text) == [["规章", "0", "3"], ["规章", "1", ""]]
    assert doc.text.index("主动公开") < doc.text.index("规章") < doc.text.index("收到和处理")


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "doc_legacy_format"),
        ("x.wps", b"anything", "wps_unsupported"),
        ("junk.bin.txt", b"\x00\x01\x02" * 300, "unsupported_format"),
        ("broken.pdf", b"%PDF-1.4\n this is not a pdf", "pdf_unreadable"),
    ],
)
def test_unreadable_files_become_issues(tmp_path, name, data, code):
    (tmp_path / name).write_bytes(data)
    doc = read_document(tmp_path / name)
    assert not doc.readable and [i.code for i in doc.issues] == [code]


def _pdf_without_text() -> bytes:
    """A one-page PDF that draws a rectangle and no text: what a scan looks like to a reader."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = b"0 0 1 rg 20 20 100 100 re f"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def test_scanned_pdf_is_recognised(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(_pdf_without_text())
    doc = read_document(tmp_path / "scan.pdf")
    assert not doc.readable and doc.issues[0].code == "pdf_no_text_layer"


@needs_corpus
def test_text_layer_pdf_table_rows_keep_their_cells():
    doc = read_document(REAL / "2023_hongzequ_qzf_1.pdf")
    table = rows(doc.text)
    assert ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"] in table
    assert ["三、本年度办理结果", "（一）予以公开", "0", "0", "0", "0", "0", "0", "0"] in table  # vertical label joined
    assert ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"] in table
    assert "- 4 -" not in doc.text


@needs_corpus
def test_html_report_keeps_blank_cells_in_place():
    doc = read_document(REAL / "2019_shanghai_szfbgt_1.html")
    table = rows(doc.text)
    assert ["三、本年度办理结果", "（一）予以公开", "258", "12", "", "", "1", "1", ""] in table
    assert ["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", ""] in table
