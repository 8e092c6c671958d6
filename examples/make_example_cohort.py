"""Write the small hand-made example cohort in examples/example-cohort/ (synthetic, one patient per case type).

Each patient below is written out by hand to illustrate one pattern or subpattern of Malik et al. (AJNR 2021):
pattern 2 (normal, isolated atrophy, isolated central tegmental tract, nonspecific) and the onset subpatterns
1.1, 1.2 and 1.3 with their evolution. Run ``python examples/make_example_cohort.py`` to regenerate the CSVs.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from neurohlh.io import write_cohort_csv

HEADER = (
    "SYNTHETIC example cohort for neurohlh, written by hand in examples/make_example_cohort.py.\n"
    "Not patient records: every value is invented to illustrate the pattern system of Malik et al. AJNR 2021."
)

# Every field the pattern rules read, known to be absent: a study starts from this and adds its findings.
NO_FINDINGS = {
    "supra_lesion_number": "none", "infra_lesion_number": "none",
    "loc_cerebral_wm": False, "loc_cerebellar_wm": False, "loc_deep_grey": False, "loc_midbrain": False,
    "loc_pons": False, "loc_pons_dorsal": False, "loc_medulla": False, "loc_cranial_nerves": False,
    "loc_optic_nerve": False, "loc_cord": False, "loc_cauda_equina": False,
    "atrophy_cerebral": False, "atrophy_cerebellar": False, "ctt_t2_hyperintensity": False,
    "nonspecific_findings": False, "cerebellar_diffuse_edema": False, "cerebellar_folia_effacement": False,
    "cp_cistern_effacement": False, "tonsillar_descent": False, "fourth_ventricle_obstruction": False,
    "hydrocephalus": False, "ventriculomegaly": False, "swi_blooming": False,
    "pontine_enhancing_lesion_count": 0, "pons_dominant_site": False,
}

MULTIFOCAL_WM = {
    "supra_lesion_number": "multiple", "supra_lesion_type": frozenset({"focal"}),
    "supra_wm_level": frozenset({"subcortical", "periventricular"}), "supra_t2_signal": "hyperintense",
    "supra_enhancement": True, "supra_enhancement_pattern": frozenset({"nodular"}),
    "infra_lesion_number": "few", "infra_lesion_type": frozenset({"focal"}), "infra_t2_signal": "hyperintense",
    "infra_enhancement": True, "infra_enhancement_pattern": frozenset({"nodular"}),
    "loc_cerebral_wm": True, "loc_cerebellar_wm": True,
}

BRAINSTEM_PREDOMINANT = {
    "infra_lesion_number": "multiple", "infra_lesion_type": frozenset({"focal"}), "infra_t2_signal": "hyperintense",
    "infra_enhancement": True, "infra_enhancement_pattern": frozenset({"nodular", "perivascular"}),
    "loc_pons": True, "loc_pons_dorsal": True, "loc_midbrain": True, "pontine_enhancing_lesion_count": 8,
    "pons_dominant_site": True, "largest_enhancing_nodule_mm": 5.0, "t2_beyond_enhancement": True,
    "pons_symmetric_at_mcp": False, "mass_effect": False,
}

CEREBELLITIS = {
    "infra_lesion_number": "single", "infra_lesion_type": frozenset({"diffuse"}), "infra_t2_signal": "hyperintense",
    "infra_enhancement": False, "loc_cerebellar_wm": True, "cerebellar_diffuse_edema": True,
    "cerebellar_folia_effacement": True, "cp_cistern_effacement": True, "tonsillar_descent": True,
    "fourth_ventricle_obstruction": True, "hydrocephalus": True, "ventriculomegaly": True,
    "ventriculomegaly_obstructive": True,
}


def patient(pid: str, **values: object) -> dict[str, object]:
    base: dict[str, object] = {"patient_id": pid, "site": "EX", "csf_done": True}
    base.update(values)
    return base


def study(sid: str, pid: str, date: str, *findings: dict[str, object], **values: object) -> dict[str, object]:
    row: dict[str, object] = {"study_id": sid, "patient_id": pid, "reader": "consensus",
                              "study_date": dt.date.fromisoformat(date), "field_strength_t": 1.5,
                              "sequences": frozenset({"t1", "t2", "flair", "dwi", "t1_postcontrast"})}
    row.update(NO_FINDINGS)
    for block in findings:
        row.update(block)
    row.update(values)
    return row


PATIENTS = [
    patient("EX01", sex="female", birth_date=dt.date(2015, 3, 1), hlh_type="primary", age_at_onset_months=3,
            age_at_cns_presentation_months=4, fever=True, splenomegaly=True, hepatomegaly=True, seizures=False,
            irritability=True, csf_wbc_per_ul=14, csf_protein_mg_dl=60, genetic_result="pathogenic", mutated_genes="PRF1",
            protein_expression_assay="perforin", protein_expression_pct=0, protein_expression_verdict="absent",
            hlh_protocol="hlh_2004", hsct=True, died=False, deficit_free=True, follow_up_months=48,
            notes="pattern 2: normal MRI at onset and follow-up"),
    patient("EX02", sex="male", birth_date=dt.date(2016, 1, 10), hlh_type="primary", age_at_onset_months=8,
            age_at_cns_presentation_months=9, fever=True, splenomegaly=True, seizures=True,
            csf_wbc_per_ul=4, csf_protein_mg_dl=72, genetic_result="pathogenic", mutated_genes="UNC13D", hlh_protocol="hlh_94",
            died=False, deficit_free=False, deficit_months_after_diagnosis=12, follow_up_months=30,
            notes="pattern 2: isolated cerebral atrophy"),
    patient("EX03", sex="female", birth_date=dt.date(2017, 6, 5), hlh_type="secondary",
            secondary_etiology="infection", age_at_onset_months=14, age_at_cns_presentation_months=14,
            fever=True, encephalopathy=True, csf_wbc_per_ul=25, csf_protein_mg_dl=40, hlh_protocol="hlh_2004",
            died=False, deficit_free=True, follow_up_months=20,
            notes="pattern 2: isolated central tegmental tract T2 hyperintensity"),
    patient("EX04", sex="male", birth_date=dt.date(2018, 2, 20), hlh_type="primary", age_at_onset_months=2,
            age_at_cns_presentation_months=2, fever=True, csf_done=False, died=True,
            death_weeks_after_diagnosis=6, follow_up_months=1.5, hlh_protocol="hlh_2004",
            notes="pattern 2: nonspecific findings (germinal matrix cysts)"),
    patient("EX05", sex="female", birth_date=dt.date(2012, 9, 15), hlh_type="primary", age_at_onset_months=50,
            age_at_cns_presentation_months=52, fever=True, splenomegaly=True, seizures=True, encephalopathy=True,
            limb_weakness=True, csf_wbc_per_ul=30, csf_protein_mg_dl=80, genetic_result="pathogenic", mutated_genes="PRF1",
            protein_expression_assay="perforin", protein_expression_pct=30, protein_expression_verdict="residual",
            hlh_protocol="hlh_2004", it_methotrexate=True, hsct=True, died=False, deficit_free=False,
            deficit_months_after_diagnosis=20, follow_up_months=60, notes="subpattern 1.1: multifocal cerebral and cerebellar white-matter lesions"),
    patient("EX06", sex="male", birth_date=dt.date(2011, 4, 2), hlh_type="primary", age_at_onset_months=66,
            age_at_cns_presentation_months=66, cns_timing="preceded_systemic", fever=False, gait_ataxia=True,
            dysarthria=True, diplopia=True, csf_wbc_per_ul=40, csf_protein_mg_dl=90, etiologic_workup="negative",
            genetic_result="pathogenic", mutated_genes="UNC13D", hlh_protocol="hlh_2004", steroids=True, died=True,
            death_weeks_after_diagnosis=30, follow_up_months=7,
            notes="subpattern 1.2 at onset (brainstem predominant), multifocal lesions on follow-up"),
    patient("EX07", sex="female", birth_date=dt.date(2010, 11, 30), hlh_type="primary", age_at_onset_months=80,
            age_at_cns_presentation_months=80, cns_timing="preceded_systemic", gait_ataxia=True, seizures=True,
            encephalopathy=True, csf_wbc_per_ul=18, csf_protein_mg_dl=50, etiologic_workup="negative",
            genetic_result="pathogenic", mutated_genes="PRF1", hlh_protocol="hlh_2004", steroids=True, died=False, deficit_free=False,
            deficit_months_after_diagnosis=10, follow_up_months=36, notes="subpattern 1.3 at onset (cerebellitis), multifocal lesions on follow-up"),
    patient("EX08", sex="male", birth_date=dt.date(2013, 7, 7), hlh_type="secondary",
            secondary_etiology="autoimmune", age_at_onset_months=40, age_at_cns_presentation_months=45,
            seizures=True, gait_ataxia=True, csf_wbc_per_ul=12, csf_protein_mg_dl=48, etiologic_workup="negative",
            hlh_protocol="hlh_94", died=False, deficit_free=False, follow_up_months=24,
            notes="subpattern 1.1 at onset, brainstem-predominant (1.2) on follow-up, like the paper's patient 47; "
                  "time of deficit not recorded"),
]

STUDIES = [
    study("EX01-1", "EX01", "2015-07-01"),
    study("EX01-2", "EX01", "2016-07-01"),
    study("EX02-1", "EX02", "2016-10-01", atrophy_cerebral=True),
    study("EX03-1", "EX03", "2018-08-10", ctt_t2_hyperintensity=True),
    study("EX04-1", "EX04", "2018-04-20", nonspecific_findings=True,
          nonspecific_findings_text="germinal matrix cysts"),
    study("EX05-1", "EX05", "2017-01-15", MULTIFOCAL_WM, swi_blooming=True),
    study("EX06-1", "EX06", "2016-10-01", BRAINSTEM_PREDOMINANT),
    study("EX06-2", "EX06", "2017-02-01", MULTIFOCAL_WM, atrophy_cerebral=True),
    study("EX07-1", "EX07", "2017-07-30", CEREBELLITIS),
    study("EX07-2", "EX07", "2017-12-30", MULTIFOCAL_WM, atrophy_cerebral=True, atrophy_cerebellar=True),
    study("EX08-1", "EX08", "2017-04-01", MULTIFOCAL_WM),
    study("EX08-2", "EX08", "2017-09-01", MULTIFOCAL_WM, BRAINSTEM_PREDOMINANT),
]

VARIANTS = [
    {"patient_id": "EX01", "gene": "PRF1", "hgvs": "c.50del (p.Leu17Argfs*34)", "zygosity": "homozygous"},
    {"patient_id": "EX02", "gene": "UNC13D", "hgvs": "c.2346_2349del (p.Arg782Serfs*12)", "zygosity": "homozygous"},
    {"patient_id": "EX05", "gene": "PRF1", "hgvs": "c.272C>T (p.Ala91Val)", "zygosity": "heterozygous"},
    {"patient_id": "EX05", "gene": "PRF1", "hgvs": "c.673C>T (p.Arg225Trp)", "zygosity": "heterozygous"},
    {"patient_id": "EX06", "gene": "UNC13D", "hgvs": "c.754-1G>C", "zygosity": "heterozygous"},
    {"patient_id": "EX06", "gene": "UNC13D", "hgvs": "c.2588G>A (p.Gly863Asp)", "zygosity": "heterozygous"},
    {"patient_id": "EX07", "gene": "PRF1", "hgvs": "c.50del (p.Leu17Argfs*34)", "zygosity": "heterozygous"},
    {"patient_id": "EX07", "gene": "PRF1", "hgvs": "c.527G>A (p.Cys176Tyr)", "zygosity": "heterozygous"},
]


def main() -> None:
    out = Path(__file__).parent / "example-cohort"
    frames = {"patients": pd.DataFrame(PATIENTS), "studies": pd.DataFrame(STUDIES), "variants": pd.DataFrame(VARIANTS)}
    write_cohort_csv(frames, out, HEADER)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
