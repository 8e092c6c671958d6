"""The generated REDCap data dictionary against REDCap's documented rules.

The rules are written out here from REDCap's documentation, not taken from the code under test:

* the 18 columns, in this order, with these headers (the data dictionary template REDCap offers for download;
  the API's metadata export names the same columns in snake_case);
* the first variable of the first instrument is the record identifier;
* variable and instrument names: lowercase letters, digits and underscores, starting with a letter
  (``^[a-z][a-z0-9_]*$``), unique in the project, at most 26 characters; the rows of one instrument are
  contiguous;
* field types: text, notes, dropdown, radio, checkbox, yesno, truefalse, calc, file, slider, descriptive, sql;
  dropdown, radio and checkbox need choices written ``code, label | code, label``; yesno and truefalse take none;
  choice codes are letters, digits and underscores;
* validation types (text fields only) from REDCap's list; min and max only for number, integer and date types;
* Identifier? and Required Field? are blank or ``y``; Custom Alignment is blank or one of LV, LH, RV, RH;
* branching logic names fields in square brackets, quotes values, joins conditions with and / or; a checkbox
  is referenced as ``[field(code)]``.
"""
from __future__ import annotations

import csv
import re

import pytest
from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.redcap.dictionary import dictionary_rows, redcap_fields
from neurohlh.schema import RECORD_TYPES, field_specs

HEADERS = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
]
FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc", "file", "slider",
               "descriptive", "sql"}
VALIDATION_TYPES = {
    "date_ymd", "date_mdy", "date_dmy", "datetime_ymd", "datetime_mdy", "datetime_dmy", "datetime_seconds_ymd",
    "datetime_seconds_mdy", "datetime_seconds_dmy", "time", "time_mm_ss", "integer", "number", "number_1dp",
    "number_2dp", "number_3dp", "number_4dp", "number_comma_decimal", "number_1dp_comma_decimal",
    "number_2dp_comma_decimal", "number_3dp_comma_decimal", "number_4dp_comma_decimal", "email", "phone", "zipcode",
    "alpha_only",
}
RANGE_TYPES = {"integer", "number", "number_1dp", "number_2dp", "number_3dp", "number_4dp", "date_ymd", "date_mdy",
               "date_dmy", "datetime_ymd", "datetime_mdy", "datetime_dmy"}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CODE = re.compile(r"^[a-z0-9_]+$")
