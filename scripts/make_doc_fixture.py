"""Write the legacy Word fixtures of tests/test_legacy_word.py with LibreOffice.

    python scripts/make_doc_fixture.py [--seed raw/003_2baf5ee0490418e5.txt]
        [--html ../shared/corpus/real/2019_shanghai_szfbgt_1.html] [--out tests/fixtures/legacy_word]

The keyed sample's text (tables as tab-separated rows) becomes an HTML page with real tables,
which LibreOffice saves as Word 97–2003: `<stem>.doc`, and `<stem>.wps` (the same Word 97 format
under WPS Office's name, as WPS writes it); the sample's answer key then checks what the parser
reads. A published HTML report (merged cells, blank cells) is saved as `<stem>.doc` too, to be
read as its HTML source reads. Needs `soffice` (apt-get install libreoffice-writer-nogui).
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def to_html(text: str) -> str:
    """Prose lines become paragraphs; a run of lines with tabs becomes a table, a cell per tab."""
    body: list[str] = []
    rows: list[list[str]] = []

    def close_table() -> None:
        if rows:
            cells = ("".join(f"<td>{html.escape(c) or '&nbsp;'}</td>" for c in r) for r in rows)
            body.append('<table border="1">' + "".join(f"<tr>{r}</tr>" for r in cells) + "</table>")
            rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            cells = line.split("\t")
            rows.append(cells[:-1] if cells[-1] == "" else cells)  # a row's closing tab opens no cell
        else:
            close_table()
            body.append(f"<p>{html.escape(line)}</p>")
    close_table()
    return '<html><head><meta charset="utf-8"></head><body>\n' + "\n".join(body) + "\n</body></html>\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=Path, default=REPO / "raw" / "003_2baf5ee0490418e5.txt")
    ap.add_argument(
        "--html", type=Path, default=REPO.parent / "shared" / "corpus" / "real" / "2019_shanghai_szfbgt_1.html"
    )
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "legacy_word")
    args = ap.parse_args()
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: apt-get install libreoffice-writer-nogui", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / f"{args.seed.stem}.html"
        page.write_text(to_html(args.seed.read_text(encoding="utf-8")), encoding="utf-8")
        for source, suffix in ((page, "doc"), (page, "wps"), (args.html, "doc")):
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
                    "--infilter=HTML (StarWriter)",  # a Writer document, not a web page (Writer/Web saves no .doc)
                    "--convert-to",
                    f"{suffix}:MS Word 97",
                    "--outdir",
                    str(args.out),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            print(args.out / f"{source.stem}.{suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
