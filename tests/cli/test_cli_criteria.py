"""CLI: ``neurohlh variant`` and ``neurohlh criteria`` on a small synthetic cohort."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from neurohlh.cli import app
from neurohlh.io import write_cohort_csv

runner = CliRunner()


@pytest.fixture()
def cohort(tmp_path):
    patients = pd.DataFrame([
        dict(patient_id="SYN-01", fever=True, splenomegaly=True, hemoglobin_g_l=80.0, platelets_10e9_l=40.0,
             ferritin_ug_l=600.0, hemophagocytosis=True, csf_done=True, csf_wbc_per_ul=25.0,
             csf_protein_mg_dl=60.0, seizures=True, genetic_result="pathogenic", protein_expression_pct=0.0),
        dict(patient_id="SYN-02", csf_done=True, csf_wbc_per_ul=2.0, csf_protein_mg_dl=20.0, seizures=True,
             genetic_result="pathogenic", protein_expression_pct=38.0),
        dict(patient_id="SYN-03", csf_done=False, encephalopathy=True, genetic_result="negative"),
    ])
    studies = pd.DataFrame([dict(study_id="M1", patient_id="SYN-01", reader="consensus", supra_lesion_number="few")])
    variants = pd.DataFrame([
        dict(patient_id="SYN-01", gene="PRF1", hgvs="c.50delT (p.L17fs)", zygosity="heterozygous"),
        dict(patient_id="SYN-01", gene="PRF1", hgvs="c.527G>A (p.C176Y)", zygosity="heterozygous"),
        dict(patient_id="SYN-02", gene="PRF1", hgvs="c.272C>T (p.A91V)", zygosity="homozygous"),
    ])
    folder = tmp_path / "cohort"
    write_cohort_csv({"patients": patients, "studies": studies, "variants": variants}, folder, "synthetic")
    return folder


def test_variant_command_json():
    result = runner.invoke(app, ["variant", "PRF1 c.50del(p.Leu17Argfs*34)", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["key"], data["consequence"], data["disruptive"]) == ("PRF1:c.50del", "frameshift_variant", True)


def test_variant_command_reports_bad_text_and_exits_1():
    result = runner.invoke(app, ["variant", "c.50dlT"])
    assert result.exit_code == 1 and "Cannot read variant 'c.50dlT'" in result.output


def test_variant_command_policy_option():
    result = runner.invoke(app, ["variant", "c.754-1G>C", "--policy", "lof", "--json"])
    assert json.loads(result.output)["disruptive"] is True


def test_criteria_command_json(cohort):
    result = runner.invoke(app, ["criteria", str(cohort), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_id = {r["patient_id"]: r for r in data["patients"]}
    assert by_id["SYN-01"]["hlh2004"]["status"] == "met" and by_id["SYN-01"]["hlh2004"]["n_met"] == 5
    assert by_id["SYN-01"]["genotype"]["group"] == "pooled"
    assert by_id["SYN-02"]["genotype"]["group"] == "residual_expression_missense"
    assert by_id["SYN-03"]["genotype"]["group"] == "not_classifiable"
    assert data["summary"]["cns"]["n_involved"] == 3 and data["rule"] == "comprehensive"
    assert data["summary"]["patients_with_variant_data"] == 2
    assert data["summary"]["genotype_groups"] == {"pooled": 1, "residual_expression_missense": 1}
    assert data["consequences_per_gene"]["counts"]["PRF1"] == {"frameshift_variant": 1, "missense_variant": 2}


def test_criteria_command_csf_rule_names_who_fails(cohort):
    result = runner.invoke(app, ["criteria", str(cohort), "--rule", "csf"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Rule applied: CSF rule" in text
    assert "1/3 patients meet it; fail: SYN-02; undetermined (missing data): SYN-03" in text


def test_criteria_command_rejects_unknown_rule(cohort):
    result = runner.invoke(app, ["criteria", str(cohort), "--rule", "strict"])
    assert result.exit_code == 2 and "'strict' is not one of 'comprehensive', 'csf'" in result.output


def test_criteria_command_lists_every_unreadable_variant(cohort):
    frame = pd.read_csv(cohort / "variants.csv", comment="#")
    frame.loc[0, "hgvs"] = "c.50dlT"
    frame.loc[1, "hgvs"] = "nonsense"
    frame.to_csv(cohort / "variants.csv", index=False)
    result = runner.invoke(app, ["criteria", str(cohort), "--json"])
    assert result.exit_code == 1
    # pandas wrote the file without comment lines: header on line 1, the two edited variants on lines 2 and 3
    assert [(p["file"], p["row"], p["value"]) for p in json.loads(result.output)["problems"]] == [
        ("variants.csv", 2, "c.50dlT"), ("variants.csv", 3, "nonsense")]