CONDITION = re.compile(r"^\[(?P<field>[a-z][a-z0-9_]*)(\((?P<code>[a-z0-9_]+)\))?\] *(=|<>|<=|>=|<|>) *'[^']*'$")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[bytes, list[dict[str, str]]]:
    """The dictionary as the command writes it, read back with the csv module."""
    out = tmp_path_factory.mktemp("dd") / "neurohlh_data_dictionary.csv"
    result = CliRunner().invoke(app, ["redcap", "dictionary", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == HEADERS
    assert all(len(r) == 18 for r in rows)
    return data, [dict(zip(HEADERS, r)) for r in rows[1:]]


def test_written_as_utf8_with_bom_and_the_quoted_choices_header(written):
    data, _ = written
    assert data.startswith(b"\xef\xbb\xbf")
    assert b'"Choices, Calculations, OR Slider Labels"' in data.splitlines()[0]


def test_record_id_first(written):
    first = written[1][0]
    assert (first["Variable / Field Name"], first["Form Name"], first["Field Type"]) == ("record_id", "patient", "text")


def test_names_follow_redcap_rules(written):
    names = [r["Variable / Field Name"] for r in written[1]]
    assert len(names) == len(set(names)), "variable names must be unique in the project"
    for name in names:
        assert NAME.match(name) and len(name) <= 26, name
    forms = [r["Form Name"] for r in written[1]]
    assert [f for i, f in enumerate(forms) if i == 0 or f != forms[i - 1]] == ["patient", "mr_read", "variant"]
    assert all(NAME.match(f) for f in forms)


def test_field_types_and_choices(written):
    for r in written[1]:
        ftype, choices = r["Field Type"], r["Choices, Calculations, OR Slider Labels"]
        assert ftype in FIELD_TYPES, r
        if ftype in ("dropdown", "radio", "checkbox"):
            pairs = [p.split(",", 1) for p in choices.split(" | ")]
            assert all(len(p) == 2 and CODE.match(p[0]) and p[1].startswith(" ") and p[1].strip() for p in pairs), r
            codes = [p[0] for p in pairs]
            labels = [p[1].strip() for p in pairs]
            assert len(codes) == len(set(codes)) and len(labels) == len(set(labels)), r
        else:
            assert choices == "", r


def test_validation_types_and_ranges(written):
    for r in written[1]:
        vtype, lo, hi = (r["Text Validation Type OR Show Slider Number"], r["Text Validation Min"],
                         r["Text Validation Max"])
        if vtype:
            assert r["Field Type"] == "text" and vtype in VALIDATION_TYPES, r
        if lo or hi:
            assert vtype in RANGE_TYPES, r
        if lo and hi and vtype in ("integer", "number"):
            assert float(lo) <= float(hi), r
        assert r["Identifier?"] in ("", "y") and r["Required Field?"] in ("", "y"), r
        assert r["Custom Alignment"] in ("", "LV", "LH", "RV", "RH"), r
        assert r["Matrix Group Name"] == "" and r["Matrix Ranking?"] == "", r


def test_branching_logic_names_earlier_fields_of_its_instrument(written):
    seen: dict[str, tuple[str, str, set[str]]] = {}
    checked = 0
    for r in written[1]:
        logic = r["Branching Logic (Show field only if...)"]
        if logic:
            for condition in re.split(r" (?:and|or) ", logic):
                m = CONDITION.match(condition.strip())
                assert m, (r["Variable / Field Name"], condition)
                form, ftype, codes = seen[m["field"]]
                assert form == r["Form Name"], condition
                assert (m["code"] is not None) == (ftype == "checkbox"), condition
                if m["code"] is not None:
                    assert m["code"] in codes
            checked += 1
        choices = r["Choices, Calculations, OR Slider Labels"]
        codes = {p.split(",", 1)[0] for p in choices.split(" | ")} if choices else set()
        seen[r["Variable / Field Name"]] = (r["Form Name"], r["Field Type"], codes)
    assert checked >= 20


def test_every_schema_column_is_one_variable():
    """The dictionary is generated from the schema: each column once, except the record id (the patient id of
    every instrument) and the site (the record's data access group)."""
    carried = {(f.table, f.column) for f in redcap_fields()}
    for table, record_type in RECORD_TYPES.items():
        for column in field_specs(record_type):
            if column == "patient_id" or (table, column) == ("patients", "site"):
                continue
            assert (table, column) in carried, (table, column)
    assert len(carried) == len(redcap_fields())


def test_items_carry_the_papers_definitions_and_units(written):
    rows = {r["Variable / Field Name"]: r for r in written[1]}
    assert "Pleocytosis: > 10 leucocytes/uL" in rows["csf_wbc_per_ul"]["Field Note"]
    assert "cells/uL" in rows["csf_wbc_per_ul"]["Field Label"]
    assert "Diffuse >= 2 cm, focal < 2 cm" in rows["supra_lesion_type"]["Field Note"]
    assert rows["csf_wbc_per_ul"]["Text Validation Type OR Show Slider Number"] == "number"
    assert (rows["csf_wbc_per_ul"]["Text Validation Min"], rows["csf_wbc_per_ul"]["Text Validation Max"]) == \
        ("0", "100000")
    assert rows["birth_date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    assert rows["birth_date"]["Identifier?"] == "y"
    assert rows["reader"]["Required Field?"] == "y"
    assert rows["supra_wm_level"]["Field Type"] == "checkbox"
    assert rows["supra_wm_level"]["Branching Logic (Show field only if...)"] == "[supra_lesion_number] <> 'none'"
    assert rows["fever"]["Field Type"] == "yesno"


def test_field_labels_are_unique_so_label_headed_exports_can_be_read(written):
    labels = [r["Field Label"] for r in written[1]]
    assert len(labels) == len(set(labels))


def test_dictionary_rows_match_the_written_file(written):
    assert [dict(zip(HEADERS, r)) for r in dictionary_rows()[1:]] == written[1]
