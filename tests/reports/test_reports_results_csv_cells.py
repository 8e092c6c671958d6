"""results/*.csv of a small cohort with unknown values and hostile text, cell by cell against values written out by
hand: blank = unknown, ``true``/``false``, lists as JSON, a text a spreadsheet program would run as a formula with a
leading apostrophe (a number such as ``+1`` is left alone), commas, quotes and line breaks quoted as the csv module
quotes them, and the columns of a record (CLIPPERS check, red flag) in the order the rows first have them.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from neurohlh.analysis import analyze
from neurohlh.io import Cohort
from neurohlh.patterns.clippers import NOT_FROM_MRI, SOURCE
from neurohlh.patterns.red_flag import RECOMMENDATION
from neurohlh.patterns.trace import SEC_CLIPPERS, SEC_CONCLUSIONS
from neurohlh.reports.results_tables import write_result_tables
from neurohlh.schema import Patient, Study, Variant, field_specs

A, B, C, D, E = '=HYPERLINK("x","y")', "new\nline, too", "+1", "@P4", "'=x"
CLEAN = {"supra_lesion_number": "none", "infra_lesion_number": "none",
         **{f: False for f in ("loc_cerebral_wm", "loc_cerebellar_wm", "loc_deep_grey", "loc_midbrain", "loc_pons",
                               "loc_medulla", "cerebellar_diffuse_edema", "cerebellar_folia_effacement",
                               "cp_cistern_effacement", "atrophy_cerebral", "atrophy_cerebellar",
                               "ctt_t2_hyperintensity", "nonspecific_findings", "loc_cranial_nerves", "loc_optic_nerve",
                               "loc_cord", "loc_cauda_equina")}}
PATIENTS = {
    A: Patient(patient_id=A, etiologic_workup="negative", fever=True, csf_done=True, csf_wbc_per_ul=12.5),
    B: Patient(patient_id=B),
    C: Patient(patient_id=C, etiologic_workup="pending", fever=False, csf_done=False),
    D: Patient(patient_id=D),
    E: Patient(patient_id=E),
}
STUDIES = {
    # brainstem-predominant (1.2): pons only, 5 enhancing pontine lesions, the pons dominant; CLIPPERS: nodular,
    # no mass effect, 2.5 mm (< 3 mm), T2-T1 mismatch unknown, symmetric
    A: Study(study_id='S"1"', patient_id=A, reader="consensus", age_at_study_months=30.0,
             **{**CLEAN, "infra_lesion_number": "multiple", "loc_pons": True, "pontine_enhancing_lesion_count": 5,
                "pons_dominant_site": True, "infra_enhancement_pattern": frozenset({"nodular"}),
                "mass_effect": False, "largest_enhancing_nodule_mm": 2.5, "pons_symmetric_at_mcp": True}),
    # supratentorial lesion number unknown, infratentorial none: lesion status unknown (could only be 1.1)
    B: Study(study_id="-S2,b", patient_id=B, reader="consensus", study_date=dt.date(2020, 1, 31),
             **{**CLEAN, "supra_lesion_number": None}),
}
VARIANTS = {C: Variant(patient_id=C, gene="PRF1", hgvs="c.50del (p.Leu17Argfs*34)", zygosity="homozygous")}

PATIENT_COLUMNS = ["patient_id", "pattern", "onset_subpattern", "last_subpattern", "evolution", "transitions",
                   "ever_subpatterns", "order_basis", "onset_study_id", "missing_fields", "notes"]
CLIPPERS_COLUMNS = ["clippers.study_id", "clippers.all_radiologic_met", "clippers.summary",
                    "clippers.items.homogeneous_nodules", "clippers.items.nodules_under_3mm",
                    "clippers.items.t2_not_exceeding_enhancement", "clippers.items.pontocerebellar_predominance",
                    "clippers.items.symmetric_pontine_involvement", "clippers.note", "clippers.source",
                    "clippers.section"]
FLAG_COLUMNS = ["red_flag.status", "red_flag.raised", "red_flag.trigger_subpatterns", "red_flag.etiologic_workup",
                "red_flag.reason", "red_flag.recommendation", "red_flag.section"]
STUDY_COLUMNS = ["study_id", "patient_id", "study_date", "age_at_study_months", "category", "lesional", "subpattern",
                 "missing_fields", "needs_reader_decision"]

A_ID = "'=HYPERLINK(\"x\",\"y\")"
# 3 of the 4 required items met, the T2 item not evaluable: not met by none, so "not evaluable" (blank), not False
A_CLIPPERS = ['S"1"', "", "not evaluable (missing values) (3/4 required items met)", "met", "met", "not_evaluable",
              "met", "met", NOT_FROM_MRI, SOURCE, SEC_CLIPPERS]
NO_STUDY_FLAG = ("no MR study: a brainstem or cerebellitis pattern cannot be excluded (as for an unreadable study), "
                 "so the red flag is not evaluable")
NO_STUDY = ["indeterminate", "", "", "[]", "[]", "[]", "no study", "", "[]",
            '["no consensus MR study for this patient"]']


def _frame(records: list, record_type: type) -> pd.DataFrame:
    names = list(field_specs(record_type))
    return pd.DataFrame([dataclasses.astuple(r) for r in records], columns=names, dtype=object) if records else \
        pd.DataFrame(columns=names)


def _write(tmp_path: Path, ids: list[str]) -> Path:
    cohort = Cohort(Path("in-memory"), _frame([PATIENTS[i] for i in ids], Patient),
                    _frame([STUDIES[i] for i in ids if i in STUDIES], Study),
                    _frame([VARIANTS[i] for i in ids if i in VARIANTS], Variant))
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_result_tables(analyze(cohort, "paper"), tmp_path)
    return tmp_path / "results"


def _read(folder: Path, name: str) -> tuple[str, list[list[str]]]:
    text = (folder / f"{name}.csv").read_text(encoding="utf-8")
    return text, list(csv.reader(io.StringIO(text, newline="")))


def test_every_cell_of_a_hostile_cohort(tmp_path: Path):
    folder = _write(tmp_path, [A, B, C, D, E])

    text, rows = _read(folder, "allocations")
    assert rows[0] == PATIENT_COLUMNS + CLIPPERS_COLUMNS + FLAG_COLUMNS  # the first patient has both records
    assert rows[1:] == [
        [A_ID, "1", "1.2", "1.2", '["1.2"]', "[]", '["1.2"]', "single study", 'S"1"', "[]", "[]", *A_CLIPPERS,
         "raised", "true", '["1.2"]', "negative", "brainstem-predominant (1.2) pattern with a negative etiologic "
         "work-up", RECOMMENDATION, SEC_CONCLUSIONS],
        # the unknown lesion status names the study's field; inside a JSON list an id is not escaped again
        [B, "indeterminate", "", "", "[]", "[]", "[]", "single study", "", '["-S2,b.supra_lesion_number"]', "[]",
         *[""] * 18],
        ["+1", *NO_STUDY, *[""] * 11, "not_evaluable", "false", "[]", "pending", NO_STUDY_FLAG, "",
         SEC_CONCLUSIONS],
        ["'@P4", *NO_STUDY, *[""] * 11, "not_evaluable", "false", "[]", "", NO_STUDY_FLAG, "", SEC_CONCLUSIONS],
        ["''=x", *NO_STUDY, *[""] * 11, "not_evaluable", "false", "[]", "", NO_STUDY_FLAG, "", SEC_CONCLUSIONS],
    ]
    # quotes doubled, the cell in quotes; a line break inside a quoted cell; a number is not a formula
    assert text.splitlines()[1].startswith('"\'=HYPERLINK(""x"",""y"")",1,1.2,1.2,"[""1.2""]",[],"[""1.2""]",'
                                           'single study,"S""1""",[],[],"S""1""",,not evaluable')
    assert '\n"new\nline, too",indeterminate,,,[],[],[],single study,,"[""-S2,b.supra_lesion_number""]",[]' + \
        "," * 18 + "\n+1,indeterminate," in text

    text, rows = _read(folder, "study_allocations")
    assert rows == [
        STUDY_COLUMNS + CLIPPERS_COLUMNS,
        ['S"1"', A_ID, "", "30.0", "lesional", "true", "1.2", "[]", "false", *A_CLIPPERS],
        ["'-S2,b", B, "2020-01-31", "", "indeterminate", "", "", '["supra_lesion_number"]', "false", *[""] * 11],
    ]
    assert '\n"\'-S2,b","new\nline, too",2020-01-31,,indeterminate,,,"[""supra_lesion_number""]",false' + \
        "," * 11 + "\n" in text

    _, rows = _read(folder, "hlh2004")
    assert rows[0] == ["patient_id", "status", "clinical_status", "n_met", "n_not_evaluable", "n_required",
                       "molecular", "item_fever", "item_splenomegaly", "item_cytopenias",
                       "item_triglycerides_fibrinogen", "item_hemophagocytosis", "item_nk_activity", "item_ferritin",
                       "item_scd25", "reason", "criteria_version"]
    unknown = ["not_evaluable"] * 7
    open_path = "molecular path open (genetic result is unknown)"
    assert rows[1:] == [
        [A_ID, "could_be_met", "could_be_met", "1", "7", "5", "not_evaluable", "met", *unknown,
         f"1/8 criteria met, 7 not evaluable (>= 5 needed); 4 more of the 7 unknown item(s) would suffice; {open_path}",
         "HLH-2004 (Henter 2007)"],
        *([pid, "could_be_met", "could_be_met", "0", "8", "5", "not_evaluable", "not_evaluable", *unknown,
           f"0/8 criteria met, 8 not evaluable (>= 5 needed); 5 more of the 8 unknown item(s) would suffice; "
           f"{open_path}", "HLH-2004 (Henter 2007)"] for pid in (B,)),
        ["+1", "could_be_met", "could_be_met", "0", "7", "5", "not_evaluable", "not_met", *unknown,
         f"0/8 criteria met, 7 not evaluable (>= 5 needed); 5 more of the 7 unknown item(s) would suffice; {open_path}",
         "HLH-2004 (Henter 2007)"],
        *([pid, "could_be_met", "could_be_met", "0", "8", "5", "not_evaluable", "not_evaluable", *unknown,
           f"0/8 criteria met, 8 not evaluable (>= 5 needed); 5 more of the 8 unknown item(s) would suffice; "
           f"{open_path}", "HLH-2004 (Henter 2007)"] for pid in ("'@P4", "''=x")),
    ]

    _, rows = _read(folder, "cns_involvement")
    rule = "comprehensive rule (paper Discussion; Koh 2015): abnormal CSF or neurologic symptoms or imaging findings"
    no_csf = "CSF leucocytes unknown (> 10 = pleocytosis), protein unknown (> 45 = proteinosis)"

    def reasons(*items: str) -> str:
        return "[" + ",".join(f'"{i}"' for i in items) + "]"

    assert rows == [
        ["patient_id", "involved", "rule", "rule_text", "reasons", "csf_pleocytosis", "csf_proteinosis",
         "csf_abnormal", "neurologic_symptoms", "imaging_findings"],
        [A_ID, "true", "comprehensive", rule,
         reasons("CSF leucocytes 12.5/uL (> 10 = pleocytosis), protein unknown (> 45 = proteinosis)",
                 "abnormal CSF: yes", "neurologic symptoms: unknown", "imaging findings (1 consensus studies): yes"),
         "true", "", "true", "", "true"],
        [B, "", "comprehensive", rule, reasons(no_csf, "abnormal CSF: unknown", "neurologic symptoms: unknown",
                                               "imaging findings (1 consensus studies): unknown"), "", "", "", "", ""],
        ["+1", "", "comprehensive", rule, reasons("CSF not analysed", "abnormal CSF: unknown",
                                                  "neurologic symptoms: unknown",
                                                  "imaging findings (0 consensus studies): unknown"), "", "", "", "", ""],
        *([pid, "", "comprehensive", rule, reasons(no_csf, "abnormal CSF: unknown", "neurologic symptoms: unknown",
                                                   "imaging findings (0 consensus studies): unknown"), "", "", "", "", ""]
          for pid in ("'@P4", "''=x")),
    ]

    _, rows = _read(folder, "genotypes")
    allele = {"zygosity": "homozygous", "text": "c.50del (p.Leu17Argfs*34)", "gene": "PRF1", "transcript": None,
              "c_dot": "c.50del", "p_dot": "p.Leu17Argfs*34", "consequence": "frameshift_variant",
              "so_id": "SO:0001589", "disruptive": True, "key": "PRF1:c.50del", "conflicts": [], "notes": [],
              "policy": "paper", "zygosity_in_text": None}
    assert rows == [
        ["patient_id", "genes", "fhl_type", "zygosity", "alleles", "expression.verdict", "expression.pct",
         "expression.assay", "expression.lab_verdict", "expression.explanation", "purely_disruptive", "pooled_group",
         "group", "reason", "notes", "policy", "expression_rule"],
        # homozygous: two identified alleles
        ["+1", '["PRF1"]', "FHL2", "homozygous", json.dumps([allele, allele], separators=(",", ":")), "", "", "",
         "", "protein expression not available", "true", "true", "purely_disruptive",
         "all identified alleles disruptive", "[]", "paper", "verdict, else 0% = absent, > 0% = residual"],
    ]


