"""analyze(): pure pipeline checks that do not need a report file."""
from __future__ import annotations

import pytest

from neurohlh.criteria import cns_involvement


@pytest.fixture(scope="module")
def demo(demo_cohort, demo_result):
    return demo_cohort, demo_result


def test_cns_results_equal_those_from_full_study_records(demo):
    cohort, result = demo
    studies: dict[str, list] = {}
    for s in cohort.study_records():
        studies.setdefault(s.patient_id, []).append(s)
    expected = [cns_involvement(p, studies.get(p.patient_id, ()), rule="comprehensive").to_dict()
                for p in cohort.patient_records()]
    assert [r.to_dict() for r in result.cns] == expected


def test_demo_patterns_and_onset_subpatterns_match_the_paper(demo):
    _, result = demo
    # Results: pattern 1 32/57, pattern 2 25/57; onset 1.1 21, 1.2 5, 1.3 6
    s = result.summary()
    assert (s["patients"], s["studies"]) == (57, 123)
    assert s["pattern"] == {"1": 32, "2": 25, "indeterminate": 0}
    assert s["onset_subpattern"] == {"1.1": 21, "1.2": 5, "1.3": 6}


def test_every_patient_has_one_row_and_denominators_exclude_unknowns(demo):
    cohort, result = demo
    frame = result.patients
    assert list(frame["patient_id"]) == list(cohort.patients["patient_id"])
    comparison = result.comparison("csf_abnormal", "patterns")
    known = frame.loc[frame["pattern"].isin(["1", "2"]), "csf_abnormal"].notna().sum()
    assert sum(n for _, n in comparison.counts) == known == 50  # CSF analysed in 50/57 (Table 1)


def test_survival_uses_log_rank_by_pattern(demo):
    _, result = demo
    by_key = {s.endpoint: s for s in result.survival}
    assert set(by_key) == {"overall_survival", "deficit_free_survival"}
    for s in by_key.values():
        assert s.result.test == "log-rank" and set(s.curves) == {"Pattern 1", "Pattern 2"}
        t, surv, _ = s.curves["Pattern 1"]
        assert t[0] == 0 and surv[0] == 1 and all(a >= b for a, b in zip(surv, surv[1:]))  # non-increasing


def test_deficit_free_survival_log_rank_gives_the_papers_p(demo):
    # Results: "a lower deficit-free survival, though this was not statistically significant (P value = .06)";
    # recomputed independently with lifelines from the per-patient frame
    from lifelines.statistics import logrank_test

    _, result = demo
    f = result.patients
    ok = f["pattern"].isin(["1", "2"]) & f["follow_up_months"].notna() & f["deficit_free"].notna()
    # event: death, or the first deficit at deficit_months_after_diagnosis (the demo dates every survivor's deficit)
    t = f.loc[ok, "deficit_months_after_diagnosis"].astype(float).fillna(f.loc[ok, "follow_up_months"].astype(float))
    e = ~f.loc[ok, "deficit_free"].astype(bool)
    p1 = (f.loc[ok, "pattern"] == "1").to_numpy()
    expected = logrank_test(t[p1], t[~p1], e[p1], e[~p1]).p_value
    s = next(x for x in result.survival if x.endpoint == "deficit_free_survival")
    assert s.result.pvalue == pytest.approx(expected)
    assert round(s.result.pvalue, 2) == 0.06


def test_the_analysis_leaves_the_cohort_tables_as_they_were():
    # the analysis frame holds the patients table's columns without copying them: nothing may write through
    from neurohlh.analysis import analyze
    from neurohlh.datasets import load_demo_cohort

    cohort = load_demo_cohort()
    before = cohort.patients.copy(deep=True)
    result = analyze(cohort, policy="paper")
    import pandas as pd

    pd.testing.assert_frame_equal(cohort.patients, before)
    assert result.patients["deficit_free"].isna().sum() <= before["deficit_free"].isna().sum()
