"""REDCap flat exports: the demo cohort round trip, label exports, and malformed exports located precisely."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neurohlh import InputError, load_cohort
from neurohlh.cli import app
from neurohlh.io import validate
from neurohlh.redcap.export import flat_rows, write_flat_export

DEMO = Path(__file__).resolve().parents[2] / "src" / "neurohlh" / "data" / "demo"
runner = CliRunner()


@pytest.fixture(scope="module")
def demo():
    return load_cohort(DEMO)


def _frames(cohort):
    return {t: getattr(cohort, t).drop(columns="_row").reset_index(drop=True)
            for t in ("patients", "studies", "variants")}


def _allocations(cohort):
    from neurohlh.patterns import classify_cohort

    return [(a.patient_id, a.pattern, a.onset_subpattern, tuple(a.evolution), tuple(str(s) for s in a.trace))
            for a in classify_cohort(cohort)]


def _tables(cohort):
    from neurohlh.analysis import analyze
    from neurohlh.reports.build import build_tables

    return build_tables(analyze(cohort))


@pytest.mark.parametrize("name,labels", [("raw.csv", False), ("raw.json", False), ("labels.csv", True)])
def test_demo_round_trip_gives_the_same_records_and_allocations(demo, tmp_path, name, labels):
    path = write_flat_export(demo, tmp_path / name, labels=labels)
    back = load_cohort(path)
    for table, frame in _frames(demo).items():
        pd.testing.assert_frame_equal(_frames(back)[table], frame, check_dtype=True, obj=table)
    assert _allocations(back) == _allocations(demo)


def test_demo_round_trip_gives_identical_tables(demo, tmp_path):
    back = load_cohort(write_flat_export(demo, tmp_path / "demo.csv"))
    assert _tables(back) == _tables(demo)
    assert set(back.patients["site"]) == {"A", "B"}  # the data access group is the site


def test_the_export_has_repeating_instruments_in_redcap_layout(demo):
    header, rows = flat_rows(demo)
    assert header[:4] == ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance",
                          "redcap_data_access_group"]
    assert "supra_wm_level___periventricular" in header and "supra_wm_level" not in header
    assert header.index("patient_complete") < header.index("study_id") < header.index("mr_read_complete") \
        < header.index("gene") < header.index("variant_complete")
    first = [(r[1], r[2]) for r in rows if r[0] == "SYN01"]
    n_reads = int((demo.studies["patient_id"] == "SYN01").sum())
    n_variants = int((demo.variants["patient_id"] == "SYN01").sum())
    assert first == [("", "")] + [("mr_read", str(i)) for i in range(1, n_reads + 1)] + \
        [("variant", str(i)) for i in range(1, n_variants + 1)]
    assert len(rows) == len(demo.patients) + len(demo.studies) + len(demo.variants)


def test_pandas_reads_the_export_as_redcap_would_give_it(demo, tmp_path):
    """Checkbox cells are 0/1, yes/no are 1/0, empty is unknown: the raw-data conventions."""
    frame = pd.read_csv(write_flat_export(demo, tmp_path / "d.csv"), dtype=str, keep_default_na=False)
    reads = frame[frame["redcap_repeat_instrument"] == "mr_read"]
    assert set(reads["supra_wm_level___deep"]) <= {"0", "1"}
    assert set(frame.loc[frame["redcap_repeat_instrument"] == "", "fever"]) <= {"0", "1", ""}
    assert (frame.loc[frame["redcap_repeat_instrument"] == "", "sequences___t1"] == "").all()


# ---------------------------------------------------------------- malformed exports


def _write(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "export.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture
def export(demo):
    header, rows = flat_rows(demo)
    return header, [list(r) for r in rows]


def _row(rows, record, instrument="", instance=""):
    return next(i for i, r in enumerate(rows) if r[0] == record and r[1] == instrument and r[2] == instance)


def test_missing_record_id_column_loads_nothing(tmp_path, export):
    header, rows = export
    path = _write(tmp_path, header[1:], [r[1:] for r in rows])
    with pytest.raises(InputError) as info:
        load_cohort(path)
    problems = info.value.problems
    assert [(p.column, p.message.split(" is")[0]) for p in problems if p.column == "record_id"] == \
        [("record_id", "the record id column 'record_id'")]
    assert "nothing was loaded" in str(info.value)


def test_three_faults_are_located_in_one_pass(tmp_path, export):
    """An unknown checkbox code, an instance without instrument and a bad cell, all reported together."""
    header, rows = export
    header = [("supra_wm_level___cortical" if h == "supra_wm_level___deep" else h) for h in header]
    i = _row(rows, "SYN02", "mr_read", "1")
    rows[i][1] = ""  # instance 1 without its instrument
    j = _row(rows, "SYN05")
    rows[j][header.index("fever")] = "maybe"
    k = _row(rows, "SYN03", "mr_read", "2")
    rows[k][header.index("field_strength_t")] = "15"
    path = _write(tmp_path, header, rows)
    report = validate(path)
    assert not report.ok
    found = {(p.record, p.instrument, p.instance, p.row, p.column, p.message) for p in report.problems}
    assert (None, None, None, None, "supra_wm_level___cortical",
            "unknown checkbox code 'cortical' of 'supra_wm_level'") in found
    assert ("SYN02", None, None, i + 2, "redcap_repeat_instance",
            "repeat instance without a repeat instrument (a repeating event, which this project does not use)") \
        in found
    assert ("SYN05", "patient", None, j + 2, "fever", "is not yes/no") in found
    assert ("SYN03", "mr_read", 2, k + 2, "field_strength_t", "is above the possible maximum 7 T") in found
    # the deep white-matter column is gone: that is said too, and nothing loads
    assert any(p.column == "supra_wm_level" and "supra_wm_level___deep" in p.message for p in report.problems)
    with pytest.raises(InputError):
        load_cohort(path)


def test_problem_text_names_record_instrument_and_instance(tmp_path, export):
    header, rows = export
    k = _row(rows, "SYN03", "mr_read", "2")
    rows[k][header.index("age_at_study_months")] = "-1"
    report = validate(_write(tmp_path, header, rows))
    (p,) = report.problems
    assert str(p).startswith(f"export.csv, record 'SYN03', instrument mr_read #2, row {k + 2}, "
                             "column 'age_at_study_months': is below the possible minimum 0")
    assert p.to_dict()["instance"] == 2


def test_renamed_variable_is_located_by_its_redcap_name(tmp_path, export):
    header, rows = export
    j = _row(rows, "SYN01")
    rows[j][header.index("age_at_cns_months")] = "999"
    (p,) = validate(_write(tmp_path, header, rows)).problems
    assert (p.column, p.record, p.instrument) == ("age_at_cns_months", "SYN01", "patient")


def test_reads_without_a_patient_row_and_values_on_the_wrong_row(tmp_path, export):
    header, rows = export
    base = _row(rows, "SYN04")
    rows[_row(rows, "SYN06")][header.index("gene")] = "PRF1"  # a variant value on the patient row
    del rows[base]
    report = validate(_write(tmp_path, header, rows))
    messages = {(p.record, p.instrument, p.column, p.message) for p in report.problems}
    assert ("SYN06", "patient", "gene", "a value of the variant instrument on a patient row (it would be lost)") \
        in messages
    assert any(p.record == "SYN04" and p.instrument == "mr_read" and p.column == "record_id"
               and "does not exist in patients" in p.message for p in report.problems)


def test_duplicate_instance_and_unknown_instrument(tmp_path, export):
    header, rows = export
    i = _row(rows, "SYN03", "mr_read", "1")
    rows.append(list(rows[i]))
    rows[_row(rows, "SYN03", "mr_read", "2")][1] = "mri_read"
    report = validate(_write(tmp_path, header, rows))
    found = {(p.record, p.column, p.message, p.suggestion) for p in report.problems}
    assert ("SYN03", "redcap_repeat_instrument", "not a repeating instrument of this project",
            "did you mean 'mr_read'?") in found
    assert any(p.message.startswith("this record, instrument and instance already appear on row") and
               p.row == len(rows) + 1 for p in report.problems)


def test_json_export_problems_are_located_too(tmp_path, demo):
    path = write_flat_export(demo, tmp_path / "e.json")
    records = json.loads(path.read_text())
    records[0]["sex"] = "mal"
    path.write_text(json.dumps(records))
    (p,) = validate(path).problems
    assert (p.record, p.instrument, p.column, p.value, p.suggestion) == (
        records[0]["record_id"], "patient", "sex", "mal",
        "did you mean 'male'?; allowed: male, female (or empty for unknown)")


def test_label_export_with_an_unknown_label(tmp_path, demo):
    path = write_flat_export(demo, tmp_path / "l.csv", labels=True)
    text = path.read_text().replace("Consensus (used for analysis)", "Consensus read", 1)
    path.write_text(text)
    problems = validate(path).problems
    assert len(problems) >= 1 and all(p.column == "reader" and p.value == "Consensus read" for p in problems[:1])


def test_no_data_access_group_means_unknown_site_said_in_a_note(tmp_path, export):
    header, rows = export
    d = header.index("redcap_data_access_group")
    path = _write(tmp_path, header[:d] + header[d + 1:], [r[:d] + r[d + 1:] for r in rows])
    cohort = load_cohort(path)
    assert cohort.patients["site"].isna().all()
    assert any("no data access group column" in n for n in cohort.notes)


# ---------------------------------------------------------------- command line


def test_import_command_writes_the_cohort_folder(tmp_path, demo):
    path = write_flat_export(demo, tmp_path / "demo.csv")
    result = runner.invoke(app, ["redcap", "import", str(path), "--out", str(tmp_path / "cohort")])
    assert result.exit_code == 0, result.output
    again = load_cohort(tmp_path / "cohort")
    for table, frame in _frames(demo).items():
        pd.testing.assert_frame_equal(_frames(again)[table], frame, obj=table)


def test_import_command_lists_located_problems_and_writes_nothing(tmp_path, export):
    header, rows = export
    rows[_row(rows, "SYN05")][header.index("fever")] = "[bold]maybe"
    path = _write(tmp_path, header, rows)
    result = runner.invoke(app, ["redcap", "import", str(path), "--out", str(tmp_path / "cohort"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["problems"] == [{
        "file": "export.csv", "row": _row(rows, "SYN05") + 2, "column": "fever", "value": "[bold]maybe",
        "message": "is not yes/no", "suggestion": "write yes or no (or leave empty for unknown)",
        "record": "SYN05", "instrument": "patient", "instance": None}]
    assert not (tmp_path / "cohort").exists()
    # user text shown as written, not as markup (wide enough that no table cell wraps, as in tests/cli)
    shown = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["redcap", "import", str(path)])
    assert shown.exit_code == 1 and "'[bold]maybe'" in shown.output


def test_import_command_groups_a_repeated_problem_by_record_and_instrument(tmp_path, export):
    header, rows = export
    for record in ("SYN05", "SYN06", "SYN07"):
        rows[_row(rows, record)][header.index("sex")] = "[m]"
    path = _write(tmp_path, header, rows)
    wide = CliRunner(env={"COLUMNS": "250"})
    shown = wide.invoke(app, ["redcap", "import", str(path)])
    assert shown.exit_code == 1
    lines = [line for line in shown.output.splitlines() if "'[m]'" in line]
    assert len(lines) == 1, shown.output  # one row for the three cells, located by record and instrument
    assert "SYN05, SYN06, SYN07" in lines[0] and "patient" in lines[0] and "3 cells:" in lines[0]
    assert "record" in shown.output and "instrument" in shown.output and "variable" in shown.output
    validated = wide.invoke(app, ["validate", str(path)])  # the same table from the generic command
    assert [line for line in validated.output.splitlines() if "'[m]'" in line] == lines


def test_import_command_failures_have_the_one_json_shape(tmp_path):
    result = runner.invoke(app, ["redcap", "import", str(tmp_path / "export.txt"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "ok": False, "source": str(tmp_path / "export.txt"), "problems": [],
        "error": f"{tmp_path / 'export.txt'}: give a REDCap flat export file ending in .csv or .json"}


def test_analyze_reads_an_export_directly(tmp_path, demo):
    path = write_flat_export(demo, tmp_path / "demo.csv")
    result = runner.invoke(app, ["classify", str(path)])
    assert result.exit_code == 0, result.output


def test_derived_consensus_reads_are_not_exported_and_are_derived_again(tmp_path, demo):
    """A study read by reader_1 and reader_2 only: the loader derives its consensus; the export carries the two
    reads, and reading the export derives the same consensus again."""
    from neurohlh.io import write_cohort_csv

    studies = demo.studies.drop(columns="_row")
    sid = studies["study_id"].iloc[0]
    first = studies[(studies["study_id"] == sid) & (studies["reader"] == "consensus")].copy()
    reads = pd.concat([first.assign(reader="reader_1"), first.assign(reader="reader_2")])
    studies = pd.concat([studies[studies["study_id"] != sid], reads], ignore_index=True)
    write_cohort_csv({"patients": demo.patients, "studies": studies, "variants": demo.variants}, tmp_path / "c")
    cohort = load_cohort(tmp_path / "c")
    assert (cohort.studies["study_id"] == sid).sum() == 3  # reader_1, reader_2 and the derived consensus
    header, rows = flat_rows(cohort)
    exported = [r for r in rows if r[1] == "mr_read" and r[header.index("study_id")] == sid]
    assert sorted(r[header.index("reader")] for r in exported) == ["reader_1", "reader_2"]
    back = load_cohort(write_flat_export(cohort, tmp_path / "e.csv"))
    mine = back.studies[back.studies["study_id"] == sid].drop(columns="_row").sort_values("reader")
    theirs = cohort.studies[cohort.studies["study_id"] == sid].drop(columns="_row").sort_values("reader")
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))
