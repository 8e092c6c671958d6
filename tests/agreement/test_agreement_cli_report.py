"""`neurohlh agreement` and the reader-agreement report tables."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neurohlh.agreement.cohort import reader_agreement
from neurohlh.cli import app
from neurohlh.datasets import demo_cohort_path, load_demo_cohort
from neurohlh.reports.tables_agreement import (
    PARADOX_MARK,
    agreement_table,
    agreement_tables,
    discordance_table,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-cohort"
runner = CliRunner()


@pytest.fixture(scope="module")
def result():
    return reader_agreement(load_demo_cohort(), n_boot=200)


def test_agreement_table_shows_each_decision_and_field(result):
    table = agreement_table(result)
    lesional = table.row("Lesional (study)")
    d = next(x for x in result.decisions if x.name == "lesional")
    k = d.kappa
    assert lesional.cells[1].text == str(d.n)
    assert lesional.cells[3].text.startswith(f"{k.statistic:.2f} ({k.ci[0]:.2f} to {k.ci[1]:.2f})")
    number = table.row("supra_lesion_number")
    assert number.cells[0].text == "ordinal (linear weights)"
    rare = [r for r in table.rows if not r.section and r.cells[3].text.endswith(PARADOX_MARK)]
    assert rare, "rare findings carry the kappa-paradox mark"
    assert any("bootstrap (200 resamples" in n for n in table.footnotes)


def test_discordance_table_lists_every_discordant_value(result):
    table = discordance_table(result)
    assert len(table.rows) == len(result.discordances)
    first = result.discordances[0]
    assert table.rows[0].label == first.study_id and table.rows[0].cells[1].text == first.field
    assert any("adjudicator" in n for n in table.footnotes)
    assert agreement_tables(None) == ()


def test_cli_text_and_json():
    text = runner.invoke(app, ["agreement", str(demo_cohort_path()), "--bootstrap", "100"])
    assert text.exit_code == 0, text.output
    assert "Reader agreement" in text.output and "Methods:" in text.output and "Adjudication:" in text.output
    out = runner.invoke(app, ["agreement", str(demo_cohort_path()), "--json", "--bootstrap", "100"])
    data = json.loads(out.stdout)
    assert data["ok"] and data["n_studies"] == 123 and data["n_boot"] == 100
    assert {d["name"] for d in data["decisions"]} == {"lesional", "pattern_2_category", "pattern", "onset_subpattern"}


def test_cli_without_double_reads_says_what_to_add():
    out = runner.invoke(app, ["agreement", str(EXAMPLE)])
    assert out.exit_code == 1 and "reader_1" in out.output
    data = json.loads(runner.invoke(app, ["agreement", str(EXAMPLE), "--json"]).stdout)
    assert data == {"ok": False, "source": str(EXAMPLE), "problems": [], "error": (
        "no MR study has both a reader_1 and a reader_2 read, so there is no reader agreement to compute; add the "
        "independent reads as rows with reader 'reader_1' and 'reader_2'")}  # the one failure shape of every command


def test_cli_bad_cohort_is_located(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(EXAMPLE, folder)
    path = folder / "studies.csv"
    lines = path.read_text().splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    lines[header + 1] = lines[header + 1].replace(",consensus,", ",reader_1,", 1)
    path.write_text("".join(lines))
    out = runner.invoke(app, ["agreement", str(folder), "--json"])
    data = json.loads(out.stdout)
    assert out.exit_code == 1 and not data["ok"]
    assert data["problems"][0]["column"] == "reader" and "no consensus read" in data["problems"][0]["message"]


def test_analyze_report_has_reader_agreement_only_with_double_reads(result, tmp_path):
    from neurohlh.analysis import analyze
    from neurohlh.io import load_cohort
    from neurohlh.reports import build_report

    demo = analyze(load_demo_cohort(), policy="paper")
    report = build_report(demo, agreement=result)
    assert report.table("reader_agreement").rows and report.table("discordant_reads").rows
    assert "Two readers (reader 1 and reader 2) each read 123 MR studies" in report.methods
    single = build_report(analyze(load_cohort(EXAMPLE), policy="paper"),
                          agreement=reader_agreement(load_cohort(EXAMPLE)))
    with pytest.raises(KeyError):
        single.table("reader_agreement")
    assert "Two readers" not in single.methods


def test_demo_command_writes_the_agreement_tables(tmp_path):
    out = runner.invoke(app, ["demo", "--out", str(tmp_path / "r"), "--json"])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "r" / "tables" / "reader_agreement.csv").exists()
    assert (tmp_path / "r" / "tables" / "discordant_reads.csv").exists()
    assert "Reader agreement" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_confusion_tables_of_the_decisions(result):
    from neurohlh.reports.tables_agreement import confusion_table

    d = next(x for x in result.decisions if x.name == "pattern")
    t = confusion_table(d)
    assert t.columns == ("1", "2", "Total")
    body = [[int(c.text) for c in r.cells[:-1]] for r in t.rows[:-1]]
    assert sum(map(sum, body)) == d.n == int(t.cell("Total", "Total").text)
    assert (body[0][0] + body[1][1]) / d.n == pytest.approx(d.percent_agreement)
    keys = [x.key for x in agreement_tables(result)]
    assert keys == ["reader_agreement", "confusion_lesional", "confusion_pattern_2_category", "confusion_pattern",
                    "confusion_onset_subpattern", "discordant_reads"]


def test_agreement_tables_are_numbered_in_the_one_sequence_of_every_format(result, demo_result, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from neurohlh.reports import build_report, write_report

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
    from report_readers import html_tables

    files = write_report(demo_result, tmp_path / "r", build_report(demo_result, agreement=result))
    keys = [t.key for t in build_report(demo_result, agreement=result).tables]
    # the agreement tables follow the analysis tables (Table 1 .. Table 11 on the demo); completeness stays last
    assert keys[11:] == ["reader_agreement", "confusion_lesional", "confusion_pattern_2_category",
                         "confusion_pattern", "confusion_onset_subpattern", "discordant_reads", "completeness"]
    captions = html_tables(files.html).captions  # the tables' captions, then the figures'
    html, figures = captions[:len(keys)], captions[len(keys):]
    assert figures and not [c for c in figures if c.startswith("Table ")]
    word = [p.text for p in Document(str(files.docx)).paragraphs if p.runs and p.runs[0].bold]
    book = load_workbook(files.xlsx, read_only=True)
    excel = [next(book[name].iter_rows(values_only=True))[0] for name in book.sheetnames]
    for captions in (html, word, excel):
        assert [c.split(":")[0] for c in captions] == [f"Table {i}" for i in range(1, len(keys) + 1)], captions
    assert html == word == excel
    assert html[11].startswith("Table 12: Reader agreement")
    assert html[16].startswith("Table 17: Discordant")
    assert html[17] == "Table 18: Completeness of the recorded fields"
