"""The committed data dictionary and JSON Schema are generated from the records, and templates are usable."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from conftest import EXAMPLE

from neurohlh import load_cohort
from neurohlh.dictionary import data_dictionary_markdown, json_schema, json_schema_text, write_template_csv, \
    write_template_xlsx
from neurohlh.io import validate
from neurohlh.schema import Patient, Study, Variant, field_specs

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGENERATE = "regenerate with: neurohlh schema --markdown > docs/data-dictionary.md; neurohlh schema > docs/schema.json"


def test_committed_data_dictionary_is_current():
    assert (DOCS / "data-dictionary.md").read_text(encoding="utf-8") == data_dictionary_markdown(), REGENERATE


def test_committed_json_schema_is_current():
    assert (DOCS / "schema.json").read_text(encoding="utf-8") == json_schema_text(), REGENERATE


def test_dictionary_states_units_and_paper_definitions():
    text = data_dictionary_markdown()
    # the paper's own thresholds appear next to the fields they define (Table 1, Lesion Definitions)
    assert "| `csf_wbc_per_ul` | number | cells/uL |" in text and "> 10 leucocytes/uL" in text
    assert "Diffuse >= 2 cm, focal < 2 cm" in text
    assert "| `reader` | one of: consensus, reader_1, reader_2, adjudicator |" in text


def test_json_schema_accepts_the_example_cohort_as_json():
    """Check the example cohort, turned into JSON, against the schema with a minimal draft-2020 checker."""
    schema = json_schema()
    cohort = load_cohort(EXAMPLE)
    for table, records in (("patients", cohort.patient_records()), ("studies", cohort.study_records()),
                           ("variants", cohort.variant_records())):
        item = schema["$defs"][schema["properties"][table]["items"]["$ref"].split("/")[-1]]
        for record in records:
            for name, rule in item["properties"].items():
                value = getattr(record, name)
                if value is None:
                    assert "null" in rule.get("type", []) or None in rule.get("enum", [None]), name
                elif "enum" in rule:
                    assert value in rule["enum"], (name, value)
                elif "items" in rule:
                    assert set(value) <= set(rule["items"]["enum"]), (name, value)
            assert set(item["required"]) <= {n for n in item["properties"] if getattr(record, n) is not None}


def test_csv_template_has_every_column_and_reports_no_patients(tmp_path):
    folder = write_template_csv(tmp_path / "tpl")
    header = (folder / "studies.csv").read_text().strip().split(",")
    assert header == list(field_specs(Study))
    report = validate(folder)
    assert [p.message for p in report.problems] == ["has no patient rows"]


def test_xlsx_template_sheets_headers_and_dropdowns(tmp_path):
    path = write_template_xlsx(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["instructions", "patients", "studies", "variants"]
    for sheet, record in (("patients", Patient), ("studies", Study), ("variants", Variant)):
        header = [c.value for c in book[sheet][1]]
        assert header == list(field_specs(record))
    formulas = {dv.formula1 for dv in book["patients"].data_validations.dataValidation}
    assert '"yes,no"' in formulas and '"male,female"' in formulas


def test_filled_xlsx_template_loads(tmp_path):
    path = write_template_xlsx(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    cols = [c.value for c in book["patients"][1]]
    row = [None] * len(cols)
    row[cols.index("patient_id")] = "T01"
    row[cols.index("fever")] = True  # Excel TRUE reads as yes
    row[cols.index("age_at_onset_months")] = 36
    book["patients"].append(row)
    book.save(path)
    cohort = load_cohort(path)
    patient = cohort.patient_records()[0]
    assert (patient.patient_id, patient.fever, patient.age_at_onset_months) == ("T01", True, 36.0)


def test_schema_json_is_valid_json():
    assert json.loads(json_schema_text())["title"] == "neurohlh cohort"
