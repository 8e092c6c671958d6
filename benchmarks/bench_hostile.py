"""Careless workbooks that used to take minutes: time to validate them, against openpyxl reading the same sheet.

Usage: python benchmarks/bench_hostile.py [ROWS]
Two workbooks built from the example cohort: one with ROWS (default 300,000) formatted but empty rows after the
data, one with a single value in the last cell of the sheet (XFD1048576). The peer is openpyxl's own streaming
read of the same sheets (read-only mode, dimensions reset), without any validation; rounds are interleaved and
both sides read the same files from the same warm page cache.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "io"))
from _io_inputs import rewrite_parts, sheet_part, workbook

from neurohlh.io import validate


def _openpyxl_rows(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for name in ("patients", "studies", "variants"):
        sheet = book[name]
        sheet.reset_dimensions()
        n += sum(1 for _ in sheet.iter_rows(values_only=True))
    book.close()
    return n


def main(rows: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        formatted = workbook(tmp / "formatted.xlsx")
        empty = "".join(f'<row r="{r}" s="1" customFormat="1" ht="15"/>' for r in range(20, rows + 20))
        rewrite_parts(formatted, **{sheet_part(1): lambda xml: xml.replace("</sheetData>", empty + "</sheetData>")})
        far = workbook(tmp / "far.xlsx")
        cell = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        rewrite_parts(far, **{sheet_part(3): lambda xml: xml.replace("</sheetData>", cell)})
        for path in (formatted, far):
            size = path.stat().st_size / 1024
            unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist()) / 2**20
            ours, peer = [], []
            for _ in range(3):
                start = time.perf_counter()
                report = validate(path)
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                _openpyxl_rows(path)
                peer.append(time.perf_counter() - start)
            print(f"{path.name:<16} {size:7.0f} kB ({unpacked:6.1f} MiB unpacked): validate {min(ours):6.2f} s, "
                  f"openpyxl read {min(peer):6.2f} s, ratio {min(ours) / min(peer):5.2f}x; "
                  f"{len(report.problems)} problem(s), {len(report.notes)} note(s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