def test_record_columns_come_in_the_order_the_rows_first_have_them(tmp_path: Path):
    # the first patient has a red flag and no CLIPPERS check: the red flag's columns come first
    _, rows = _read(_write(tmp_path / "1", [C, A]), "allocations")
    assert rows[0] == PATIENT_COLUMNS + FLAG_COLUMNS + CLIPPERS_COLUMNS
    assert rows[1][11:] == ["not_evaluable", "false", "[]", "pending", NO_STUDY_FLAG, "", SEC_CONCLUSIONS,
                            *[""] * 11]
    assert rows[2][11:18] == ["raised", "true", '["1.2"]', "negative",
                              "brainstem-predominant (1.2) pattern with a negative etiologic work-up", RECOMMENDATION,
                              SEC_CONCLUSIONS]
    assert rows[2][18:] == A_CLIPPERS
    # no patient has a CLIPPERS check: one blank column "clippers" stands for it; no study at all: no study row
    folder = _write(tmp_path / "2", [D])
    _, rows = _read(folder, "allocations")
    assert rows == [PATIENT_COLUMNS + ["clippers"] + FLAG_COLUMNS,
                    ["'@P4", *NO_STUDY, "", "not_evaluable", "false", "[]", "", NO_STUDY_FLAG, "", SEC_CONCLUSIONS]]
    assert (folder / "study_allocations.csv").read_text(encoding="utf-8") == "study_id,patient_id\n"
    assert (folder / "genotypes.csv").read_text(encoding="utf-8") == "patient_id\n"
    # neither record: one blank column each
    _, rows = _read(_write(tmp_path / "3", [B]), "allocations")
    assert rows[0] == PATIENT_COLUMNS + ["clippers", "red_flag"] and rows[1][11:] == ["", ""]
    _, rows = _read(tmp_path / "3" / "results", "study_allocations")
    assert rows[0] == STUDY_COLUMNS + ["clippers"] and rows[1][-1] == ""


@given(st.lists(st.text(alphabet=st.sampled_from(list(',"\n\r\t \'=+-@a1é\x00')), max_size=6), min_size=2,
                max_size=4))
def test_a_row_is_written_as_the_csv_module_writes_it(cells):
    from neurohlh.reports.results_tables import _field

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    assert ",".join(map(_field, cells)) + "\n" == out.getvalue()
