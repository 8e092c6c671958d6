"""Measure the demo cohort the paper's way, through the toolkit (patterns, criteria, genetics, stats).

``measure(cohort)`` returns ``{key: value}`` for every key of ``published_counts.tsv``. Counts are strings
``"k/n"`` or ``"k"``, medians and quartiles numbers, P values floats (compared with the printed P by rounding
or truncation to the printed decimals, as the paper evidently did; see docs/demo-cohort.md).

Nothing here re-implements a rule of the toolkit: pattern allocation comes from ``neurohlh.patterns``, CSF
flags and CNS involvement from ``neurohlh.criteria``, genotype groups from ``neurohlh.genetics`` and tests
from ``neurohlh.stats``. Only plain tallies of recorded fields (symptoms, treatment, outcome) are counted
here, because the paper reports them as such.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from neurohlh.criteria import cns_involvement, csf_abnormal, csf_pleocytosis, csf_proteinosis, hlh2004
from neurohlh.genetics import classify_variant, patient_genotype, recurrent_variants
from neurohlh.patterns import classify_cohort, summarise_studies
from neurohlh.stats import chi_square, fisher_exact, kruskal, logrank, mann_whitney

SYMPTOMS = ("seizures", "encephalopathy", "meningismus", "gait_ataxia", "hypotonia", "limb_weakness", "dysarthria",
            "diplopia")
#: Table 2 two-group rows whose printed P is Fisher's, not Pearson's (docs/demo-cohort.md; stats brief section 6)
FISHER_ROWS = ("pleocytosis", "pooled")


def frac(k: int, n: int) -> str:
    return f"{k}/{n}"


def spss_quartiles(values: list[float]) -> tuple[float, float, float]:
    """Quartiles by SPSS's default weighted average at (n + 1)p (EXAMINE HAVERAGE)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    out = []
    for p in (0.25, 0.5, 0.75):
        pos = (n + 1) * p
        lo = int(np.floor(pos))
        frac_ = pos - lo
        a = x[max(lo - 1, 0)]
        b = x[min(lo, n - 1)]
        out.append(float(a + frac_ * (b - a)))
    return out[0], out[1], out[2]


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Quartiles; the demo is built so that numpy's linear rule and SPSS's rule agree exactly."""
    linear = tuple(float(v) for v in np.percentile(np.asarray(values, dtype=float), [25, 50, 75]))
    spss = spss_quartiles(values)
    if not np.allclose(linear, spss):
        raise AssertionError(f"quartile rules disagree: linear {linear}, SPSS {spss}")
    return linear  # type: ignore[return-value]


def _yes(value: Any) -> bool:
    return value is True


def _table(groups: list[list[Any]]) -> list[list[int]]:
    """2 x k contingency rows [yes, no] per group from tri-state values (unknown excluded)."""
    return [[sum(v is True for v in g), sum(v is False for v in g)] for g in groups]


def measure(cohort: Any) -> dict[str, Any]:  # noqa: C901 - one flat list of the paper's numbers
    m: dict[str, Any] = {}
    patients = cohort.patient_records()
    studies = cohort.study_records()
    variants = cohort.variant_records()
    by_patient: dict[str, list[Any]] = {}
    for s in studies:
        by_patient.setdefault(s.patient_id, []).append(s)
    allocations = {a.patient_id: a for a in classify_cohort(cohort)}
    genotypes = {p.patient_id: patient_genotype(p, variants) for p in patients}
    n = len(patients)
    m["n_patients"] = str(n)
    m["n_studies"] = str(len(studies))

    # ------------------------------------------------------------------ Table 1
    onset = [p.age_at_onset_months for p in patients]
    q1, med, q3 = quartiles(onset)
    m["t1.age_onset_median"], m["t1.age_onset_iqr"] = med, f"{q1:g}-{q3:g}"
    q1, med, q3 = quartiles([p.age_at_cns_presentation_months for p in patients])
    m["t1.age_cns_median"], m["t1.age_cns_iqr"] = med, f"{q1:g}-{q3:g}"
    sex = Counter(p.sex for p in patients)
    m["t1.male_female"] = f"{sex['male']}:{sex['female']}"
    known = [p for p in patients if p.fever is not None]
    m["t1.fever"] = frac(sum(_yes(p.fever) for p in known), len(known))
    known = [p for p in patients if p.hepatomegaly is not None and p.splenomegaly is not None]
    m["t1.hepatosplenomegaly"] = frac(sum(_yes(p.hepatomegaly) or _yes(p.splenomegaly) for p in known), len(known))
    known = [p for p in patients if p.abdominal_distension is not None]
    m["t1.abdominal_distension"] = frac(sum(_yes(p.abdominal_distension) for p in known), len(known))
    symptomatic = [p for p in patients if any(_yes(getattr(p, s)) for s in SYMPTOMS)]
    m["t1.cns_symptoms"] = frac(len(symptomatic), n)
    for s in ("seizures", "encephalopathy", "meningismus", "gait_ataxia", "hypotonia"):
        m[f"t1.{s}"] = frac(sum(_yes(getattr(p, s)) for p in symptomatic), len(symptomatic))
    silent = [p for p in patients if p not in symptomatic]
    m["t1.minimal_or_silent"] = str(len(silent))
    m["t1.minimal_or_silent_with_abnormal_csf"] = frac(sum(csf_abnormal(p) is True for p in silent), len(silent))
    done = [p for p in patients if p.csf_done is True]
    m["t1.csf_analysed"] = frac(len(done), n)
    m["t1.csf_abnormal"] = frac(sum(csf_abnormal(p) is True for p in done), len(done))
    m["t1.csf_pleocytosis"] = frac(sum(csf_pleocytosis(p) is True for p in done), len(done))
    m["t1.csf_proteinosis"] = frac(sum(csf_proteinosis(p) is True for p in done), len(done))
    m["t1.hlh_protocol"] = frac(sum(p.hlh_protocol in ("hlh_94", "hlh_2004") for p in patients), n)
    m["t1.it_methotrexate"] = str(sum(_yes(p.it_methotrexate) for p in patients))
    m["t1.hsct"] = str(sum(_yes(p.hsct) for p in patients))
    m["res.hsct_within_protocol"] = frac(
        sum(_yes(p.hsct) for p in patients if p.hlh_protocol in ("hlh_94", "hlh_2004")),
        sum(p.hlh_protocol in ("hlh_94", "hlh_2004") for p in patients))
    died = [p for p in patients if _yes(p.died)]
    m["t1.death"] = str(len(died))
    m["t1.death_before_8_weeks"] = str(sum(p.death_weeks_after_diagnosis < 8 for p in died))
    m["t1.death_after_8_weeks"] = str(sum(p.death_weeks_after_diagnosis >= 8 for p in died))
    m["res.deaths_after_hsct"] = str(sum(_yes(p.hsct) for p in died))
    m["t1.alive"] = str(sum(p.died is False for p in patients))
    m["t1.lost_to_follow_up"] = str(sum(_yes(p.lost_to_follow_up) for p in patients))

    # ------------------------------------------------------------------ Results text: clinical
    timing = Counter(p.cns_timing for p in symptomatic)
    m["res.symptomatic_with_systemic"] = frac(len(symptomatic) - timing["after_systemic"], len(symptomatic))
    m["res.symptomatic_after_systemic"] = frac(timing["after_systemic"], len(symptomatic))
    fu = np.array([p.follow_up_months for p in patients], dtype=float) / 12
    m["res.follow_up_mean_years"] = round(float(fu.mean()), 1)
    m["res.follow_up_sd_years"] = round(float(fu.std(ddof=1)), 1)
    m["res.follow_up_range_years"] = f"{fu.min():.0f}-{fu.max():.0f}"
    m["res.hlh2004_or_molecular"] = frac(sum(hlh2004(p).status == "met" for p in patients), n)
    cns = [cns_involvement(p, by_patient.get(p.patient_id, []), rule="comprehensive") for p in patients]
    m["res.cns_involvement_comprehensive"] = frac(sum(r.involved is True for r in cns), n)

    # ------------------------------------------------------------------ Etiology
    primary = [p for p in patients if p.hlh_type == "primary"]
    m["eti.primary"] = str(len(primary))
    m["eti.secondary"] = str(sum(p.hlh_type == "secondary" for p in patients))
    sec = Counter(p.secondary_etiology for p in patients if p.hlh_type == "secondary")
    m["eti.secondary_infection"] = str(sec["infection"])
    m["eti.secondary_autoimmune"] = str(sec["autoimmune"])
    mutated = [p for p in primary if p.genetic_result == "pathogenic"]
    m["eti.pathogenic_mutation"] = str(len(mutated))
    gene_of: dict[str, str] = {}
    for p in mutated:
        g = genotypes[p.patient_id]
        assert p.mutated_genes, f"{p.patient_id}: pathogenic result without a mutated gene"
        if g.genes:
            assert g.genes == (p.mutated_genes,), f"{p.patient_id}: variants and mutated_genes disagree"
        gene_of[p.patient_id] = p.mutated_genes
    genes = Counter(gene_of.values())
    m["eti.prf1_patients"] = str(genes["PRF1"])
    m["eti.unc13d_patients"] = str(genes["UNC13D"])
    with_data = [p for p in patients if genotypes[p.patient_id].genes]
    m["eti.with_variant_data"] = str(len(with_data))
    m["eti.variants"] = str(len(variants))
    zyg = Counter(genotypes[p.patient_id].zygosity for p in with_data)
    m["eti.compound_heterozygous"] = frac(zyg["compound_heterozygous"], len(with_data))
    m["eti.homozygous"] = frac(zyg["homozygous"], len(with_data))
    m["eti.monoallelic_or_hemizygous"] = str(zyg["monoallelic"] + zyg["hemizygous"])
    classes = [classify_variant(v.hgvs, gene=v.gene) for v in variants]
    prf1 = [c for c in classes if c.gene == "PRF1"]
    unc = [c for c in classes if c.gene == "UNC13D"]
    m["eti.fhl2_missense"] = frac(sum(c.consequence == "missense_variant" for c in prf1), len(prf1))
    m["eti.fhl3_frameshift"] = frac(sum(c.consequence == "frameshift_variant" for c in unc), len(unc))

    # ------------------------------------------------------------------ Imaging: patterns
    pattern = {pid: a.pattern for pid, a in allocations.items()}
    onset_sub = {pid: a.onset_subpattern for pid, a in allocations.items()}
    p1 = [p for p in patients if pattern[p.patient_id] == "1"]
    p2 = [p for p in patients if pattern[p.patient_id] == "2"]
    m["img.pattern_1_patients"] = frac(len(p1), n)
    m["img.pattern_2_patients"] = frac(len(p2), n)
    summary = summarise_studies(cohort, list(allocations.values()))
    for key in ("pattern_1_studies", "pattern_2_studies", "pattern_2_normal", "pattern_2_atrophy",
                "pattern_2_isolated_ctt", "pattern_2_nonspecific", "cerebral", "cerebellar", "deep_grey",
                "deep_grey_bilateral_asymmetric", "brainstem", "brainstem_midbrain", "brainstem_medulla",
                "cranial_nerves", "optic_nerve", "cord", "cauda_equina", "swi_blooming", "ventriculomegaly",
                "ventriculomegaly_obstructive", "cortical_atrophy_with_lesions", "target_supra", "target_infra"):
        c = summary[key]
        m[f"img.{key}"] = frac(c.numerator, c.denominator)
    for key in ("enhancing_cerebral", "enhancing_cerebellar"):
        m[f"img.{key}_pct"] = round(summary[key].percent)
    frame = cohort.consensus_studies
    cerebral = frame[frame["loc_cerebral_wm"] == True]  # noqa: E712
    for kind in ("diffuse", "focal"):
        sub = cerebral[cerebral["supra_lesion_type"].map(lambda t, k=kind: t is not None and k in t)]
        m[f"img.cerebral_{kind}_enhancing_pct"] = round(100 * float((sub["supra_enhancement"] == True).mean()))  # noqa
    cerebellar = frame[frame["loc_cerebellar_wm"] == True]  # noqa: E712
    for kind in ("diffuse", "focal"):
        sub = cerebellar[cerebellar["infra_lesion_type"].map(lambda t, k=kind: t is not None and k in t)]
        m[f"img.cerebellar_{kind}_enhancing_pct"] = round(100 * float((sub["infra_enhancement"] == True).mean()))  # noqa
    target = frame[(frame["supra_target_lesions"] == True) | (frame["supra_target_variants"] == True)  # noqa
                   | (frame["infra_target_lesions"] == True) | (frame["infra_target_variants"] == True)]  # noqa
    m["img.target_with_diffusion_restriction"] = str(int(
        ((target["supra_dwi_restriction"] == True) & ((target["supra_target_lesions"] == True)  # noqa
                                                       | (target["supra_target_variants"] == True))).sum()  # noqa
        + ((target["infra_dwi_restriction"] == True) & ((target["infra_target_lesions"] == True)  # noqa
                                                         | (target["infra_target_variants"] == True))).sum()))  # noqa
    onset_counts = Counter(onset_sub[p.patient_id] for p in p1)
    for sub in ("1.1", "1.2", "1.3"):
        m[f"img.onset_{sub}"] = frac(onset_counts[sub], len(p1))
    ever_12 = [p for p in p1 if "1.2" in allocations[p.patient_id].ever_subpatterns]
    m["img.brainstem_patients_incl_follow_up"] = str(len(ever_12))
    m["img.patient_47_follow_up_1.2"] = str(allocations["SYN47"].evolution)
    for sub in ("1.2", "1.3"):
        m[f"img.onset_{sub}_evolving_to_1.1"] = str(sum(
            onset_sub[p.patient_id] == sub and f"{sub}->1.1" in allocations[p.patient_id].transitions for p in p1))
    followed = [a for a in allocations.values() if a.pattern == "1" and len(a.evolution) > 1]
    m["img.follow_up_last_1.1"] = str(sum(a.last_subpattern == "1.1" for a in followed))

    # 1.2: the six brainstem-predominant patients (onset 1.2 + patient 47), CLIPPERS radiologic items
    checks = [allocations[p.patient_id].clippers for p in ever_12]
    first12 = {}
    for p in ever_12:
        first12[p.patient_id] = next(s for s in allocations[p.patient_id].studies if s.subpattern == "1.2")
    reads = {s.study_id: s for s in studies}
    f12 = [reads[s.study_id] for s in first12.values()]
    m["s12.t2_beyond_enhancement"] = frac(sum(_yes(s.t2_beyond_enhancement) for s in f12), len(f12))
    m["s12.nodule_above_3mm"] = frac(sum(s.largest_enhancing_nodule_mm > 3 for s in f12), len(f12))
    m["s12.asymmetric_pons"] = frac(sum(s.pons_symmetric_at_mcp is False for s in f12), len(f12))
    m["s12.all_clippers_radiologic_criteria"] = frac(
        sum(c is not None and c.all_radiologic_met is True for c in checks), len(checks))
    m["s12.preceded_or_with_systemic"] = frac(
        sum(p.cns_timing in ("preceded_systemic", "with_systemic") for p in ever_12), len(ever_12))
    m["s12.systemic_signs_present"] = frac(
        sum(p.cns_timing in ("after_systemic", "with_systemic") for p in ever_12), len(ever_12))
    dead12 = [p for p in ever_12 if _yes(p.died)]
    m["s12.died"] = frac(len(dead12), len(ever_12))
    m["s12.died_hlh_protocol"] = str(sum(p.hlh_protocol in ("hlh_94", "hlh_2004") for p in dead12))
    m["s12.died_steroid_regimen"] = str(sum(p.hlh_protocol == "steroids_only" for p in dead12))
    m["s12.died_hsct"] = str(sum(_yes(p.hsct) for p in dead12))
    after = []
    for p in ever_12:
        ev = list(allocations[p.patient_id].evolution)
        after.append(ev[ev.index("1.2") + 1:])
    with_fu = [a for a in after if a]
    m["s12.follow_up_imaging"] = frac(len(with_fu), len(ever_12))
    m["s12.developed_multifocal"] = frac(sum("1.1" in a for a in with_fu), len(with_fu))
    m["s12.workup_negative"] = frac(sum(p.etiologic_workup == "negative" for p in ever_12), len(ever_12))

    # 1.3: onset studies of the six cerebellitis patients
    p13 = [p for p in p1 if onset_sub[p.patient_id] == "1.3"]
    f13 = [reads[allocations[p.patient_id].studies[0].study_id] for p in p13]
    m["s13.tonsillar_descent"] = frac(sum(_yes(s.tonsillar_descent) for s in f13), len(f13))
    m["s13.hydrocephalus"] = frac(sum(_yes(s.hydrocephalus) for s in f13), len(f13))
    m["s13.additional_wm_lesions"] = frac(sum(_yes(s.loc_cerebral_wm) for s in f13), len(f13))
    m["s13.preceded_systemic"] = frac(sum(p.cns_timing == "preceded_systemic" for p in p13), len(p13))
    m["s13.prf1"] = str(sum(gene_of.get(p.patient_id) == "PRF1" for p in p13))
    m["s13.unc13d"] = str(sum(gene_of.get(p.patient_id) == "UNC13D" for p in p13))
    m["s13.recurrent_cerebellitis"] = str(sum(allocations[p.patient_id].evolution.count("1.3") > 1 for p in p13))
    m["s13.evolved_to_multifocal"] = frac(sum("1.3->1.1" in allocations[p.patient_id].transitions for p in p13),
                                         len(p13))
    m["s13.steroids"] = frac(sum(_yes(p.steroids) for p in p13), len(p13))
    m["s13.workup_negative"] = frac(sum(p.etiologic_workup == "negative" for p in p13), len(p13))

    # ------------------------------------------------------------------ Table 2
    groups = {
        "1.1": [p for p in p1 if onset_sub[p.patient_id] == "1.1"],
        "1.2": [p for p in p1 if onset_sub[p.patient_id] == "1.2"],
        "1.3": p13,
        "p1": p1,
        "p2": p2,
    }
    rows: dict[str, Any] = {
        "seizures": lambda p: p.seizures, "encephalopathy": lambda p: p.encephalopathy,
        "gait_ataxia": lambda p: p.gait_ataxia, "limb_weakness": lambda p: p.limb_weakness,
        "dysarthria": lambda p: p.dysarthria, "diplopia": lambda p: p.diplopia,
        "abnormal_csf": csf_abnormal, "proteinosis": csf_proteinosis, "pleocytosis": csf_pleocytosis,
        "pooled": lambda p: genotypes[p.patient_id].pooled_group, "mortality": lambda p: p.died,
        "deficit_free": lambda p: p.deficit_free,
    }
    for row, get in rows.items():
        values = {g: [get(p) for p in members] for g, members in groups.items()}
        for g, vals in values.items():
            known = [v for v in vals if v is not None]
            m[f"t2.{row}.{g}"] = frac(sum(v is True for v in known), len(known))
        sub = _table([values["1.1"], values["1.2"], values["1.3"]])
        two = _table([values["p1"], values["p2"]])
        m[f"t2.{row}.p_subpatterns_pearson"] = chi_square(sub).pvalue
        if row in FISHER_ROWS:
            m[f"t2.{row}.p_patterns_fisher"] = fisher_exact(two).pvalue
        else:
            m[f"t2.{row}.p_patterns_pearson"] = chi_square(two).pvalue
    ages = {g: [p.age_at_onset_months for p in members] for g, members in groups.items()}
    for g, a in ages.items():
        m[f"t2.median_age.{g}"] = float(np.median(a))
    m["t2.median_age.p_subpatterns_kruskal"] = kruskal(ages["1.1"], ages["1.2"], ages["1.3"]).pvalue
    m["t2.median_age.p_patterns_mann_whitney"] = mann_whitney(ages["p1"], ages["p2"], method="asymptotic",
                                                              correction=False).pvalue
    # deficit-free survival by pattern, log-rank (event: death, or the first deficit at its recorded time; censored
    # at the last follow-up when deficit-free)
    known = [p for p in groups["p1"] + groups["p2"] if p.deficit_free is not None]
    m["t2.deficit_free.p_patterns_logrank"] = logrank(
        np.array([p.deficit_months_after_diagnosis if p.deficit_months_after_diagnosis is not None
                  else p.follow_up_months for p in known]),
        np.array([p.deficit_free is False for p in known]),
        np.array([pattern[p.patient_id] for p in known])).pvalue
    m["res.csf_abnormal_pct.p1"] = round(100 * _share(groups["p1"], csf_abnormal))
    m["res.csf_abnormal_pct.p2"] = round(100 * _share(groups["p2"], csf_abnormal))
    m["res.deficit_free_pct.p2"] = round(100 * _share(groups["p2"], lambda p: p.deficit_free))

    # ------------------------------------------------------------------ Genotype correlations
    typed = [p for p in patients if genotypes[p.patient_id].group != "not_classifiable"]
    m["gen.classifiable"] = str(len(typed))
    pure = [p.age_at_onset_months for p in typed if genotypes[p.patient_id].purely_disruptive is True]
    not_pure = [p.age_at_onset_months for p in typed if genotypes[p.patient_id].purely_disruptive is False]
    m["gen.purely_disruptive_median"] = float(np.median(pure))
    m["gen.not_purely_disruptive_median"] = float(np.median(not_pure))
    m["gen.purely_disruptive_p"] = mann_whitney(pure, not_pure, method="asymptotic", correction=False).pvalue
    pooled = [p for p in typed if genotypes[p.patient_id].pooled_group is True]
    residual = [p for p in typed if genotypes[p.patient_id].pooled_group is False]
    m["gen.pooled"] = str(len(pooled))
    m["gen.residual_missense"] = str(len(residual))
    m["gen.pooled_median"] = float(np.median([p.age_at_onset_months for p in pooled]))
    m["gen.residual_median"] = float(np.median([p.age_at_onset_months for p in residual]))
    m["gen.pooled_vs_residual_p"] = mann_whitney([p.age_at_onset_months for p in pooled],
                                                 [p.age_at_onset_months for p in residual],
                                                 method="asymptotic", correction=False).pvalue
    m["gen.residual_after_12_months"] = frac(sum(p.age_at_onset_months > 12 for p in residual), len(residual))
    m["gen.residual_pattern_1.1"] = frac(sum(onset_sub[p.patient_id] == "1.1" for p in residual), len(residual))
    late = [p for p in pooled if p.age_at_onset_months > 12]
    m["gen.pooled_after_12_months_posterior_fossa"] = frac(
        sum(onset_sub[p.patient_id] in ("1.2", "1.3") for p in late), len(late))
    m["gen.pooled_after_12_months_pattern_2"] = frac(sum(pattern[p.patient_id] == "2" for p in late), len(late))
    recurrent = recurrent_variants(cohort)
    m["gen.recurrent_all_pooled"] = str(all(
        genotypes[pid].pooled_group is True for r in recurrent for pid in r.patient_ids))
    patterns_of = {r.key: sorted({onset_sub[pid] or pattern[pid] for pid in r.patient_ids}) for r in recurrent}
    m["gen.c50del_patterns"] = ",".join(patterns_of.get("PRF1:c.50del", []))
    m["gen.other_recurrent_only_pattern_2"] = str(all(
        pats == ["2"] for key, pats in patterns_of.items() if key != "PRF1:c.50del"))
    return m


def _share(members: list[Any], get: Any) -> float:
    known = [get(p) for p in members if get(p) is not None]
    return sum(v is True for v in known) / len(known)
